"""DuckDB and Spark give equal rollups and equal metrics from the same lake.

Spark runs in local mode (pyspark from requirements-spark.txt, Java 17). Locally the Spark
tests skip with a message when either is missing; under CI (CI=true) that is a failure.
Equal means: the same rows (sorted by their keys), counts exactly, sums and means within
1e-9 relative. A hand-made New York dataset covers both DST changes, a month and a week
boundary in local time, and a tie for an agent's main queue; the expected local buckets
are written here by hand, so an engine agreeing with the other on a wrong bucket fails too.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analytics import engines, lake, schema
from analytics.__main__ import main
from analytics.metrics import SL_FORMULAS
from tests.conftest import build_dataset

REL = 1e-9


def _spark_missing() -> str | None:
    try:
        engines.require("spark")
    except engines.EngineUnavailable as e:
        return str(e)
    return None


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the file: UTC session time, no UI, few shuffle partitions."""
    why = _spark_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Spark parity test: {why}")
        pytest.skip(why)
    from analytics.engines import spark as spark_engine

    session = spark_engine.session("local[2]")
    assert session.conf.get("spark.sql.session.timeZone") == "UTC"
    # Test data is tiny: compiling whole-stage Java for 60-column aggregates costs more
    # than running them interpreted.
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    session.conf.set("spark.sql.shuffle.partitions", "1")
    # and re-planning each stage (adaptive execution) costs more than it saves on them.
    session.conf.set("spark.sql.adaptive.enabled", "false")
    yield session
    spark_engine.stop()


# --- comparing frames -----------------------------------------------------------------


def _key_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or c in ("bin_s",)]


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    assert list(a.columns) == list(b.columns), what
    assert len(a) == len(b), f"{what}: {len(a)} rows vs {len(b)}"
    keys = _key_columns(a)
    a = a.sort_values(keys, ignore_index=True)
    b = b.sort_values(keys, ignore_index=True)
    for c in a.columns:
        x, y = a[c], b[c]
        assert (x.isna() == y.isna()).all(), f"{what}.{c}: NULLs differ"
        x, y = x[x.notna()], y[y.notna()]
        if pd.api.types.is_integer_dtype(x) or c in keys or not pd.api.types.is_numeric_dtype(x):
            assert x.tolist() == y.tolist(), f"{what}.{c} differs"
        else:
            xs, ys = x.astype("float64").tolist(), y.astype("float64").tolist()
            bad = [(u, v) for u, v in zip(xs, ys) if not math.isclose(u, v, rel_tol=REL, abs_tol=0)]
            assert not bad, f"{what}.{c}: {len(bad)} values differ, e.g. {bad[:3]}"


def _rollup_frames(root: Path, months: list[str]) -> dict[str, pd.DataFrame]:
    out = {}
    published = lake.read_published(root)["rollups"]  # the files readers see after the rebuild
    # The staffing month (analytics.coverage_month) is computed from the rollups either engine
    # wrote: it is built after them on both paths and must agree as they do.
    for r in lake.ROLLUPS + tuple(r for r in lake.COVERAGE_ROLLUPS if r in published):
        parts = [pq.read_table(root / published[r][m]) for m in months if m in published[r]]
        assert all(p.schema == parts[0].schema for p in parts)
        out[r] = pd.concat([p.to_pandas() for p in parts], ignore_index=True)
        out[r + ".schema"] = parts[0].schema
    return out


def _build_both(src: Path, tmp: Path, months: list[str]) -> tuple[dict, dict]:
    duck, spark_dir = tmp / "duckdb", tmp / "spark"
    for d in (duck, spark_dir):
        shutil.copytree(src, d, ignore=shutil.ignore_patterns("_rollups"))
    assert engines.rebuild_rollups(duck, months, engine="duckdb") == months
    assert engines.rebuild_rollups(spark_dir, months, engine="spark") == months
    return _rollup_frames(duck, months), _rollup_frames(spark_dir, months)


# The precomputed projection is left out: it assigns each agent to their most staffed queue
# of the month, whose ties (equal seconds in two queues, as in the DST data) the agents
# query breaks in no fixed order whichever engine built the rollups; its inputs (the month's
# load and profile) and the model check are compared.
_PER_QUEUE_TIES = ("coverage_projection",)


