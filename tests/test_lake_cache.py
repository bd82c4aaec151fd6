"""The query cache of Lake.query: hits for the same query on the same files, never stale."""

import pandas as pd

from analytics import lake as lake_mod
from analytics.ingest.batch import write_batch


def _centers(codes):
    return pd.DataFrame(
        {
            "center": pd.array(codes, dtype="str"),
            "name_zh": pd.array(codes, dtype="str"),
            "name_en": pd.array(codes, dtype="str"),
            "timezone": pd.array(["Asia/Shanghai"] * len(codes), dtype="str"),
        }
    )


def test_cache_hits_and_copies(tmp_path):
    write_batch(tmp_path, "centers", _centers(["A"]), source="t1")
    lake = lake_mod.Lake(tmp_path)
    sql = "SELECT count(*) AS n FROM centers WHERE center <> $x"
    a = lake.query(sql, {"x": "Z"})
    a["n"] = 99  # a caller changing its result must not change the cache
    b = lake.query(sql, {"x": "Z"})
    assert lake.cache_hits == 1 and int(b["n"][0]) == 1
    assert int(lake.query(sql, {"x": "A"})["n"][0]) == 0  # other parameters, other entry


def test_cache_invalidated_when_files_change(tmp_path):
    write_batch(tmp_path, "centers", _centers(["A"]), source="t1")
    lake = lake_mod.open_lake(tmp_path)
    sql = "SELECT count(*) AS n FROM centers"
    assert int(lake.query(sql)["n"][0]) == 1
    write_batch(tmp_path, "centers", _centers(["B"]), source="t2")
    lake = lake_mod.open_lake(tmp_path)  # refreshes the views: the signature changed
    assert int(lake.query(sql)["n"][0]) == 2


def test_cache_bounded(tmp_path, monkeypatch):
    write_batch(tmp_path, "centers", _centers(["A"]), source="t1")
    monkeypatch.setattr(lake_mod, "CACHE_ENTRIES", 3)
    lake = lake_mod.Lake(tmp_path)
    for i in range(10):
        lake.query("SELECT $i AS i", {"i": i})
    assert len(lake._cache) == 3


# --- invalidation by table and month (issue 18) --------------------------------------------

from datetime import date  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from analytics import calls, workforce  # noqa: E402
from analytics.access import Scope  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from analytics.ingest import ingest_frames  # noqa: E402
from tests.conftest import build_dataset, frame  # noqa: E402

SEP = Filters(start=date(2026, 9, 1), end=date(2026, 9, 30), grain="month")
OCT = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31), grain="month")
HR_SQL = "SELECT count(*) AS n FROM employees"


def _calls(prefix: str, day: str, n: int, answered: int) -> list[dict]:
    """``n`` inbound calls at 02:00 UTC on ``day`` (10:00 in Shanghai), ``answered`` of them answered."""
    t0 = pd.Timestamp(day + "T02:00:00Z")
    rows = []
    for i in range(n):
        arrived = t0 + pd.Timedelta(minutes=i)
        ans = i < answered
        rows.append(
            {
                "call_id": f"{prefix}{i}",
                "queue": "Q1",
                "center": "C1",
                "arrived_at": arrived,
                "answered_at": arrived + pd.Timedelta(seconds=10) if ans else None,
                "ended_at": arrived + pd.Timedelta(seconds=130 if ans else 40),
                "agent_id": "E1" if ans else None,
                "talk_s": 120.0 if ans else None,
            }
        )
    return rows


@pytest.fixture()
def two_months(tmp_path):
    """September: 4 calls (3 answered); October: 2 calls (1 answered); one employee."""
    employees = [{"employee_id": "E1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2025-01-01"}]
    root = build_dataset(
        tmp_path / "ds",
        employees=employees,
        calls=_calls("s", "2026-09-10", 4, 3) + _calls("o", "2026-10-10", 2, 1),
    )
    return root


def _offered(lake, f) -> int:
    return int(calls.totals(lake, f, Scope.everything())["offered"])


def test_an_import_into_october_keeps_september_and_hr_results(two_months):
    lk = lake_mod.Lake(two_months)
    assert (_offered(lk, SEP), _offered(lk, OCT)) == (4, 2)
    assert int(lk.query(HR_SQL)["n"].iloc[0]) == 1
    keys, version = set(lk._cache), lk.data_version
    # Five more October calls, all answered.
    ingest_frames(two_months, {"calls": frame("calls", _calls("o2-", "2026-10-20", 5, 5))}, source="oct")
    assert lk.refresh()
    assert lk.data_version != version  # what a page's own cache keys on
    kept = set(lk._cache)
    assert kept < keys  # some entries dropped, none added
    misses = lk.cache_misses
    assert _offered(lk, SEP) == 4 and lk.cache_misses == misses  # September: served from the cache
    assert int(lk.query(HR_SQL)["n"].iloc[0]) == 1 and lk.cache_misses == misses  # HR only: survived
    assert _offered(lk, OCT) == 7 and lk.cache_misses > misses  # October: recomputed, right after the import
    totals = calls.totals(lk, OCT, Scope.everything())
    assert totals["answer_rate"] == pytest.approx(6 / 7)


