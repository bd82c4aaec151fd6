"""The Spark engine: the lake's table views, its rollups and its raw-call queries on Spark.

Spark reads the very Parquet files the DuckDB lake lists (temporary views over the same
file lists, partition columns as text), runs the product's DuckDB SQL transpiled by
``analytics.engines.transpile``, and hands results back as Arrow tables typed like
DuckDB's, so the lake's one rollup writer stores them and every reader sees the same
files whichever engine built them.

Imported only when Spark is asked for: pyspark and Java are optional (requirements-spark.txt).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from sqlglot import exp

from analytics import lake as lake_mod
from analytics import schema
from analytics.engines.transpile import to_spark

_session = None
_session_lock = threading.Lock()


def session(master: str | None = None):
    """The process's SparkSession (created on first use).

    ``master``: the argument, else CALLCENTER_SPARK_MASTER, else the master spark-submit
    was given, else local mode on every core.
    """
    global _session
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    with _session_lock:
        if _session is not None:
            return _session
        # Under spark-submit the JVM already holds spark.master; a builder .master() would
        # override it, so the submitted one is kept unless another is named.
        master = (
            master or os.environ.get("CALLCENTER_SPARK_MASTER") or SparkConf().get("spark.master", None) or "local[*]"
        )
        b = (
            SparkSession.builder.appName("callcenter-analytics")
            .master(master)
            # Local buckets are computed from UTC instants (see transpile.py); a session in
            # the machine's zone would shift every CAST(... AS DATE) and hour().
            .config("spark.sql.session.timeZone", "UTC")
            # batch=... and month=... are codes like DuckDB's hive_types VARCHAR, not numbers.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            # DuckDB returns NULL for x / 0 and casts that fail raise there; Spark's ANSI mode
            # would raise on x / 0. The product's SQL never relies on a failing cast.
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        if master.startswith("local"):
            # A month of a small lake is a few MB: Spark's 200 shuffle partitions would be
            # 200 tiny tasks per stage on two cores.
            b = (
                b.config("spark.sql.shuffle.partitions", os.environ.get("CALLCENTER_SPARK_SHUFFLE_PARTITIONS", "8"))
                .config("spark.ui.enabled", "false")
                .config("spark.driver.memory", os.environ.get("CALLCENTER_SPARK_DRIVER_MEMORY", "4g"))
            )
        _session = b.getOrCreate()
        _session.sparkContext.setLogLevel("ERROR")
        return _session


def stop() -> None:
    """Stop the process's session (tests and commands that are done with Spark)."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.stop()
            _session = None


def _view_name(table: str) -> str:
    return "_files_" + table


def _file_list(view_sql: str) -> tuple[sqlglot.Expression, list[str]]:
    """The lake's DuckDB view text with read_parquet([...]) replaced by a view name, and the files."""
    tree = sqlglot.parse_one(view_sql, read="duckdb")
    files: list[str] = []
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.ReadParquet):
            files = [lit.name for lit in table.this.expressions[0].expressions]
    return tree, files


