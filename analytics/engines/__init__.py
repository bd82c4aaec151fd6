"""Which engine runs the heavy batch work: DuckDB (embedded, the default) or Apache Spark.

Rollup builds and raw-call metric queries run on either, reading and writing the same
Parquet lake, from the same SQL (DuckDB's, transpiled for Spark in ``transpile.py``). The
dashboard always serves rollups from DuckDB. ``CALLCENTER_ENGINE`` picks the engine of
the app's background work (rollups after an import); commands take ``--engine``.
``CALLCENTER_SPARK_MASTER`` names the Spark master (default: local mode).

Spark is optional: nothing here imports pyspark or sqlglot until Spark is asked for, and
then a missing piece is reported with the command that installs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

ENGINES = ("duckdb", "spark")

INSTALL_PYSPARK = "pip install -r requirements-spark.txt"
INSTALL_JAVA = (
    "apt-get install openjdk-17-jre-headless (Debian/Ubuntu; any Java 17 works), "
    "or set JAVA_HOME to a Java 17 installation"
)


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here; the message says what to install."""


def default_engine() -> str:
    name = os.environ.get("CALLCENTER_ENGINE", "duckdb").strip().lower() or "duckdb"
    if name not in ENGINES:
        raise EngineUnavailable(f"CALLCENTER_ENGINE={name!r} is not an engine; choose one of {', '.join(ENGINES)}")
    return name


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").is_file():
        return str(Path(home, "bin", "java"))
    return shutil.which("java")


def require(engine: str) -> None:
    """Raise EngineUnavailable, saying what to install, unless ``engine`` can run here."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"{engine!r} is not an engine; choose one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        return
    missing = [m for m in ("pyspark", "sqlglot") if importlib.util.find_spec(m) is None]
    if missing:
        raise EngineUnavailable(
            f"--engine spark needs {' and '.join(missing)}, which is not installed: run `{INSTALL_PYSPARK}`"
        )
    if _java() is None:
        raise EngineUnavailable(
            f"--engine spark needs Java 17 and none was found (no JAVA_HOME, no java on PATH): {INSTALL_JAVA}"
        )


def rollup_computer(engine: str, root: Path, duck):
    """A function (lake, rollup, month, tables) -> Arrow table computing one month's rollup
    on ``engine``; ``duck`` is the rebuild's DuckDB lake (result types, partition list)."""
    require(engine)
    if engine == "duckdb":
        from analytics.lake import month_rollup_table

        return month_rollup_table
    from analytics.engines.spark import SparkRollups

    return SparkRollups(root, duck)


def rebuild_rollups(root: Path, months=None, progress=None, engine: str | None = None) -> list[str]:
    """``lake.rebuild_rollups`` computed on ``engine`` (default $CALLCENTER_ENGINE, else
    DuckDB): the entry point of the importer and of the ``rollups`` command, so the lake
    itself never depends on the engines."""
    from analytics import coverage_build, lake  # noqa: F401  (the staffing month: built after the rollups)

    chosen = engine or default_engine()
    require(chosen)
    return lake.rebuild_rollups(root, months, progress, computer=lambda r, duck: rollup_computer(chosen, r, duck))


def query_lake(engine: str, root: Path):
    """Something that answers analytics.calls' raw-call queries on ``engine``."""
    require(engine)
    if engine == "duckdb":
        from analytics.lake import open_lake

        return open_lake(root)
    from analytics.engines.spark import SparkLake

    return SparkLake(root)
