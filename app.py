"""Entry point: page config, language, the demo dataset on first start, navigation."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from analytics import lake
from ui.i18n import LANGS
from ui.state import dataset_path, is_demo, lang, t

st.set_page_config(page_title="Call-center analytics", page_icon=":material/support_agent:", layout="wide")

_generate_lock = threading.Lock()


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
    pages = {
        t("nav.operations"): [
            st.Page("views/service_level.py", title=t("page.service_level"), icon=":material/call:",
                    url_path="service_level", default=True),
            st.Page("views/handle_time.py", title=t("page.handle_time"), icon=":material/timer:",
                    url_path="handle_time"),
        ],
        t("nav.reference"): [
            st.Page("views/definitions.py", title=t("page.definitions"), icon=":material/menu_book:",
                    url_path="definitions"),
        ],
    }
    st.navigation(pages).run()