def register_views(spark, root: Path, all_committed: bool = False) -> None:
    """Temporary views named like the lake's DuckDB views, over the same file lists.

    The view bodies are the lake's own (``lake._table_view_sql``: hidden _month/_batch
    columns, newest batch wins for reference tables), transpiled; only the read_parquet
    call becomes a view over ``spark.read.parquet`` of the files it names.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    root = Path(root).resolve()
    # As the DuckDB lake: readers see the published batches only (consistent reads); the
    # rollup builder sees every committed batch, the ones it is about to publish included.
    published = None if all_committed else lake_mod.read_published(root)
    for table in schema.TABLES.values():
        batches = None if published is None else published.get("batches", {}).get(table.name, [])
        tree, files = _file_list(lake_mod._table_view_sql(root, table, batches))
        if files:
            # The canonical schema, not one inferred per file (DuckDB's union_by_name): no
            # schema-merging job, and a column some batch lacks reads as NULL. The hive
            # partition columns (batch, month) are appended from the paths.
            df = (
                spark.read.schema(from_arrow_schema(schema.arrow_schema(table)))
                .option("basePath", str(root / table.name))
                .parquet(*files)
            )
            df.createOrReplaceTempView(_view_name(table.name))
            for t in list(tree.find_all(exp.Table)):
                if isinstance(t.this, exp.ReadParquet):
                    t.replace(exp.to_table(_view_name(table.name)))
        body = tree.sql("duckdb")
        spark.sql("CREATE OR REPLACE TEMP VIEW " + table.name + " AS " + to_spark(body, _file_tables(spark, table)))


def _file_tables(spark, table: schema.Table) -> dict[str, list[str]]:
    name = _view_name(table.name)
    if not spark.catalog.tableExists(name):
        return {}
    return {name: spark.table(name).columns}


def _local_arrow(tbl: pa.Table) -> pa.Table:
    """Spark's timestamps arrive as UTC instants; the product's SQL only returns local wall
    clocks (naive TIMESTAMP in DuckDB), which in this session are the UTC wall clock."""
    cols = []
    for f, col in zip(tbl.schema, tbl.columns):
        if pa.types.is_timestamp(f.type) and f.type.tz is not None:
            col = pc.cast(col, pa.timestamp(f.type.unit))
        cols.append(col)
    return pa.table(cols, names=tbl.column_names)


def conform(tbl: pa.Table, like: pa.Schema) -> pa.Table:
    """``tbl`` with the column order and types DuckDB gives the same query (``like``)."""
    tbl = _local_arrow(tbl)
    missing = set(like.names) ^ set(tbl.column_names)
    if missing:
        raise ValueError(f"Spark and DuckDB disagree on the columns: {sorted(missing)}")
    return pa.table([pc.cast(tbl[f.name], f.type) for f in like], schema=like)


# Temporary views are per session and named like the lake's tables, so one dataset's files
# are registered at a time: which root and file signature that is.
_registered: tuple | None = None


class SparkLake:
    """What analytics.calls asks of a Lake (query, cached, has_rollups, months), on Spark.

    Raw-call queries only: has_rollups() is False, so calls.metrics and friends run the
    rollup SQL over the raw calls of the period, the heavy work this engine is for.
    Results are kept per query, parameters and files, like the DuckDB lake's cache: the
    same sums asked for again (another service-level formula) do not rerun a Spark job.
    """

    def __init__(self, root: Path | str, spark=None, all_committed: bool = False):
        self.root = Path(root).resolve()
        self.spark = spark or session()
        self.all_committed = all_committed
        # partition listing and the files' signature, with the same view of batches
        self._duck = lake_mod.Lake(self.root, all_committed=all_committed)
        self._results: dict = {}
        self._ensure_views()

    def _ensure_views(self) -> tuple:
        global _registered
        self._duck.refresh()
        key = (self.root, self.all_committed, self._duck._current_signature())
        with _session_lock:
            if _registered != key:
                register_views(self.spark, self.root, self.all_committed)
                _registered = key
                self._results.clear()
        return key

    def query(
        self, sql: str, params: dict | None = None, extra_tables: dict | None = None, months=None
    ) -> pd.DataFrame:
        # ``months`` narrows what a DuckDB lake's cached result depends on; this lake's
        # results are keyed by the files of the whole dataset, so it has nothing to narrow.
        tbl = self.arrow(sql, params, extra_tables)
        # As DuckDB's .df(): dates and timestamps as datetime64, not Python objects.
        return tbl.to_pandas(date_as_object=False)

    def arrow(self, sql: str, params: dict | None = None, extra_tables: dict | None = None) -> pa.Table:
        if params is not None and not isinstance(params, dict):
            raise TypeError("the Spark engine takes named parameters ($name) only")
        files = self._ensure_views()
        cache_key = None
        if not extra_tables:
            cache_key = (sql, lake_mod.freeze(params or {}), files)
            if cache_key in self._results:
                return self._results[cache_key]
        # Values travel as Spark's named parameters (:name), never spliced into the text.
        df = self.spark.sql(to_spark(sql, extra_tables), args=dict(params or {}))
        out = _local_arrow(df.toArrow())
        if cache_key is not None and out.nbytes <= lake_mod.CACHE_MAX_ROW_BYTES:
            if len(self._results) >= lake_mod.CACHE_ENTRIES:
                self._results.pop(next(iter(self._results)))
            self._results[cache_key] = out
        return out

    def cached(self, key, compute, depends=None):
        return compute()

    def is_cached(self, key) -> bool:
        return False  # cached() keeps nothing on this engine

    @property
    def manifest(self) -> dict | None:
        # No rollup views are registered on Spark (has_rollups is False): readers of the
        # qa_month rollup (analytics.qa_month.current) read the deduplicating view instead.
        return None

    @property
    def data_version(self):
        return self._duck.data_version

    def has_rollups(self, rollups=lake_mod.BASE_ROLLUPS, min_format: int = 1) -> bool:
        return False

    def months(self, table: str) -> list[str]:
        return self._duck.months(table)

    def zones(self) -> dict[str, str]:
        return self._duck.zones()


class SparkRollups:
    """Computes a month's rollup tables on Spark, typed like the DuckDB path's."""

    def __init__(self, root: Path | str, duck: lake_mod.Lake, spark=None):
        self.lake = SparkLake(root, spark, all_committed=True)
        self.duck = duck
        self._schemas: dict[str, pa.Schema] = {}

    def _schema(self, rollup: str, tables: dict) -> pa.Schema:
        # DuckDB's result types for the same query with no rows: the files either engine
        # writes then have one schema, and a lake mixing months of both reads as one table.
        if rollup not in self._schemas:
            cur = self.duck.con.cursor()
            if rollup == "queue_day":
                cur.register("qi_month", tables["queue_interval"].slice(0, 0))
                tbl = cur.sql(lake_mod.queue_day_sql("qi_month")).to_arrow_table()
            else:
                tbl = cur.sql(lake_mod.rollup_sql(rollup, "false")).to_arrow_table()
            cur.close()
            self._schemas[rollup] = tbl.schema
        return self._schemas[rollup]

    def __call__(self, duck, rollup: str, month: str, tables: dict) -> pa.Table:
        spark = self.lake.spark
        if rollup == "queue_day":
            # From the month's queue intervals, as the DuckDB path does.
            qi = tables["queue_interval"]
            spark.createDataFrame(qi).createOrReplaceTempView("qi_month")
            out = self.lake.arrow(lake_mod.queue_day_sql("qi_month"), {}, {"qi_month": qi.column_names})
        else:
            out = self.lake.arrow(lake_mod.rollup_sql(rollup), {"month": month})
        return conform(out, self._schema(rollup, tables))
