"""Session-wide things: the language, the dataset connection, the settings."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import pickle
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics import lake, metrics
from analytics import settings as dataset_settings
from analytics.access import Scope
from i18n import DEFAULT_LANG, LANGS, translate


def _frame_digest(obj: pd.DataFrame | pd.Series) -> tuple:
    """A frame's content for a cache key: names, dtypes, index and values. Streamlit's own
    hashing of a frame (the same row hashes, plus a hash of the dtypes as a Series) cost
    ~2 ms for a 400-row table, ~3x this, and a cached rerun hashes every table and chart
    frame it shows again: a fifth of a cached service-level rerun at 52 M calls."""
    try:
        rows = pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes()
    except TypeError:  # a cell pandas cannot hash (a list): the pickled frame
        rows = pickle.dumps(obj, protocol=5)
    if isinstance(obj, pd.Series):
        names, dtypes = (repr(obj.name),), (str(obj.dtype),)
    else:
        names, dtypes = tuple(map(repr, obj.columns)), tuple(map(str, obj.dtypes))
    return (type(obj).__name__, names, dtypes, len(obj), hashlib.blake2b(rows, digest_size=16).digest())


# hash_funcs for the st.cache_* functions whose arguments hold frames (tables, figures).
FRAME_HASH = {pd.DataFrame: _frame_digest, pd.Series: _frame_digest}


def lang() -> str:
    if "lang" not in st.session_state:
        q = st.query_params.get("lang")
        st.session_state["lang"] = q if q in LANGS else DEFAULT_LANG
    return st.session_state["lang"]


def t(key: str, **values) -> str:
    return translate(key, lang(), **values)


def seed_choice(key: str, options, *wanted) -> None:
    """Set the keyed selectbox ``key``'s value before it is drawn: the session's choice while
    it is still one of ``options``, else the first of ``wanted`` that is, else the first
    option. A selectbox left to keep its own value kept its displayed label too: after a
    switch of language the browser went on showing the chosen option in the old language."""
    options = list(options)
    for value in (st.session_state.get(key), *wanted):
        if value in options:
            st.session_state[key] = value
            return
    if options:
        st.session_state[key] = options[0]


def dataset_path() -> Path:
    return lake.default_dataset()


@st.cache_resource(show_spinner=False)
def _open(path: str) -> lake.Lake:
    return lake.open_lake(path)


def get_lake() -> lake.Lake:
    lk = _open(str(dataset_path().resolve()))
    lk.refresh()
    return lk


# A page's pandas work on the lake's cached tables (the quality worklist, complaint
# breakdowns) ran again on every rerun, a third of a cached quality page. Keyed by the lake's
# data version and the dataset's settings, so an import or a changed definition recomputes;
# a copy each time, so a page may change what it gets: a frame's shallow copy (pandas'
# copy-on-write keeps the kept one unchanged), anything else a deep copy. st.cache_data made
# that copy by unpickling the result on every hit, a seventh of a cached complaints rerun.
@st.cache_resource(show_spinner=False, max_entries=500, hash_funcs=FRAME_HASH)
def _per_data(name: str, root: str, version: int, settings_key: str, args, _args: tuple, _kwargs: dict, _fn, _lk):
    return _fn(_lk, *_args, **_kwargs)


# Arguments keyed by their repr: the pages pass filters, scopes and settings (dataclasses whose
# repr names every field), codes and numbers; Streamlit's hashing of those dataclasses was a
# third of per_data's cost on a cached rerun. Anything else is hashed by Streamlit as before.
_REPR_KEYED = (str, int, float, bool, type(None), date)


def _repr_is_faithful(v) -> bool:
    """Whether ``repr(v)`` tells ``v`` from every other value (never a frame's shortened repr)."""
    if isinstance(v, _REPR_KEYED):
        return True
    if isinstance(v, tuple | list | frozenset):
        return all(_repr_is_faithful(x) for x in v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        # a field left out of the repr would be left out of the key
        return all(f.repr and _repr_is_faithful(getattr(v, f.name)) for f in dataclasses.fields(v))
    return False


def _args_key(args: tuple, kwargs: dict):
    if _repr_is_faithful((*args, *kwargs.values())):
        return repr((args, sorted(kwargs.items())))
    return (args, kwargs)


def per_data(fn, lk: lake.Lake, *args, **kwargs):
    """``fn(lk, *args, **kwargs)`` once per dataset, data version, settings and (hashed)
    arguments (the version is a counter per lake: the dataset's folder tells lakes apart)."""
    key = repr(dataset_settings.load(dataset_path()))
    name = f"{fn.__module__}.{fn.__qualname__}"
    out = _per_data(name, str(lk.root), lk.data_version, key, _args_key(args, kwargs), args, kwargs, fn, lk)
    return out.copy(deep=False) if isinstance(out, pd.DataFrame | pd.Series) else copy.deepcopy(out)


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


# URL parameters in one fixed order. Streamlit sends every change of st.query_params to the
# browser, which pushes a history entry when the query string differs from the address bar
# (frontend: handlePageInfoChanged). A sidebar page move arrives with an empty query string,
# so the app writes the parameters back: written piecemeal or in another order, each write
# left an entry behind and the back button stepped onto half-written URLs (which the app
# then rewrote: a back button that never leaves). Written once, in this order, the string
# equals the address bar's and nothing extra is pushed.
URL_ORDER = ("lang", "as", "as_center", "as_team", "from", "to", "center", "queue", "team", "agent", "grain")
_URL_PENDING = "_url_pending"


def want_in_url(params: dict[str, str | None]) -> None:
    """Note URL parameters to set (None: remove) at the next ``write_url``."""
    st.session_state.setdefault(_URL_PENDING, {}).update(params)


def write_url() -> None:
    """Write the noted parameters in one message, and only when the URL would change."""
    pending = st.session_state.pop(_URL_PENDING, {})
    current = st.query_params.to_dict()
    merged = {k: v for k, v in {**current, **pending}.items() if v is not None}
    ordered = {k: merged[k] for k in URL_ORDER if k in merged}
    ordered.update({k: v for k, v in merged.items() if k not in ordered})
    if list(ordered.items()) != list(current.items()):
        st.query_params.from_dict(ordered)