def _assert_rollups_equal(d: dict, s: dict) -> None:
    assert set(d) == set(s)
    for r in lake.ROLLUPS + tuple(r for r in lake.COVERAGE_ROLLUPS if r in d and r not in _PER_QUEUE_TIES):
        # The same Parquet schema, so a lake with months from both engines reads as one table.
        assert d[r + ".schema"] == s[r + ".schema"], r
        assert len(d[r]) > 0, r
        assert_frames_equal(d[r], s[r], r)


# --- a New York dataset across both DST changes -----------------------------------------


def utc(*a) -> datetime:
    return datetime(*a, tzinfo=UTC)


def _call(i, arrived, *, wait=10, answered=True, agent="A1", talk=100.0, queue="Q1"):
    return {
        "call_id": f"ny{i}",
        "queue": queue,
        "center": "NY",
        "direction": "inbound",
        "arrived_at": arrived,
        "answered_at": arrived + timedelta(seconds=wait) if answered else None,
        "ended_at": arrived + timedelta(seconds=wait + (talk if answered else 0)),
        "agent_id": agent if answered else None,
        "talk_s": talk if answered else None,
        "hold_s": 5.0 if answered else None,
        "acw_s": 20.5 if answered else None,
        "category": "common",
        "transferred": i % 3 == 0,
    }


# Each call's local (America/New_York) 15-minute bucket, worked out by hand.
NY_CALLS = [
    # 2026-03-08: clocks jump from 02:00 EST (UTC-5) to 03:00 EDT (UTC-4).
    (utc(2026, 3, 8, 6, 59, 30), "2026-03-08 01:45"),  # 01:59:30 EST, the last minute before the jump
    (utc(2026, 3, 8, 7, 0, 10), "2026-03-08 03:00"),  # 03:00:10 EDT, one minute later in real time
    (utc(2026, 3, 8, 4, 50), "2026-03-07 23:45"),  # 23:50 EST the evening before: Saturday
    (utc(2026, 3, 9, 3, 30), "2026-03-08 23:30"),  # 23:30 EDT Sunday, though Monday in UTC
    (utc(2026, 4, 1, 3, 30), "2026-03-31 23:30"),  # 23:30 EDT: March locally, April in UTC
    # 2026-11-01: 01:00-02:00 happens twice, first EDT (UTC-4), then EST (UTC-5).
    (utc(2026, 11, 1, 5, 20), "2026-11-01 01:15"),  # 01:20 EDT
    (utc(2026, 11, 1, 6, 20), "2026-11-01 01:15"),  # 01:20 EST, an hour later: the same local bucket
    (utc(2026, 11, 1, 7, 5), "2026-11-01 02:00"),  # 02:05 EST
]


def _ny_rows():
    calls = []
    for i, (arrived, _) in enumerate(NY_CALLS):
        calls.append(_call(i, arrived, agent="A1" if i % 2 else "A2", talk=60.0 + 37 * i))
    # Abandoned calls at the spring gap and the autumn fold: 3 s (short) and 25 s.
    calls.append(_call(100, utc(2026, 3, 8, 7, 1), wait=3, answered=False))
    calls.append(_call(101, utc(2026, 11, 1, 6, 21), wait=25, answered=False))
    intervals = []
    # A1 on the spring morning: one interval on Q1 and one on Q2, a tie for its main queue
    # (DuckDB's mode(queue ORDER BY queue) and Spark's mode(queue, true) both pick Q1).
    for start, q in ((utc(2026, 3, 8, 6, 45), "Q2"), (utc(2026, 3, 8, 7, 0), "Q1")):
        intervals.append(
            {
                "agent_id": "A1",
                "interval_start": start,
                "center": "NY",
                "queue": q,
                "staffed_s": 900.0,
                "available_s": 300.0,
                "handling_s": 550.25,
            }
        )
    # A2 through the autumn fold: 05:15 and 06:15 UTC are both 01:15 local.
    for start in (utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 6, 15)):
        intervals.append(
            {
                "agent_id": "A2",
                "interval_start": start,
                "center": "NY",
                "queue": "Q1",
                "staffed_s": 900.0,
                "available_s": 450.0,
                "handling_s": 400.0,
            }
        )
    return {
        "centers": [{"center": "NY", "name_zh": "纽约", "name_en": "New York", "timezone": "America/New_York"}],
        "queues": [
            {
                "queue": "Q1",
                "center": "NY",
                "direction": "inbound",
                "service_level_seconds": 20,
                "service_level_target": 0.8,
            },
            {
                "queue": "Q2",
                "center": "NY",
                "direction": "inbound",
                "service_level_seconds": 20,
                "service_level_target": 0.8,
            },
        ],
        "employees": [
            {"employee_id": a, "name": a, "center": "NY", "team": t, "role": "csr", "hire_date": "2025-01-01"}
            for a, t in (("A1", "T1"), ("A2", "T2"))
        ],
        "calls": calls,
        "agent_intervals": intervals,
    }


