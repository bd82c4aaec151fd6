"""The lake: atomic batches, the ledger, local-month partitions, rollups against raw, lock-down."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import pandas.testing as pdt
import pytest

from analytics import calls, lake, schema
from analytics.access import Scope
from analytics.filters import Filters
from analytics.ingest.batch import TMP_PREFIX, local_months, read_ledger, remove_stale_temporaries, write_batch
from analytics.metrics import ServiceSettings
from tests.conftest import frame


def test_local_month_is_the_centers_month():
    df = pd.DataFrame(
        {
            "center": ["SH", "SH", "LON"],
            "arrived_at": pd.to_datetime(
                [
                    "2026-01-31T16:30:00Z",  # 00:30 on 1 February in Shanghai (UTC+8)
                    "2026-01-31T15:59:00Z",  # 23:59 on 31 January in Shanghai
                    "2026-01-31T16:30:00Z",
                ],  # 16:30 on 31 January in London
                utc=True,
            ),
        }
    )
    months = local_months(df, schema.CALLS, {"SH": "Asia/Shanghai", "LON": "Europe/London"})
    assert months.tolist() == ["2026-02", "2026-01", "2026-01"]


def test_unknown_center_is_a_clear_error():
    df = pd.DataFrame({"center": ["XX"], "arrived_at": pd.to_datetime(["2026-01-01T00:00:00Z"], utc=True)})
    with pytest.raises(ValueError, match="center 'XX' is not in the centers table"):
        local_months(df, schema.CALLS, {})


def _centers():
    return frame("centers", [{"center": "C1", "timezone": "Asia/Shanghai"}])


def test_batch_is_atomic_idempotent_and_in_the_ledger(tmp_path):
    r1 = write_batch(tmp_path, "centers", _centers(), source="centers.csv")
    again = write_batch(tmp_path, "centers", _centers(), source="centers.csv")
    assert again.skipped_as_duplicate and again.batch_id == r1.batch_id
    batches = list((tmp_path / "centers").glob("batch=*"))
    assert len(batches) == 1
    manifest = json.loads((batches[0] / "_batch.json").read_text())
    assert manifest["rows_accepted"] == 1 and manifest["source"] == "centers.csv"
    ledger = read_ledger(tmp_path)
    assert ledger[["table", "rows_accepted"]].values.tolist() == [["centers", 1]]


def test_a_crashed_batch_leaves_nothing_visible(tmp_path):
    # A half-written batch is a temporary folder: readers never see it, the next import removes it.
    write_batch(tmp_path, "centers", _centers(), source="c")
    half = tmp_path / "centers" / f"{TMP_PREFIX}20260101-crashed"
    half.mkdir()
    pd.DataFrame({"center": ["GHOST"], "timezone": ["UTC"]}).to_parquet(half / "part-0.parquet")
    lk = lake.Lake(tmp_path)
    assert lk.query("SELECT center FROM centers")["center"].tolist() == ["C1"]
    assert remove_stale_temporaries(tmp_path) == 1 and not half.exists()


def test_newest_batch_wins_for_reference_tables(tmp_path):
    write_batch(tmp_path, "centers", _centers(), source="v1")
    renamed = frame("centers", [{"center": "C1", "name_en": "Renamed", "timezone": "Asia/Shanghai"}])
    write_batch(tmp_path, "centers", renamed, source="v2")
    lk = lake.Lake(tmp_path)
    assert lk.query("SELECT center, name_en FROM centers").values.tolist() == [["C1", "Renamed"]]


def test_a_reference_table_held_in_memory_follows_a_new_batch(tmp_path):
    """centers is copied into the connection (IN_MEMORY_TABLES): an open lake sees the next
    export after a refresh, and a refresh that changed other tables keeps the copy."""
    assert "centers" in lake.IN_MEMORY_TABLES
    write_batch(tmp_path, "centers", _centers(), source="v1")
    lk = lake.Lake(tmp_path)
    assert lk.query("SELECT name_en FROM centers")["name_en"].isna().all()
    renamed = frame("centers", [{"center": "C1", "name_en": "Renamed", "timezone": "Asia/Shanghai"}])
    write_batch(tmp_path, "centers", renamed, source="v2")
    assert lk.refresh()
    assert lk.query("SELECT center, name_en FROM centers").values.tolist() == [["C1", "Renamed"]]
    copied = lk._in_memory["centers"]
    write_batch(
        tmp_path,
        "employees",
        frame(
            "employees", [{"employee_id": "A1", "name": "甲", "center": "C1", "role": "csr", "hire_date": "2024-01-01"}]
        ),
        source="e",
    )
    assert lk.refresh() and lk._in_memory["centers"] is copied  # not copied again
    assert lk.query("SELECT count(*) AS n FROM employees")["n"].iloc[0] == 1


def test_empty_dataset_has_typed_empty_views(tmp_path):
    lk = lake.Lake(tmp_path)
    assert lk.count("calls") == 0
    assert str(lk.query("SELECT arrived_at FROM calls").dtypes.iloc[0]).startswith("datetime64")


def test_connection_is_locked_to_the_dataset(tmp_path, demo_dataset):
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n")
    lk = lake.open_lake(demo_dataset)
    with pytest.raises(duckdb.Error):
        lk.query("SELECT * FROM read_csv(?)", [str(outside)])
    with pytest.raises(duckdb.Error):
        lk.query("SET enable_external_access = true")
    assert lk.count("calls") > 0  # while the dataset itself reads fine


@pytest.mark.parametrize(
    "by",
    [
        ("day",),
        ("interval15", "queue"),
        ("week", "center"),
        ("month",),
        ("team",),
        ("agent",),
        ("weekday", "hour_of_day"),
        ("queue",),
    ],
)
def test_rollups_and_raw_calls_give_the_same_numbers(demo_dataset, monkeypatch, by):
    lk = lake.open_lake(demo_dataset)
    f = Filters(start=date(2026, 9, 28), end=date(2026, 10, 11))  # across a month edge and 国庆
    s = ServiceSettings()
    from_rollups = calls.metrics(lk, f, Scope.everything(), by, s)
    monkeypatch.setattr(calls, "_uses_rollups", lambda *a: False)
    lk.clear_cache()  # the finished tables are cached; the raw path must really run
    from_raw = calls.metrics(lk, f, Scope.everything(), by, s)
    assert len(from_rollups) > 0
    pdt.assert_frame_equal(from_rollups, from_raw, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize("by", [(), ("day",), ("week", "center"), ("queue",)])
def test_day_rollup_agrees_with_intervals_and_is_derived_when_missing(demo_dataset, monkeypatch, by):
    """Totals, days, weeks and queues read the queue_day rollup; a dataset written before it
    existed sums queue_interval on the fly. Both must equal the interval sums."""
    lk = lake.Lake(demo_dataset)
    f = Filters(start=date(2026, 9, 28), end=date(2026, 10, 11))
    s = ServiceSettings()
    stored = calls.metrics(lk, f, Scope.everything(), by, s)
    sql, _ = calls._queue_sums_sql(lk, f, Scope.everything(), by, s)
    assert "FROM qd" in sql
    real = lk.has_rollups
    monkeypatch.setattr(
        lk,
        "has_rollups",
        lambda rollups=lake.BASE_ROLLUPS: False if tuple(rollups) == ("queue_day",) else real(rollups),
    )
    lk.clear_cache()
    derived = calls.metrics(lk, f, Scope.everything(), by, s)
    assert len(stored) > 0
    pdt.assert_frame_equal(stored, derived, check_dtype=False, rtol=1e-9)
    # and the day sums are the interval sums: offered over the period from the intervals
    n = lk.query(
        "SELECT sum(offered) AS n FROM rollup_queue_interval WHERE day BETWEEN $a AND $b AND direction = 'inbound'",
        {"a": f.start, "b": f.end},
    )["n"].iloc[0]
    assert int(stored["offered"].sum()) == int(n)


def test_data_period_from_the_day_rollup_equals_the_calls(demo_dataset):
    """The sidebar's first and last day come from the edge months of the day rollup; they
    must be the first and last local day that has a call."""
    lk = lake.Lake(demo_dataset)
    got = calls.filter_options(lk, Scope.everything())
    truth = lk.query(
        "SELECT min(CAST(timezone(z.timezone, arrived_at) AS DATE)) AS a, "
        "max(CAST(timezone(z.timezone, arrived_at) AS DATE)) AS b FROM calls JOIN centers z USING (center)"
    )
    assert (got["first_day"], got["last_day"]) == (truth["a"].iloc[0].date(), truth["b"].iloc[0].date())


def test_refresh_lists_batch_folders_only_when_a_table_folder_changed(tmp_path, monkeypatch):
    """A page asks for the lake several times a run: the refresh stats the table folders and
    lists their batches again only when one moved, and still notices a batch committed
    without being published (an interrupted import) on an open lake."""
    from tests.conftest import build_dataset

    one_call = {
        "call_id": "K1",
        "queue": "Q1",
        "center": "C1",
        "direction": "inbound",
        "arrived_at": "2026-10-05 02:00:00",
        "answered_at": "2026-10-05 02:00:05",
        "ended_at": "2026-10-05 02:05:00",
        "agent_id": "A1",
        "talk_s": 280.0,
    }
    root = build_dataset(tmp_path / "ds", calls=[one_call])
    lk = lake.Lake(root)
    listed = []
    real = lake.committed_batches
    monkeypatch.setattr(lake, "committed_batches", lambda r: listed.append(r) or real(r))
    assert lk.refresh() is False and lk.refresh() is False and listed == []
    write_batch(root, "centers", _centers(), source="committed, never published")
    assert lk.refresh() is True and len(listed) == 2  # the signature's, then the views' rebuild
    assert list(lk.unpublished) == ["centers"]
    assert lk.refresh() is False and len(listed) == 2


def test_cached_frames_are_sized_as_pandas_measures_them():
    """The cache's byte bound counts a frame as pandas' deep memory_usage does, for every
    kind of column a query or a derived frame gives (numbers, dates with and without a zone,
    strings, codes, nullable integers, Python objects, a string index)."""
    n = 50
    df = pd.DataFrame(
        {
            "i": range(n),
            "f": [0.5] * n,
            "b": [True, False] * (n // 2),
            "day": pd.date_range("2026-01-01", periods=n),
            "at": pd.date_range("2026-01-01", periods=n, freq="h", tz="Asia/Shanghai"),
            "queue": [f"Q{i:03d}" for i in range(n)],
            "code": pd.Categorical(["a", "b"] * (n // 2)),
            "count": pd.array([1, None] * (n // 2), dtype="Int64"),
            "reasons": pd.Series([["aht_long", "new_agent"]] * n, dtype=object),
        }
    )
    assert lake.frame_nbytes(df) == df.memory_usage(index=True, deep=True).sum()
    by_queue = df.set_index("queue")
    assert lake.frame_nbytes(by_queue) == by_queue.memory_usage(index=True, deep=True).sum()
    assert lake.frame_nbytes(df.iloc[:0]) == df.iloc[:0].memory_usage(index=True, deep=True).sum()
