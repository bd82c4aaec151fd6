"""Fetch the browser's chart and table code while the first run is still on the server.

Streamlit's frontend loads the code of an element kind (Plotly: a 4.7 MB module; the data
grid: 1.3 MB with its Arrow helpers) only when the first element of that kind arrives, at
the end of the first page's run, and the page's main area is drawn only once it is loaded
and evaluated (1.5–3 s of the browser's time on this 2-core machine). The session's first
run therefore asks for those modules first of all, before the server imports pandas and
runs the page's queries, so both happen at once. The modules are the frontend's own files
(same URLs), so the frontend finds them already loaded; when a Streamlit release renames
them, nothing is asked for and the page only loads as it did before."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

# The frontend chunks of the elements every first page draws: Plotly charts, data grids.
_CHUNKS = ("PlotlyChart", "DataFrame")
_DONE = "_frontend_preloaded"


@cache
def _chunk_urls() -> tuple[str, ...]:
    """The chunks' paths under the app's root, as this Streamlit's build names them."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = []
    for name in _CHUNKS:
        files = sorted(folder.glob(f"{name}.*.js"))
        if len(files) == 1:  # one build's file, never a guess between two
            found.append(f"static/js/{files[0].name}")
    return tuple(found)


def preload_frontend() -> None:
    """On the session's first run only: a hidden script in the sidebar that imports the
    chart and table modules (relative to the app's root, so a base URL path works)."""
    if st.session_state.get(_DONE):
        return
    st.session_state[_DONE] = True
    urls = _chunk_urls()
    if not urls:
        return
    script = (
        "<script>(() => { const root = new URL('.', document.baseURI);"
        f" for (const u of {json.dumps(list(urls))}) import(new URL(u, root).href).catch(() => {{}}); }})();</script>"
    )
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)
