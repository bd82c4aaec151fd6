"""Reports that leave the dashboard: PDF through headless Chromium, e-mail through SMTP
(a local aiosmtpd server that the test starts on 127.0.0.1)."""

from __future__ import annotations

import re

import email
import shutil
import socket
from email import policy

import pytest

from analytics import delivery
from analytics.__main__ import main

HAS_CHROMIUM = delivery.find_chromium() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp_server(monkeypatch):
    """A local SMTP server collecting what it receives; the environment points at it."""
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    handler = Collect()
    port = _free_port()
    ctl = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    for k, v in {
        "CALLCENTER_SMTP_HOST": "127.0.0.1",
        "CALLCENTER_SMTP_PORT": str(port),
        "CALLCENTER_SMTP_FROM": "reports@example.com",
        "CALLCENTER_SMTP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("CALLCENTER_SMTP_USER", raising=False)
    monkeypatch.delenv("CALLCENTER_SMTP_PASSWORD", raising=False)
    try:
        yield handler
    finally:
        ctl.stop()


def test_settings_from_secrets_and_environment(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[smtp]\nhost = "mail.example.com"\nport = 465\nsender = "a@example.com"\n'
        'user = "a"\npassword = "s3cret"\nsecurity = "ssl"\n',
        encoding="utf-8",
    )
    s = delivery.smtp_settings(env={}, secrets_file=secrets)
    assert (s.host, s.port, s.sender, s.user, s.security) == ("mail.example.com", 465, "a@example.com", "a", "ssl")
    assert "s3cret" not in repr(s)
    # the environment wins over the file
    s = delivery.smtp_settings(
        env={"CALLCENTER_SMTP_HOST": "relay.local", "CALLCENTER_SMTP_PORT": "25"}, secrets_file=secrets
    )
    assert (s.host, s.port, s.password) == ("relay.local", 25, "s3cret")
    with pytest.raises(ValueError, match="no SMTP server"):
        delivery.smtp_settings(env={}, secrets_file=tmp_path / "absent.toml")
    with pytest.raises(ValueError, match="sender"):
        delivery.smtp_settings(env={"CALLCENTER_SMTP_HOST": "relay.local"}, secrets_file=None)


def test_send_mail_reaches_the_server_with_the_attachment(smtp_server):
    s = delivery.smtp_settings(secrets_file=None)
    delivery.send_mail(
        s, ["boss@example.com"], "月度回顾 2026-10", "正文", [("r.pdf", b"%PDF-1.4 x", "application/pdf")]
    )
    ((rcpts, raw),) = smtp_server.messages
    assert rcpts == ["boss@example.com"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "月度回顾 2026-10" and msg["From"] == "reports@example.com"
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "r.pdf" and att.get_content() == b"%PDF-1.4 x"


def test_header_injection_in_an_address_is_refused(smtp_server):
    s = delivery.smtp_settings(secrets_file=None)
    with pytest.raises(ValueError):
        delivery.send_mail(s, ["a@example.com\r\nBcc: all@example.com"], "x", "y")
    assert smtp_server.messages == []


def test_unreachable_server_is_one_clear_error(monkeypatch):
    port = _free_port()  # nothing listens there
    s = delivery.SmtpSettings(host="127.0.0.1", port=port, sender="a@example.com", security="none")
    with pytest.raises(delivery.DeliveryError, match="failed"):
        delivery.send_mail(s, ["b@example.com"], "x", "y", timeout=5)


def test_no_chromium_says_so(monkeypatch):
    monkeypatch.setenv("CALLCENTER_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(delivery.NoChromium, match="apt-get install -y chromium"):
        delivery.html_to_pdf("<html><body>x</body></html>")


@pytest.mark.skipif(not HAS_CHROMIUM, reason="Chromium is not installed (apt-get install -y chromium)")
def test_html_prints_to_a_pdf_with_its_text(tmp_path):
    out = tmp_path / "x.pdf"
    data = delivery.html_to_pdf(
        "<html><head><meta charset='utf-8'></head><body><h1>Scorecards 2026-10</h1></body></html>", out
    )
    assert data.startswith(b"%PDF") and out.read_bytes() == data
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Scorecards 2026-10" in text


def test_report_send_mails_the_scorecards(demo_dataset, smtp_server, capsys):
    rc = main(
        [
            "report",
            "send",
            "--dataset",
            str(demo_dataset),
            "--month",
            "2026-10",
            "--what",
            "scorecards",
            "--format",
            "html",
            "--lang",
            "en",
            "--to",
            "lead@example.com",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    ((rcpts, raw),) = smtp_server.messages
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert rcpts == ["lead@example.com"] and msg["Subject"] == "Team & agent scorecards 2026-10"
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "scorecards-2026-10.html"
    assert "<h1>Team &amp; agent scorecards 2026-10</h1>" in att.get_content()


@pytest.mark.skipif(not HAS_CHROMIUM, reason="Chromium is not installed (apt-get install -y chromium)")
def test_report_send_monthly_as_pdf(demo_dataset, smtp_server, capsys):
    rc = main(
        [
            "report",
            "send",
            "--dataset",
            str(demo_dataset),
            "--month",
            "2026-10",
            "--format",
            "pdf",
            "--to",
            "a@example.com",
            "--to",
            "b@example.com",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    ((rcpts, raw),) = smtp_server.messages
    assert sorted(rcpts) == ["a@example.com", "b@example.com"]
    (att,) = list(email.message_from_bytes(raw, policy=policy.default).iter_attachments())
    assert att.get_filename() == "monthly-review-2026-10.pdf" and att.get_content().startswith(b"%PDF")


def test_report_send_without_smtp_settings_is_one_line(demo_dataset, monkeypatch, tmp_path, capsys):
    for k in ("HOST", "PORT", "FROM", "USER", "PASSWORD", "SECURITY"):
        monkeypatch.delenv(f"CALLCENTER_SMTP_{k}", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    rc = main(["report", "send", "--dataset", str(demo_dataset), "--month", "2026-10", "--to", "a@example.com"])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: no SMTP server configured") and err.count("\n") == 1


def test_executive_cannot_print_scorecards(demo_dataset, tmp_path, capsys):
    from analytics import users

    users.add(demo_dataset, "exec17", "executive", "a-long-pass-123")
    try:  # the demo is shared by the session's tests: leave no account behind
        rc = main(
            [
                "report",
                "scorecards",
                "--dataset",
                str(demo_dataset),
                "--month",
                "2026-10",
                "--user",
                "exec17",
                "--out",
                str(tmp_path / "s.html"),
            ]
        )
    finally:
        users.remove(demo_dataset, "exec17")
    assert rc == 2 and "may not see individuals" in capsys.readouterr().err
    assert not (tmp_path / "s.html").exists()


def test_monthly_review_for_a_team_leader_covers_its_centers_in_aggregate(demo_dataset, tmp_path, capsys):
    from analytics import lake, users

    team = (
        lake.open_lake(demo_dataset)
        .query("SELECT team, center FROM employees WHERE team IS NOT NULL ORDER BY team LIMIT 1")
        .iloc[0]
    )
    users.add(
        demo_dataset, "lead17", "team_leader", "a-long-pass-123", centers=(team["center"],), teams=(team["team"],)
    )
    try:
        out = tmp_path / "r.html"
        rc = main(
            [
                "report",
                "monthly",
                "--dataset",
                str(demo_dataset),
                "--month",
                "2026-10",
                "--user",
                "lead17",
                "--lang",
                "en",
                "--out",
                str(out),
            ]
        )
    finally:
        users.remove(demo_dataset, "lead17")
    assert rc == 0, capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    lk = lake.open_lake(demo_dataset)
    # The file names queues (not codes): its centers' queue names are in it, and no name
    # only another center's queues bear (nor any code).
    queues = lk.query("SELECT queue, center, name_en FROM queues")
    mine_q = queues[queues["center"] == team["center"]]
    others_q = queues[queues["center"] != team["center"]]
    mine, others = set(mine_q["name_en"]), set(others_q["name_en"]) - set(mine_q["name_en"])
    assert others and [q for q in mine if q in text] and not [q for q in others if q in text]  # its centers only
    assert not [q for q in queues["queue"] if re.search(rf"(?<![\w-]){re.escape(q)}(?![\w-])", text)]
    ids = set(lake.open_lake(demo_dataset).query("SELECT employee_id FROM employees")["employee_id"])
    assert not [i for i in ids if i in text]