def test_dst_rollups_equal_and_local(spark, tmp_path):
    src = build_dataset(tmp_path / "ny", **_ny_rows())
    months = ["2026-03", "2026-11"]
    d, s = _build_both(src, tmp_path, months)
    assert "coverage_month" in d  # the staffing month, computed from either engine's rollups
    _assert_rollups_equal(d, s)

    # The local buckets, by hand: each engine, not just both alike.
    expected = pd.Series([b for _, b in NY_CALLS] + ["2026-03-08 03:00", "2026-11-01 01:15"]).value_counts()
    for name, frames in (("duckdb", d), ("spark", s)):
        qi = frames["queue_interval"]
        got = qi[qi["offered"].notna()].groupby(qi["interval_start"].dt.strftime("%Y-%m-%d %H:%M"))["offered"].sum()
        assert got.sort_index().to_dict() == expected.sort_index().to_dict(), name
        # The fold: two real hours of A2's intervals land in one local 01:15 bucket.
        fold = qi[qi["interval_start"] == pd.Timestamp("2026-11-01 01:15")]
        assert fold["staffed_s"].tolist() == [1800.0], name
        # One short abandon (3 s) and one longer (25 s), in their local buckets.
        gap = qi[qi["interval_start"] == pd.Timestamp("2026-03-08 03:00")]
        assert (gap["abandoned"].tolist(), gap["abandoned_le_5"].tolist()) == ([1], [1]), name
        ad = frames["agent_day"]
        a1 = ad[(ad["agent_id"] == "A1") & (ad["day"].astype(str) == "2026-03-08")]
        assert a1["queue"].tolist() == ["Q1"], name  # the tie goes to the smallest code


def test_small_demo_rollups_equal(spark, demo_dataset, tmp_path):
    # One month of the demo keeps CI time sane; every rollup of it, every column.
    month = lake.Lake(demo_dataset, lock_down=False).months("calls")[-1]
    d, s = _build_both(demo_dataset, tmp_path, [month])
    _assert_rollups_equal(d, s)


# --- the metrics command, both engines ------------------------------------------------


def _metrics_json(capsys, dataset: Path, engine: str, *args: str) -> list[dict]:
    assert main(["metrics", "--dataset", str(dataset), "--format", "json", "--engine", engine, *args]) == 0
    return json.loads(capsys.readouterr().out)


def _assert_records_equal(a: list[dict], b: list[dict], what: str) -> None:
    assert len(a) == len(b) and len(a) > 0, what
    for x, y in zip(a, b):
        assert x.keys() == y.keys(), what
        for k in x:
            u, v = x[k], y[k]
            if isinstance(u, float) and isinstance(v, (int, float)):
                assert math.isclose(u, v, rel_tol=REL, abs_tol=0), f"{what}: {k} {u} vs {v}"
            else:
                assert u == v, f"{what}: {k} {u!r} vs {v!r}"


# Every grouping (several per run: each Spark job costs seconds), both paths of
# calls.metrics (queue level with agent-days, queue level below a day, team/agent level),
# and every service-level formula twice. The month run asks for thresholds the rollups
# lack, so there DuckDB runs the raw-call SQL too: the transpiled query against its source.
_FORMULAS = sorted(SL_FORMULAS)
RUNS = [
    ("interval15", "queue"),
    ("interval30", "center"),
    ("hour", "hour_of_day"),
    ("day", "weekday", "queue"),
    ("week", "center"),
    ("month",),
    ("team", "day"),
    ("agent", "week"),
]
CASES = [(by, _FORMULAS[i % len(_FORMULAS)]) for i, by in enumerate(RUNS)]
OFF_ROLLUP = {("month",): ["--answer-within", "17", "--short-abandon", "4"]}


def test_runs_cover_every_grouping():
    assert {g for by in RUNS for g in by} == set(schema.GROUPINGS)
    assert {f for _, f in CASES} == set(SL_FORMULAS)


