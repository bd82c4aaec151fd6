"""The audit log: an append-only record of sensitive actions.

Sign-ins, views of individual risk scores and HR records, exports and downloads,
imports, and changes of targets or users. One JSON line per event in
``<dataset>/_audit/audit-YYYY-MM.jsonl``; the app offers no way to edit it, and the
reader only reads.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from analytics.access import Scope

ACTIONS = ("sign_in", "sign_in_failed", "sign_out", "view_risk_scores", "view_hr_records", "export",
           "import", "change_targets", "change_users", "change_settings")

_lock = threading.Lock()


def record(dataset: Path, action: str, what: str, scope: Scope | None = None, user: str | None = None,
           **details) -> None:
    """Append one event. ``what`` says what was seen or changed (e.g. 'risk list, 42 people')."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    now = datetime.now(timezone.utc)
    event = {"at": now.isoformat(), "user": user or (scope.user if scope else None),
             "role": scope.role if scope else None, "action": action, "what": what,
             "scope_centers": list(scope.centers) if scope and scope.centers else None,
             "scope_teams": list(scope.teams) if scope and scope.teams else None, **details}
    folder = Path(dataset) / "_audit"
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
    with _lock:
        # O_APPEND: each write lands at the end, even with several processes writing.
        fd = os.open(folder / f"audit-{now:%Y-%m}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read(dataset: Path) -> pd.DataFrame:
    """Every event, newest first."""
    rows = []
    for f in sorted((Path(dataset) / "_audit").glob("audit-*.jsonl")):
        with open(f, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    cols = ["at", "user", "role", "action", "what", "scope_centers", "scope_teams"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    return df[cols + [c for c in df.columns if c not in cols]].sort_values("at", ascending=False, ignore_index=True)
