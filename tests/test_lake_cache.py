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