@pytest.mark.parametrize(("by", "formula"), CASES, ids=["+".join(by) for by, _ in CASES])
def test_metrics_command_equal(spark, demo_dataset, capsys, by, formula):
    # DuckDB answers from the rollups, Spark from the raw calls: equal numbers prove both
    # the engines and the rollups. Two days keep the Spark jobs small.
    month = lake.Lake(demo_dataset, lock_down=False).months("calls")[-1]
    args = ["--from", f"{month}-05", "--to", f"{month}-06", "--sl-formula", formula, *OFF_ROLLUP.get(by, [])]
    for g in by:
        args += ["--by", g]
    duck = _metrics_json(capsys, demo_dataset, "duckdb", *args)
    spark_out = _metrics_json(capsys, demo_dataset, "spark", *args)
    _assert_records_equal(duck, spark_out, f"{by}/{formula}")


# --- Spark absent: say what to install --------------------------------------------------


@pytest.mark.parametrize("command", ["rollups", "metrics"])
def test_missing_pyspark_says_what_to_install(demo_dataset, capsys, monkeypatch, command):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    assert main([command, "--dataset", str(demo_dataset), "--engine", "spark"]) == 2
    err = capsys.readouterr().err
    assert "pyspark" in err and "pip install -r requirements-spark.txt" in err


def test_missing_java_says_what_to_install(demo_dataset, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java anywhere
    assert main(["rollups", "--dataset", str(demo_dataset), "--engine", "spark"]) == 2
    err = capsys.readouterr().err
    assert "Java 17" in err and "openjdk-17-jre-headless" in err


def test_duckdb_never_needs_spark(demo_dataset, tmp_path, monkeypatch):
    # The default engine works with pyspark and sqlglot absent (the README's first command).
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in ("pyspark", "sqlglot") else real(name, *a)
    )
    engines.require("duckdb")
    monkeypatch.delenv("CALLCENTER_ENGINE", raising=False)
    assert engines.default_engine() == "duckdb"


# --- the QA rollup, both engines -------------------------------------------------------


def test_qa_rollup_on_both_engines_and_sparklake_reads_the_view(spark, tmp_path):
    """qa_month is built on DuckDB whatever engine computes the call rollups, so both
    rebuilds publish the same rows; a SparkLake (no rollup views) reads the deduplicating
    view and gets the same hand values."""
    from datetime import date

    from analytics import qa_month, quality
    from analytics.access import Scope
    from analytics.engines.spark import SparkLake
    from analytics.filters import Filters

    rows = _ny_rows()
    # 2026-11-01 03:30 UTC is 23:30 on 31 October in New York (EDT): October; E2 re-exported
    # later with another score (the newest batch wins).
    rows["qa_evaluations"] = [
        {"evaluation_id": "E1", "agent_id": "A1", "evaluator_id": "Q1", "evaluated_at": utc(2026, 11, 1, 3, 30)}
        | {"score": 80.0, "method": "sampled"},
        {"evaluation_id": "E2", "agent_id": "A1", "evaluator_id": "Q1", "evaluated_at": utc(2026, 11, 2, 15)}
        | {"score": 50.0, "method": "sampled"},
    ]
    src = build_dataset(tmp_path / "ny", **rows)
    from analytics.ingest import ingest_frames
    from tests.conftest import frame

    again = {**rows["qa_evaluations"][1], "score": 90.0}
    ingest_frames(src, {"qa_evaluations": frame("qa_evaluations", [again])}, source="re-export")
    months = ["2026-03", "2026-11"]
    _build_both(src, tmp_path, months)
    for d in (tmp_path / "duckdb", tmp_path / "spark"):
        pub = lake.read_published(d)
        got = {
            m: pq.read_table(d / rel).to_pandas()[["evaluation_id", "score"]].values.tolist()
            for m, rel in pub["rollups"]["qa_month"].items()
        }
        assert got == {"2026-10": [["E1", 80.0]], "2026-11": [["E2", 90.0]]}, d
        assert qa_month.current(lake.Lake(d))
    sl = SparkLake(tmp_path / "spark", spark)
    assert not qa_month.current(sl)
    nov = Filters(date(2026, 11, 1), date(2026, 11, 30))
    per = quality.reviews_per_day(sl, nov, Scope.everything())
    assert per[["evaluator", "days", "reviews"]].values.tolist() == [["Q1", 1, 1]]
    low = quality.repeated_low_scores(sl, Filters(date(2026, 10, 1), date(2026, 11, 30)), Scope.everything())
    assert low.empty  # 80 and 90: neither is poor
