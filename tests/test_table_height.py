"""A table given a fixed height keeps it only when its rows fill it: with few rows the grid
takes its rows' height (a fixed 240 px under one complaint drew empty grid lines)."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from ui import tables


@pytest.fixture
def shown(monkeypatch):
    got = {}
    monkeypatch.setattr(tables, "_prepared", lambda df, *a: (df, df, {}))
    monkeypatch.setattr(tables, "get_lake", lambda: types.SimpleNamespace(data_version=1))
    monkeypatch.setattr(tables, "settings", lambda: None)
    monkeypatch.setattr(tables, "lang", lambda: "en")
    monkeypatch.setattr(tables.st, "dataframe", lambda data, **kw: got.update(kw))
    monkeypatch.setattr(tables.st, "download_button", lambda *a, **kw: None)
    return got


@pytest.mark.parametrize(
    ("rows", "height", "expected"),
    [
        (1, 240, "auto"),  # 2 x 35 px (header and row) + 3 fits in 240
        (5, 240, "auto"),  # 6 x 35 + 3 = 213 px
        (6, 240, 240),  # 7 x 35 + 3 = 248 px: the grid scrolls inside 240
        (40, 240, 240),
        (1, "auto", "auto"),
        (3, 100, 100),  # 4 x 35 + 3 = 143 px does not fit in 100
    ],
)
def test_fixed_height_only_when_the_rows_fill_it(shown, rows, height, expected):
    tables.table(pd.DataFrame({"x": range(rows)}), "t", "k", height=height)
    assert shown["height"] == expected