def test_an_hr_import_drops_what_read_hr_tables(two_months):
    lk = lake_mod.Lake(two_months)
    assert int(workforce.monthly(lk, SEP, Scope.everything())["headcount_end"].iloc[0]) == 1
    e1 = {"employee_id": "E1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2025-01-01"}
    e2 = {"employee_id": "E2", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-09-15"}
    ingest_frames(two_months, {"employees": frame("employees", [e1, e2])}, source="hr")
    assert lk.refresh()
    assert int(workforce.monthly(lk, SEP, Scope.everything())["headcount_end"].iloc[0]) == 2


def test_a_rollup_rebuild_drops_what_read_it(two_months):
    lk = lake_mod.Lake(two_months)
    assert _offered(lk, SEP) == 4 and _offered(lk, OCT) == 2
    int(lk.query(HR_SQL)["n"].iloc[0])
    lake_mod.rebuild_rollups(two_months, ["2026-09"])
    assert lk.refresh()
    misses = lk.cache_misses
    assert _offered(lk, OCT) == 2 and lk.cache_misses == misses  # October's rollups unchanged
    int(lk.query(HR_SQL)["n"].iloc[0])
    assert lk.cache_misses == misses
    assert _offered(lk, SEP) == 4 and lk.cache_misses > misses  # September's were rebuilt: recomputed


def test_a_query_without_months_depends_on_every_month(two_months):
    lk = lake_mod.Lake(two_months)
    sql = "SELECT count(*) AS n FROM calls WHERE _month = $m"
    assert int(lk.query(sql, {"m": "2026-09"})["n"].iloc[0]) == 4
    ingest_frames(two_months, {"calls": frame("calls", _calls("o2-", "2026-10-20", 1, 1))}, source="oct")
    lk.refresh()
    misses = lk.cache_misses
    assert int(lk.query(sql, {"m": "2026-09"})["n"].iloc[0]) == 4
    assert lk.cache_misses == misses + 1  # unknown months: conservatively recomputed


def test_sql_views_are_read_from_the_text():
    assert lake_mod.sql_views("SELECT * FROM rollup_queue_day q JOIN employees e ON true") == {
        "rollup_queue_day",
        "employees",
    }
    # complaints_per_10k is a column, not the complaints table; "calls" as an alias over-includes.
    assert lake_mod.sql_views("SELECT complaints_per_10k, 1 AS calls FROM targets") == {"calls", "targets"}


def test_a_hit_is_not_corrupted_by_the_caller(tmp_path):
    write_batch(tmp_path, "centers", _centers(["A", "B"]), source="t1")
    lake = lake_mod.Lake(tmp_path)
    sql = "SELECT center, length(center) AS n, 1.5 AS x FROM centers ORDER BY center"
    first = lake.query(sql)
    first["extra"] = 1  # the caller of the miss changes its frame
    first.loc[0, "n"] = 99
    hit = lake.query(sql)
    hit["n"] = 7  # a caller of a hit replaces a column
    hit.loc[1, "x"] = -1.0  # sets a value
    hit.iloc[0, 0] = "Z"
    del hit["x"]
    arr = lake.query(sql)["x"].to_numpy()
    with pytest.raises(ValueError):  # copy-on-write: the values are read-only, not shared for writing
        arr[0] = 5.0
    again = lake.query(sql)
    assert list(again.columns) == ["center", "n", "x"]
    assert again["center"].tolist() == ["A", "B"]
    assert again["n"].tolist() == [1, 1]
    assert np.allclose(again["x"].to_numpy(), [1.5, 1.5])
    assert lake.cache_misses == 1


def test_the_byte_bounds_hold(tmp_path, monkeypatch):
    write_batch(tmp_path, "centers", _centers(["A"]), source="t1")
    monkeypatch.setattr(lake_mod, "CACHE_MAX_BYTES", 100_000)
    monkeypatch.setattr(lake_mod, "CACHE_MAX_ROW_BYTES", 30_000)
    lake = lake_mod.Lake(tmp_path)
    # 2,000 BIGINTs = 16,000 bytes of values: fits one entry; 5,000 (40,000 bytes) does not.
    big = lake.query("SELECT range AS i FROM range($n)", {"n": 5_000})
    assert len(big) == 5_000 and len(lake._cache) == 0
    for k in range(20):
        lake.query("SELECT range + $k AS i FROM range(2000)", {"k": k})
        assert lake._cache_bytes <= 100_000
    assert 5 <= len(lake._cache) <= 6  # 6 × 16,000 + index < 100,000 < 7 × 16,000
    assert lake._cache_bytes == sum(size for _, size, _ in lake._cache.values())


def test_career_data_is_kept_until_an_hr_import_changes_it(two_months):
    """careers.load is cached whole (an object, not a frame): the page's reruns reuse its
    spells; a calls import keeps it, an HR import that adds a person rebuilds it."""
    from analytics import careers

    lk = lake_mod.Lake(two_months)
    f = Filters(start=date(2026, 1, 1), end=date(2026, 10, 31))
    first = careers.load(lk, f, Scope.everything())
    assert careers.load(lk, f, Scope.everything()) is first
    assert list(careers.role_spells(first)["employee_id"]) == ["E1"]
    ingest_frames(two_months, {"calls": frame("calls", _calls("o3-", "2026-10-21", 2, 2))}, source="oct")
    assert lk.refresh()
    assert careers.load(lk, f, Scope.everything()) is first  # read no calls: kept
    e1 = {"employee_id": "E1", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2025-01-01"}
    e2 = {"employee_id": "E2", "center": "C1", "team": "T1", "role": "csr", "hire_date": "2026-09-15"}
    ingest_frames(two_months, {"employees": frame("employees", [e1, e2])}, source="hr")
    assert lk.refresh()
    again = careers.load(lk, f, Scope.everything())
    assert again is not first
    assert sorted(careers.role_spells(again)["employee_id"]) == ["E1", "E2"]
