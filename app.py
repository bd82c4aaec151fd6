"""Entry point: page config, language, the demo dataset on first start, navigation."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from analytics import lake
from i18n import LANGS
from ui.state import dataset_path, is_demo, lang, t

st.set_page_config(page_title="Call-center analytics", page_icon=":material/support_agent:", layout="wide")

_generate_lock = threading.Lock()

# (navigation section, script, title key, icon, URL path) — the app's pages in order.
PAGES = (
    ("nav.operations", "views/service_level.py", "page.service_level", ":material/call:", "service_level"),
    ("nav.operations", "views/handle_time.py", "page.handle_time", ":material/timer:", "handle_time"),
    ("nav.operations", "views/staffing.py", "page.staffing", ":material/groups:", "staffing"),
    ("nav.operations", "views/complaints.py", "page.complaints", ":material/report:", "complaints"),
    ("nav.management", "views/monthly_review.py", "page.monthly_review", ":material/summarize:", "monthly_review"),
    ("nav.admin", "views/data.py", "page.data", ":material/database:", "data"),
    ("nav.reference", "views/definitions.py", "page.definitions", ":material/menu_book:", "definitions"),
)


def _folder_is_empty(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


def ensure_dataset() -> bool:
    """On the very first start (no dataset folder yet) generate the demo with a progress bar."""
    path = dataset_path()
    if lake.has_dataset(path):
        return True
    if not _folder_is_empty(path):
        st.warning(t("dataset.missing", path=str(path)))
        return False
    with _generate_lock:
        if lake.has_dataset(path):  # another session finished it while we waited
            return True
        from analytics.commands.demo import build_demo

        bar = st.progress(0.0, text=t("demo.generating"))
        build_demo(path, scale=os.environ.get("CALLCENTER_DEMO_SCALE", "default"),
                   progress=lambda f, msg: bar.progress(min(1.0, f), text=f"{t('demo.generating')} {msg}"))
        bar.empty()
        st.toast(t("demo.done"))
    return True


with st.sidebar:
    choice = st.segmented_control(
        t("lang.label"), LANGS, default=lang(), key="lang_switch",
        format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    if choice and choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice
        st.rerun()

if ensure_dataset():
    if is_demo():
        st.sidebar.badge(t("demo.badge"), icon=":material/science:", color="violet")
    sections: dict[str, list] = {}
    for section, script, title, icon, url_path in PAGES:
        sections.setdefault(t(section), []).append(
            st.Page(script, title=t(title), icon=icon, url_path=url_path, default=url_path == "service_level"))
    st.navigation(sections).run()
