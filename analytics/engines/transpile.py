"""DuckDB SQL → Spark SQL: the product's one copy of its SQL, turned into Spark's dialect.

SQLGlot does the generic work (functions, casts, ``$name`` → ``:name`` parameters,
QUALIFY → a window in a subquery, ``* EXCLUDE`` expanded from the table schemas). Where
its generic output is wrong or missing for Spark, a transform below rewrites the tree
first; each says what DuckDB means and why the Spark form is equal. Nothing here holds
a second hand-kept copy of a query: every query is transpiled at run time from the text
the DuckDB path runs.

Spark runs with ``spark.sql.session.timeZone=UTC`` (see ``analytics.engines.spark``), so
a Spark TIMESTAMP shows its UTC wall clock. A center-local timestamp (DuckDB's
``timezone(zone, ts)``, a naive TIMESTAMP) is carried in Spark as the instant whose UTC
wall clock is the local wall clock (``from_utc_timestamp``); hour, day, week and
15-minute buckets then read the local wall clock, as in DuckDB.
"""

from __future__ import annotations

import functools

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify

from analytics import schema

_MICROS = 1_000_000


def base_schema() -> dict[str, dict[str, str]]:
    """Columns of the lake's table views (the schema's columns plus the hidden ones)."""
    out = {}
    for t in schema.TABLES.values():
        cols = {c.name: ("TIMESTAMP WITH TIME ZONE" if c.dtype == "TIMESTAMPTZ" else c.dtype) for c in t.columns}
        if t.month_column:
            cols["_month"] = "VARCHAR"
        cols["_batch"] = "VARCHAR"
        out[t.name] = cols
    return out


class NotPortable(ValueError):
    """A DuckDB construct this transpiler cannot turn into equal Spark SQL."""


def _local_time(node: exp.Expression) -> exp.Expression:
    # DuckDB timezone(zone, timestamptz) → the zone's wall clock as a naive TIMESTAMP.
    # SQLGlot keeps the name TIMEZONE, which Spark lacks. from_utc_timestamp(ts, zone)
    # applies the zone's offset at that instant (DST included), per row's zone.
    if isinstance(node, exp.Anonymous) and node.name.lower() == "timezone" and len(node.expressions) == 2:
        zone, ts = node.expressions
        return exp.Anonymous(this="from_utc_timestamp", expressions=[ts.copy(), zone.copy()])
    if isinstance(node, exp.AtTimeZone):
        raise NotPortable("AT TIME ZONE: write timezone(zone, ts) so it converts per row")
    return node


def _micros(ts: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="unix_micros", expressions=[ts.copy()])


def _epoch(node: exp.Expression) -> exp.Expression:
    # DuckDB epoch(a - b) on two timestamps is the interval in seconds, a DOUBLE computed as
    # total microseconds / 1e6. SQLGlot writes UNIX_TIMESTAMP(a - b), which Spark rejects
    # (and which would drop the fraction). unix_micros difference / 1e6 is the same double.
    if isinstance(node, exp.TimeToUnix):
        arg = node.this
        micros = (
            exp.Sub(this=_micros(arg.this), expression=_micros(arg.expression))
            if isinstance(arg, exp.Sub)
            else _micros(arg)
        )
        return exp.Div(
            this=exp.cast(exp.Paren(this=micros), "DOUBLE"), expression=exp.cast(exp.Literal.number(_MICROS), "DOUBLE")
        )
    return node


_UNIT_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600}


