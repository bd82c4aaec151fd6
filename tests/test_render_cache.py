"""What a cached page switch reuses: figures per (builder, language, data), page-side
results per lake data version, and the frontend modules the first run asks for early."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from ui import charts, preload, state


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def test_a_figure_is_built_once_per_language_and_data(monkeypatch):
    built = []

    def build(df: pd.DataFrame) -> go.Figure:
        built.append(len(df))
        return go.Figure(go.Bar(x=df["x"], y=df["y"]))

    language = {"now": "zh"}
    monkeypatch.setattr(charts, "lang", lambda: language["now"])
    a = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    first = charts.once("test_bar", build, a)
    again = charts.once("test_bar", build, a.copy())  # equal content, another object
    assert again is first and built == [2]
    language["now"] = "en"
    charts.once("test_bar", build, a)  # the other language: its own figure
    assert built == [2, 2]
    b = pd.DataFrame({"x": ["a", "b", "c"], "y": [1, 2, 3]})
    assert list(charts.once("test_bar", build, b).data[0].y) == [1, 2, 3]
    assert built == [2, 2, 3]


def test_a_frame_too_large_to_hash_exactly_is_never_cached(monkeypatch):
    # Streamlit hashes 50,000 rows or more by a sample: two frames differing in one row
    # could share a key, so such a figure is built every time.
    monkeypatch.setattr(charts, "lang", lambda: "en")
    built = []
    big = pd.DataFrame({"y": range(50_000)})
    for _ in range(2):
        charts.once("test_big", lambda df: built.append(1) or go.Figure(), big)
    assert built == [1, 1]


def test_keyed_figures_follow_the_key_not_the_closure(monkeypatch):
    monkeypatch.setattr(charts, "lang", lambda: "en")
    built = []
    for key in (("2026-09", 1), ("2026-09", 1), ("2026-09", 2)):  # data version 1, 1, 2
        charts.keyed("test_keyed", key, lambda: built.append(1) or go.Figure())
    assert built == [1, 1]


class _Lake:
    def __init__(self, root: str = "/data/a") -> None:
        self.data_version = 1
        self.root = root


def test_page_results_are_recomputed_after_an_import_and_handed_out_as_copies(monkeypatch, tmp_path):
    monkeypatch.setattr(state, "dataset_path", lambda: tmp_path)
    monkeypatch.setattr(state.dataset_settings, "load", lambda path: "settings v1")
    calls = []

    def breakdown(lk, dim: str) -> pd.DataFrame:
        calls.append(dim)
        return pd.DataFrame({dim: ["a"], "n": [len(calls)]})

    lk = _Lake()
    first = state.per_data(breakdown, lk, "level")
    first.loc[0, "n"] = 99  # a page changing what it got changes nobody else's
    first["extra"] = 1
    assert state.per_data(breakdown, lk, "level")["n"].tolist() == [1]
    assert list(state.per_data(breakdown, lk, "level").columns) == ["level", "n"]
    assert calls == ["level"]
    summary = state.per_data(lambda lk, k: {k: [1, 2]}, lk, "levels")  # not a frame: a deep copy
    summary["levels"].append(3)
    assert state.per_data(lambda lk, k: {k: [1, 2]}, lk, "levels") == {"levels": [1, 2]}
    state.per_data(breakdown, lk, "channel")  # other arguments: computed
    assert calls == ["level", "channel"]
    lk.data_version = 2  # an import
    assert state.per_data(breakdown, lk, "level")["n"].tolist() == [3]
    monkeypatch.setattr(state.dataset_settings, "load", lambda path: "settings v2")  # a changed definition
    assert state.per_data(breakdown, lk, "level")["n"].tolist() == [4]
    other = _Lake("/data/b")  # another dataset whose lake is at the same version
    other.data_version = 2
    assert state.per_data(breakdown, other, "level")["n"].tolist() == [5]


def test_the_first_run_asks_for_modules_this_streamlit_really_has():
    # If a Streamlit release renames its chunks the preload asks for nothing (and the
    # launch is slower again): this says so.
    urls = preload._chunk_urls()
    assert [u.split("/")[-1].split(".")[0] for u in urls] == ["PlotlyChart", "DataFrame"]
    root = Path(st.__file__).parent / "static"
    assert all((root / u).is_file() for u in urls)


def test_codes_are_named_once_each_and_missing_reads_as_a_dash():
    from ui.format import names_of, text_or_missing

    asked = []

    def name(code):
        asked.append(code)
        return {"good": "良好", "poor": "较差"}.get(code, code)

    codes = pd.Series(["good", None, "poor", "good", float("nan"), "good"])
    shown = names_of(codes, name)
    assert shown.tolist() == ["良好", "—", "较差", "良好", "—", "良好"]
    assert sorted(asked) == ["good", "poor"]  # three rows of "good", one lookup
    assert names_of(pd.Series([], dtype="str"), name).tolist() == []
    assert text_or_missing(pd.Series(["王芳", "", None])).tolist() == ["王芳", "—", "—"]


def test_filter_labels_name_each_code_and_fall_back_to_the_code(monkeypatch):
    from ui import filters

    monkeypatch.setattr(filters, "lang", lambda: "zh")
    people = pd.DataFrame({"agent": ["A1", "A2", "A3"], "name": ["张伟", None, ""]}).astype("str")
    assert filters._labels(people, "agent") == {"A1": "张伟 (A1)", "A2": "A2", "A3": "A3"}
    queues = pd.DataFrame({"queue": ["Q1", "Q2"], "name_zh": ["个税", float("nan")], "name_en": ["Tax", "VAT"]})
    assert filters._labels(queues, "queue") == {"Q1": "个税 (Q1)", "Q2": "Q2"}
    monkeypatch.setattr(filters, "lang", lambda: "en")
    assert filters._labels(queues, "queue") == {"Q1": "Tax (Q1)", "Q2": "VAT (Q2)"}


def test_frames_are_keyed_by_names_types_index_and_values():
    """The cache key of a table's or a figure's frame (ui.state.FRAME_HASH): the same content
    is the same key whatever the object; any value, name, type, row order or index differs."""
    df = pd.DataFrame({"queue": ["Q1", "Q2", "Q3"], "offered": [10, 20, 30], "sl": [0.8, 0.9, None]})
    key = state._frame_digest(df)
    assert state._frame_digest(df.copy()) == key
    changed = [
        df.assign(sl=[0.8, 0.9, 0.7]),  # a missing value filled
        df.assign(offered=[10, 20, 31]),
        df.rename(columns={"sl": "answer_rate"}),
        df.astype({"offered": "float64"}),  # the same numbers as another type
        df.iloc[::-1],  # the rows in another order (index with them)
        df.iloc[::-1].reset_index(drop=True),
        df.set_index(pd.Index([5, 6, 7])),
        df.iloc[:2],
    ]
    keys = [state._frame_digest(d) for d in changed]
    assert key not in keys and len(set(keys)) == len(keys)
    s = df["offered"]
    assert state._frame_digest(s) == state._frame_digest(s.copy()) != state._frame_digest(s.rename("n"))
    # A cell pandas cannot hash (a list): still a key, from the pickled frame.
    lists = pd.DataFrame({"ids": [["a", "b"], ["c"]]})
    assert state._frame_digest(lists) == state._frame_digest(lists.copy())
    assert state._frame_digest(lists) != state._frame_digest(pd.DataFrame({"ids": [["a"], ["c"]]}))


def test_page_results_are_keyed_by_a_faithful_repr_or_by_streamlits_hash():
    """per_data keys filters, scopes and settings by their repr (cheap) only where the repr
    names every value; a frame (shortened repr) or a field left out of the repr is hashed."""
    import dataclasses
    from datetime import date

    from analytics.access import Scope
    from analytics.filters import Filters

    f = Filters(start=date(2026, 1, 1), end=date(2026, 1, 31), queues=("Q1",))
    key = state._args_key((f, Scope.everything()), {"dim": "level"})
    assert isinstance(key, str)
    assert key == state._args_key(
        (Filters(start=date(2026, 1, 1), end=date(2026, 1, 31), queues=("Q1",)), Scope.everything()), {"dim": "level"}
    )
    assert key != state._args_key((f.with_(queues=("Q2",)), Scope.everything()), {"dim": "level"})
    assert key != state._args_key((f, Scope.everything()), {"dim": "channel"})
    big = pd.DataFrame({"x": range(100)})
    assert not isinstance(state._args_key((f, big), {}), str)
    assert not isinstance(state._args_key(((f, big),), {}), str)

    @dataclasses.dataclass(frozen=True)
    class Hidden:
        shown: int
        secret: int = dataclasses.field(repr=False)

    assert not isinstance(state._args_key((Hidden(1, 2),), {}), str)


def test_a_chart_of_many_rows_keeps_the_first_in_the_given_order():
    """Above CHART_ROWS_MAX rows a chart shows the first ones by the order asked (worked by
    hand: 30 teams, poor = i mod 4, most poor first, then by name)."""
    teams = pd.DataFrame({"team": [f"T{i:03d}" for i in range(30)], "poor": [i % 4 for i in range(30)]})
    few = teams.head(25)
    assert charts.chart_rows(few, ["poor", "team"], [False, True]) is few  # 25 rows: all, as they were
    top = charts.chart_rows(teams, ["poor", "team"], [False, True])
    assert len(top) == charts.CHART_ROWS_MAX == 25
    # poor 3: 7 teams, poor 2: 7, poor 1: 8, then the first 3 of poor 0 by name
    assert top["team"].tolist()[:8] == ["T003", "T007", "T011", "T015", "T019", "T023", "T027", "T002"]
    assert top["team"].tolist()[-3:] == ["T000", "T004", "T008"]
    assert set(teams["team"]) - set(top["team"]) == {"T012", "T016", "T020", "T024", "T028"}
