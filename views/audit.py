"""Audit log (administrators): read-only view of the append-only record."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import audit
from i18n import code_label
from ui.state import dataset_path, lang, scope, t
from ui.tables import table

scope().require("individuals")  # administrators only reach this page through app.py's role table
st.title(t("aud.title"))
st.caption(t("aud.caption"))
log = audit.read(dataset_path())
if log.empty:
    st.info(t("aud.empty"))
    st.stop()
c1, c2 = st.columns(2)
actions = c1.multiselect(
    t("aud.actions"),
    sorted(log["action"].dropna().unique()),
    key="aud_actions",
    placeholder=t("filters.all"),
    format_func=lambda a: code_label("audit_action", a, lang()),
)
who = c2.multiselect(
    t("aud.user"), sorted(log["user"].dropna().astype(str).unique()), key="aud_users", placeholder=t("filters.all")
)
if actions:
    log = log[log["action"].isin(actions)]
if who:
    log = log[log["user"].astype(str).isin(who)]
shown = log[["at", "user", "role", "action", "what", "scope_centers", "scope_teams"]].copy()


def _cell(v, empty: str) -> str:
    """Text as written, ``empty`` where the log holds nothing (never the word "None")."""
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("", "None", "[]"):
        return empty
    return ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


for col in ("user", "what"):
    shown[col] = [_cell(v, "—") for v in shown[col]]
for col in ("scope_centers", "scope_teams"):  # no limit recorded = every center / team
    shown[col] = [_cell(v, t("filters.all")) for v in shown[col]]
shown["role"] = [code_label("access_role", r, lang()) for r in shown["role"]]
shown["at"] = pd.to_datetime(shown["at"], utc=True, errors="coerce").dt.tz_localize(None)
table(shown, "audit_log", "audit", height=600)
