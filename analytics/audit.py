"""The audit log: an append-only, hash-chained record of sensitive actions.

Sign-ins (and refused or locked-out ones), views of individual risk scores and HR
records, exports and downloads, reports made from the command line, imports
(committed, refused, failed), and changes of targets, users or settings. One JSON line
per event in ``<dataset>/_audit/audit-YYYY-MM.jsonl``; the app offers no way to edit it.

The chain: every line carries ``prev``, the SHA-256 of the whole previous line (across
monthly files; zeros for the first), and ``hash``, the SHA-256 of its own text without
the hash field. Editing a line breaks its own hash or, if the editor recomputes it, the
next line's ``prev``; deleting a line breaks the next line's ``prev``. ``_audit/head.json``
keeps the count and the last hash, so cutting lines off the end shows too. ``verify``
(``python -m analytics audit verify``, and ``backup check``) walks the chain. Lines
written before the chain existed (no ``hash``) are accepted only at the very start.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analytics.access import Scope

# audit.record action names. view_hr_records: one person's HR record opened (careers and
# attrition pages, say the person in ``what``); report: a report made from the command line.
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_locked",
    "sign_out",
    "unlock_user",
    "view_risk_scores",
    "view_hr_records",
    "export",
    "report",
    "import",
    "import_refused",
    "import_failed",
    "change_targets",
    "change_users",
    "change_settings",
)

FOLDER = "_audit"
HEAD = "head.json"
ZERO = "0" * 64
_HASH_SUFFIX_LEN = len(', "hash": "') + 64 + len('"}')
_lock = threading.Lock()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _files(dataset: Path) -> list[Path]:
    return sorted((Path(dataset) / FOLDER).glob("audit-*.jsonl"))


def _last_line(files: list[Path]) -> str | None:
    """The last line of the newest non-empty file (read from its end)."""
    for f in reversed(files):
        with open(f, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            block = 1 << 16
            while True:
                start = max(0, size - block)
                fh.seek(start)
                tail = fh.read(size - start)
                lines = [x for x in tail.split(b"\n") if x.strip()]
                if lines and (start == 0 or len(lines) > 1):
                    return lines[-1].decode("utf-8")
                if start == 0:
                    break
                block *= 4
    return None


def _read_head(folder: Path) -> dict:
    try:
        return json.loads((folder / HEAD).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def record(
    dataset: Path, action: str, what: str, scope: Scope | None = None, user: str | None = None, **details
) -> None:
    """Append one event. ``what`` says what was seen or changed (e.g. 'risk list, 42 people')."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = datetime.now(UTC)
    event = {
        "at": now.isoformat(),
        "user": user or (scope.user if scope else None),
        "role": scope.role if scope else None,
        "action": action,
        "what": what,
        "scope_centers": list(scope.centers) if scope and scope.centers else None,
        "scope_teams": list(scope.teams) if scope and scope.teams else None,
        **{k: v for k, v in details.items() if k not in ("prev", "hash")},
    }
    folder = Path(dataset) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with _lock:
        # One writer at a time across processes too: the chain needs the previous line.
        lock_fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            last = _last_line(_files(dataset))
            event["prev"] = _sha(last) if last is not None else ZERO
            body = json.dumps(event, ensure_ascii=False, default=str)
            line = body[:-1] + f', "hash": "{_sha(body)}"}}'
            fd = os.open(folder / f"audit-{now:%Y-%m}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            head = _read_head(folder)
            tmp = folder / (HEAD + ".tmp")
            tmp.write_text(json.dumps({"lines": int(head.get("lines", 0)) + 1, "last": _sha(line)}), encoding="utf-8")
            os.replace(tmp, folder / HEAD)
        finally:
            os.close(lock_fd)


def verify(dataset: Path) -> list[str]:
    """Problems of the chain (empty when every line is intact and none is missing)."""
    problems: list[str] = []
    prev_line: str | None = None
    chained = 0
    legacy_allowed = True
    for f in _files(dataset):
        with open(f, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, start=1):
                line = raw.rstrip("\n")
                if not line.strip():
                    continue
                where = f"{f.relative_to(Path(dataset))}:{n}"
                try:
                    event = json.loads(line)
                except ValueError:
                    problems.append(f"{where}: not a JSON line (edited or damaged)")
                    prev_line = line
                    continue
                if "hash" not in event:
                    if not legacy_allowed:
                        problems.append(f"{where}: a line without a hash inside the chain (inserted or edited)")
                    prev_line = line
                    continue
                legacy_allowed = False
                chained += 1
                body = line[:-_HASH_SUFFIX_LEN] + "}"
                if _sha(body) != event["hash"] or not line.endswith(f', "hash": "{event["hash"]}"}}'):
                    problems.append(f"{where}: its content does not match its hash (the line was edited)")
                expected = _sha(prev_line) if prev_line is not None else ZERO
                if event.get("prev") != expected:
                    problems.append(
                        f"{where}: does not follow the line before it (a line before it was edited or deleted)"
                    )
                prev_line = line
    head = _read_head(Path(dataset) / FOLDER)
    if head:
        if int(head.get("lines", 0)) > chained:
            problems.append(
                f"{FOLDER}/{HEAD}: {head['lines']} chained lines were written, {chained} are left (lines were deleted)"
            )
        elif prev_line is not None and head.get("last") != _sha(prev_line) and int(head.get("lines", 0)) == chained:
            problems.append(f"{FOLDER}/{HEAD}: the last line is not the one last written (it was edited)")
    elif chained:
        problems.append(f"{FOLDER}/{HEAD} is missing")
    return problems


def read(dataset: Path) -> pd.DataFrame:
    """Every event, newest first (without the chain's fields)."""
    rows = []
    for f in _files(dataset):
        with open(f, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    cols = ["at", "user", "role", "action", "what", "scope_centers", "scope_teams"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows).drop(columns=["prev", "hash"], errors="ignore")
    for c in cols:
        if c not in df.columns:
            df[c] = None
    return df[cols + [c for c in df.columns if c not in cols]].sort_values("at", ascending=False, ignore_index=True)
