"""Reports that leave the dashboard: PDF by printing self-contained HTML with headless
Chromium, and e-mail through SMTP.

PDF: the reports are already one self-contained HTML file each (Plotly inlined), so the
browser that draws them on screen also prints them: charts, Chinese text and tables come
out as the reader saw them, with no second layout engine to keep in step. Chromium is
found as ``$CALLCENTER_CHROMIUM`` or ``chromium`` / ``chromium-browser`` /
``google-chrome`` on the PATH; without it ``NoChromium`` says what to install.

E-mail: the SMTP server and account come from the environment (``CALLCENTER_SMTP_*``)
or from the ``[smtp]`` section of ``.streamlit/secrets.toml`` (git-ignored), never from
the repository; the environment wins, so a cron job can carry its own settings.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Time the page's scripts get to draw the charts before printing (virtual time, so a
# fast machine does not wait for it), and the wall-clock limit of the whole print.
SCRIPT_BUDGET_MS = 20_000
PRINT_TIMEOUT_S = 180


class NoChromium(RuntimeError):
    """No Chromium to print with."""


class DeliveryError(RuntimeError):
    """Printing or sending failed; the message says why in one line."""


def find_chromium() -> str | None:
    given = os.environ.get("CALLCENTER_CHROMIUM")
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


# Chart toolbars are for the screen; on paper they only hide part of the chart title.
_PRINT_CSS = "<style>@media print{.modebar-container,.modebar{display:none!important}}</style>"


def _for_print(html: str) -> str:
    at = html.find("</head>")
    return html[:at] + _PRINT_CSS + html[at:] if at >= 0 else _PRINT_CSS + html


def html_to_pdf(html: str, out: Path | None = None) -> bytes:
    """Print ``html`` (a self-contained page) to PDF with headless Chromium; the PDF bytes,
    also written to ``out`` when given."""
    exe = find_chromium()
    if exe is None:
        raise NoChromium(
            "PDF needs Chromium to print the report and none was found: install it "
            "(Debian: apt-get install -y chromium) or set CALLCENTER_CHROMIUM to its path; "
            "the HTML report (--format html) needs nothing else"
        )
    with tempfile.TemporaryDirectory(prefix="callcenter-pdf-") as tmp:
        page, pdf = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(_for_print(html), encoding="utf-8")
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--virtual-time-budget={SCRIPT_BUDGET_MS}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise DeliveryError(f"Chromium did not finish printing within {PRINT_TIMEOUT_S} s") from None
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF"):
            last = (run.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise DeliveryError(f"Chromium did not print a PDF (exit {run.returncode}): {last[0]}")
    if out is not None:
        Path(out).write_bytes(data)
    return data


# --- e-mail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    sender: str = ""
    user: str | None = None
    password: str | None = None
    security: str = "starttls"  # starttls, ssl or none

    def __post_init__(self):
        if self.security not in ("starttls", "ssl", "none"):
            raise ValueError(f"smtp security must be starttls, ssl or none, got {self.security!r}")
        if not self.sender:
            raise ValueError("smtp settings need a sender address (CALLCENTER_SMTP_FROM or [smtp] sender)")

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, sender={self.sender!r}, user={self.user!r})"


_ENV = {
    "host": "CALLCENTER_SMTP_HOST",
    "port": "CALLCENTER_SMTP_PORT",
    "sender": "CALLCENTER_SMTP_FROM",
    "user": "CALLCENTER_SMTP_USER",
    "password": "CALLCENTER_SMTP_PASSWORD",
    "security": "CALLCENTER_SMTP_SECURITY",
}


def smtp_settings(
    env: Mapping[str, str] | None = None, secrets_file: Path | None = Path(".streamlit/secrets.toml")
) -> SmtpSettings:
    """SMTP settings: the ``[smtp]`` section of the secrets file, overridden by the environment."""
    env = os.environ if env is None else env
    values: dict = {}
    if secrets_file is not None and Path(secrets_file).is_file():
        with open(secrets_file, "rb") as f:
            values.update(tomllib.load(f).get("smtp", {}))
    values.update({k: env[v] for k, v in _ENV.items() if env.get(v)})
    if not values.get("host"):
        raise ValueError(
            "no SMTP server configured: set CALLCENTER_SMTP_HOST (and _PORT, _FROM, _USER, "
            "_PASSWORD, _SECURITY) or an [smtp] section in .streamlit/secrets.toml"
        )
    try:
        port = int(values.get("port", 587))
    except (TypeError, ValueError):
        raise ValueError(f"smtp port must be a number, got {values.get('port')!r}") from None
    return SmtpSettings(
        host=str(values["host"]),
        port=port,
        sender=str(values.get("sender", "")),
        user=values.get("user") or None,
        password=values.get("password") or None,
        security=str(values.get("security", "starttls")),
    )


def send_mail(
    settings: SmtpSettings,
    to: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]] = (),
    timeout: float = 60,
) -> str:
    """Send one message with attachments ``(file name, bytes, MIME type)``; its Message-ID."""
    if not to:
        raise ValueError("no recipient: give --to ADDRESS")
    for addr in to:
        if "@" not in addr or any(c in addr for c in "\r\n,;<> "):
            raise ValueError(f"not one e-mail address: {addr!r}")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, ", ".join(to), subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="callcenter.local")
    msg.set_content(body)
    for name, data, mime in attachments:
        main, _, sub = mime.partition("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    cls = smtplib.SMTP_SSL if settings.security == "ssl" else smtplib.SMTP
    try:
        with cls(settings.host, settings.port, timeout=timeout) as smtp:
            if settings.security == "starttls":
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"sending to {', '.join(to)} through {settings.host}:{settings.port} failed: {e}") from None
    return msg["Message-ID"]
