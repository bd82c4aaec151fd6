"""Session-wide things: the language, the dataset connection, the settings."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analytics import lake, metrics
from analytics.access import Scope
from i18n import DEFAULT_LANG, LANGS, translate


def lang() -> str:
    if "lang" not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state["lang"] = q if q in LANGS else DEFAULT_LANG
    return st.session_state["lang"]


def t(key: str, **values) -> str:
    return translate(key, lang(), **values)


def dataset_path() -> Path:
    return lake.default_dataset()


@st.cache_resource(show_spinner=False)
def _open(path: str) -> lake.Lake:
    return lake.open_lake(path)


def get_lake() -> lake.Lake:
    lk = _open(str(dataset_path().resolve()))
    lk.refresh()
    return lk


def settings() -> metrics.ServiceSettings:
    return metrics.load_settings(dataset_path())


def scope() -> Scope:
    """The signed-in user's scope, set by app.py's sign-in on every run. A page run any
    other way sees everything only on the demo dataset."""
    current = st.session_state.get("scope")
    if current is not None:
        return current
    if is_demo():
        return Scope.everything()
    st.error(t("auth.required"))
    st.stop()


def is_demo() -> bool:
    return lake.dataset_info(dataset_path()).get("kind") == "demo"
