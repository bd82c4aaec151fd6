"""Audit log (administrators): read-only view of the append-only record."""

from __future__ import annotations

import streamlit as st

from analytics import audit
from ui.state import dataset_path, scope, t
from ui.tables import table

scope().require("individuals")  # administrators only reach this page through app.py's role table
st.title(t("aud.title"))
st.caption(t("aud.caption"))
log = audit.read(dataset_path())
if log.empty:
    st.info(t("aud.empty"))
    st.stop()
c1, c2 = st.columns(2)
actions = c1.multiselect(t("aud.actions"), sorted(log["action"].dropna().unique()), key="aud_actions",
                         placeholder=t("filters.all"))
who = c2.multiselect(t("aud.user"), sorted(log["user"].dropna().astype(str).unique()), key="aud_users",
                     placeholder=t("filters.all"))
if actions:
    log = log[log["action"].isin(actions)]
if who:
    log = log[log["user"].astype(str).isin(who)]
shown = log[["at", "user", "role", "action", "what", "scope_centers", "scope_teams"]].astype("str")
table(shown, "audit_log", "audit", height=600)