def _time_bucket(node: exp.Expression) -> exp.Expression:
    # DuckDB time_bucket(INTERVAL n MINUTE, ts) floors to n-minute steps counted from
    # 2000-01-03 00:00. SQLGlot writes DATE_BIN, which Spark lacks. For a width that
    # divides a day, steps from that midnight are steps from the epoch, so flooring the
    # epoch microseconds is the same bucket; other widths are refused rather than shifted.
    if not isinstance(node, exp.DateBin):
        return node
    width = node.this
    unit = width.unit.name.upper() if isinstance(width, exp.Interval) and width.unit else ""
    unit = unit.removesuffix("S")
    try:
        seconds = int(width.this.name) * _UNIT_SECONDS[unit]
    except (KeyError, ValueError, AttributeError):
        raise NotPortable(f"time_bucket width {width.sql('duckdb')}") from None
    if 86400 % seconds or any(node.args.get(k) for k in ("zone", "origin", "offset")):
        raise NotPortable(f"time_bucket width {width.sql('duckdb')} does not divide a day")
    ts = node.expression
    step = exp.Literal.number(seconds * _MICROS)
    floored = exp.Sub(this=_micros(ts), expression=exp.Anonymous(this="pmod", expressions=[_micros(ts), step]))
    return exp.Anonymous(this="timestamp_micros", expressions=[floored])


def _iso_weekday(node: exp.Expression) -> exp.Expression:
    # DuckDB isodow: Monday 1 … Sunday 7. SQLGlot writes (DAYOFWEEK(ts) % 7) + 1, but Spark's
    # dayofweek is Sunday 1 … Saturday 7, so that gives Monday 3 and Sunday 2.
    # ((dayofweek + 5) % 7) + 1 maps Sunday 1 → 7 and Monday 2 → 1.
    if isinstance(node, exp.DayOfWeekIso):
        dow = exp.Anonymous(this="dayofweek", expressions=[node.this.copy()])
        shifted = exp.Mod(
            this=exp.Paren(this=exp.Add(this=dow, expression=exp.Literal.number(5))), expression=exp.Literal.number(7)
        )
        return exp.Paren(this=exp.Add(this=exp.Paren(this=shifted), expression=exp.Literal.number(1)))
    return node


def _is_list(node: exp.Expression) -> bool:
    return isinstance(node, exp.Array) or (isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.ARRAY)


def _list_length(node: exp.Expression) -> exp.Expression:
    # DuckDB len(list) is the list's length; SQLGlot writes LENGTH, Spark's string length.
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.Anonymous(this="size", expressions=[node.this.copy()])
    return node


def _mode(node: exp.Expression) -> exp.Expression:
    # DuckDB mode(x ORDER BY x) returns, among equally frequent values, the first in that
    # order: the smallest. Spark's mode(x, true) returns the smallest on a tie too (without
    # the flag either may come back). A plain DuckDB mode(x) breaks ties arbitrarily.
    if isinstance(node, exp.Mode):
        arg = node.this
        if isinstance(arg, exp.Order):
            keys = arg.expressions
            if len(keys) != 1 or keys[0].this != arg.this or keys[0].args.get("desc"):
                raise NotPortable(f"mode with ordering {arg.sql('duckdb')}: only ORDER BY the value itself")
            arg = arg.this
        return exp.Anonymous(this="mode", expressions=[arg.copy(), exp.true()])
    return node


def _columns_of(select: exp.Select, known: dict[str, list[str]]) -> list[str]:
    """Output names of the single relation ``select`` reads (after stars were expanded)."""
    source = (select.args.get("from") or select.args.get("from_")).this
    if isinstance(source, exp.Table):
        name = source.name
        if name in known:
            return known[name]
        raise NotPortable(f"COLUMNS(...) over {name}: its columns are unknown")
    if isinstance(source, exp.Subquery):
        return [p.alias_or_name for p in source.this.selects]
    raise NotPortable(f"COLUMNS(...) over {source.sql('duckdb')}")


def _expand_columns(tree: exp.Expression, known: dict[str, list[str]]) -> exp.Expression:
    # DuckDB COLUMNS(lambda c: <test on the name>) stands for every column of the source
    # whose name passes the test; a projection f(COLUMNS(...)) becomes one f(col) AS col per
    # column. Spark has no such thing, so the projection list is written out here.
    ctes = {cte.alias: [p.alias_or_name for p in cte.this.selects] for cte in tree.find_all(exp.CTE)}
    for select in list(tree.find_all(exp.Select)):
        if not any(isinstance(p.find(exp.Columns), exp.Columns) for p in select.expressions):
            continue
        source = (select.args.get("from") or select.args.get("from_")).this
        if isinstance(source, exp.Table) and source.name in ctes:
            names = ctes[source.name]
        else:
            names = _columns_of(select, known)
        projections = []
        for p in select.expressions:
            cols = p.find(exp.Columns)
            if cols is None:
                projections.append(p)
                continue
            test = cols.this
            if not isinstance(test, exp.Lambda) or len(test.expressions) != 1:
                raise NotPortable(f"COLUMNS form {cols.sql('duckdb')}")
            for name in _lambda_filter(test, names):
                body = p.unalias().copy()
                body.find(exp.Columns).replace(exp.column(name))
                projections.append(exp.alias_(body, name))
        select.set("expressions", projections)
    return tree


def _lambda_filter(test: exp.Lambda, names: list[str]) -> list[str]:
    # The test is DuckDB's own (e.g. c NOT IN ('day', 'month')): DuckDB evaluates it on the
    # list of names, so the kept columns are exactly the ones DuckDB would keep. The lambda
    # is text of the product's SQL, never user input; the names travel as a parameter.
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        return con.execute("SELECT list_filter(?::VARCHAR[], " + test.sql("duckdb") + ")", [names]).fetchone()[0]
    finally:
        con.close()


def _unique_nested_ctes(tree: exp.Expression) -> exp.Expression:
    # DuckDB lets a CTE hold its own WITH, and two of them may each define a "c". SQLGlot's
    # Spark output lifts every CTE to the top level, where the names then clash
    # (DUPLICATED_CTE_NAMES); inner names get their outer CTE's name as a prefix first.
    for outer in list(tree.find_all(exp.CTE)):
        inner_with = outer.this.args.get("with") or outer.this.args.get("with_")
        if not inner_with:
            continue
        renames = {cte.alias: f"{outer.alias}__{cte.alias}" for cte in inner_with.expressions}
        for node in outer.this.find_all(exp.Table):
            if node.name in renames and not node.args.get("db"):
                node.set("this", exp.to_identifier(renames[node.name]))
        for cte in inner_with.expressions:
            cte.args["alias"].set("this", exp.to_identifier(renames[cte.alias]))
    return tree


def _compensated(node: exp.Expression) -> exp.Expression:
    # DuckDB favg / fsum: the mean / sum of doubles with compensated (Kahan) summation, the
    # same value whatever the row order. Spark has no such aggregate: its avg / sum add in
    # partition order, equal to within the last bits (the parity tests' 1e-9).
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("favg", "fsum") and len(node.expressions) == 1:
        arg = node.expressions[0].copy()
        return exp.Avg(this=arg) if node.name.lower() == "favg" else exp.Sum(this=arg)
    return node


_TRANSFORMS = (_local_time, _epoch, _time_bucket, _iso_weekday, _list_length, _mode, _compensated)


@functools.lru_cache(maxsize=512)
def _to_spark_cached(sql: str, extra: tuple) -> str:
    known = {**{k: list(v) for k, v in base_schema().items()}, **{k: list(v) for k, v in extra}}
    tree = sqlglot.parse_one(sql, read="duckdb")
    # Expand * and * EXCLUDE from the schemas (Spark has no EXCLUDE).
    tree = qualify(
        tree,
        dialect="duckdb",
        schema={k: {c: "VARCHAR" for c in v} for k, v in known.items()},
        quote_identifiers=False,
        validate_qualify_columns=False,
        identify=False,
    )
    # Nested CTE names made unique first, so COLUMNS(...) finds the right source's columns.
    tree = _unique_nested_ctes(tree)
    tree = _expand_columns(tree, known)
    for transform in _TRANSFORMS:
        tree = tree.transform(transform)
    return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)


def to_spark(sql: str, extra_tables: dict[str, list[str]] | None = None) -> str:
    """Spark SQL equal to the DuckDB query ``sql``; ``$name`` parameters become ``:name``.

    ``extra_tables`` names relations beyond the lake's table views (e.g. a month's
    queue intervals registered as a temporary view) with their columns.
    """
    extra = tuple(sorted((k, tuple(v)) for k, v in (extra_tables or {}).items()))
    return _to_spark_cached(sql, extra)
