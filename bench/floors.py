"""Floors: every figure a page's default view shows, hand-written, two ways.

``raw``: DuckDB over the raw Parquet of the month (calls, agent_intervals, complaints, HR
tables) — what any engine must read without rollups. ``rollup``: DuckDB over the
``_rollups/*`` files named in ``_published.json`` — what the page's own reads cost at best —
plus the raw tables a page reads that have no rollup (complaints, HR; satisfaction before rollup format 4); QA
evaluations come from the qa_month rollup (deduplicated, per local month) when published.
Each figure is computed, not sampled: GROUPING SETS give the period's KPIs, the trend, the
heat map, the per-queue/team/agent tables and the drill-downs from one scan; staffing adds
a vectorised Erlang C (numpy) over every queue-interval on the raw floor (the rollup floor
reads the month's coverage precomputed at import, as the page does). Not covered (stated in the
README): the staffing plan/attrition projection (a survival model, not an aggregation),
working-day ages (calendar days here: a day table join costs the same).

Values are bound parameters; file lists are the dataset's own listing (a parameter too).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.lake import HANDLE_THRESHOLDS, WAIT_THRESHOLDS


def _wait_col(kind: str, seconds: float) -> str:
    """A rollup count column by name, from the lake's fixed thresholds only (an identifier
    from an allow-list, never a value spliced into SQL)."""
    s = int(seconds)
    allowed = WAIT_THRESHOLDS if kind in ("answered", "abandoned") else HANDLE_THRESHOLDS
    if s not in allowed or kind not in ("answered", "abandoned", "handled"):
        raise ValueError(f"the rollups keep no {kind} count at {seconds} s")
    return f"{kind}_le_{s}"


TABLES_BY_MONTH = ("calls", "agent_intervals", "complaints")


def month_add(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:]) + k
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{y:04d}-{m:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    first = date(int(month[:4]), int(month[5:]), 1)
    nxt = month_add(month, 1)
    return first, date(int(nxt[:4]), int(nxt[5:]), 1) - timedelta(days=1)


class Files:
    """The published files of a dataset: raw batches by table and month, rollups by month."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.pub = json.loads((self.root / "_published.json").read_text())

    def raw(self, table: str, months: list[str] | None = None) -> list[str]:
        out = []
        for b in self.pub["batches"].get(table, []):
            d = self.root / table / b
            if months is None:
                out += [str(p) for p in d.rglob("*.parquet")]
            else:
                for m in months:
                    out += [str(p) for p in (d / f"month={m}").glob("*.parquet")]
        return sorted(out)

    def rollup(self, name: str, months: list[str]) -> list[str]:
        files = self.pub["rollups"][name]
        return [str(self.root / files[m]) for m in months if m in files]

    def latest_month(self) -> str:
        return max(self.pub["rollups"]["queue_interval"])


# The aggregates of service level over calls (raw) and over queue_interval (rollup).
_SL_RAW = """count(*) AS offered, count(answered_at) AS answered,
  count(*) FILTER (WHERE answered_at IS NULL AND epoch(ended_at - arrived_at) <= $s) AS short_ab,
  count(*) FILTER (WHERE epoch(answered_at - arrived_at) <= $t) AS within,
  sum(epoch(answered_at - arrived_at)) AS wait_s"""
_SL_FINAL = """sum(offered) AS offered, sum(answered) AS answered, sum(offered) - sum(answered) AS abandoned,
  sum(short_ab) AS short_ab, sum(answered) / nullif(sum(offered), 0) AS answer_rate,
  sum(within) / nullif(sum(offered) - sum(short_ab), 0) AS service_level,
  sum(wait_s) / nullif(sum(answered), 0) AS asa_s,
  (sum(offered) - sum(answered) - sum(short_ab)) / nullif(sum(offered) - sum(short_ab), 0) AS abandon_rate"""
_SETS = "GROUPING SETS ((), (day), (dow, hr), (queue), (queue, i15), (i15))"


def employees(con, f: Files, rollup: bool) -> tuple[str, dict]:
    """Where a floor reads the employees, and its parameters. From the rollups' side as the
    page does (analytics.lake.IN_MEMORY_TABLES: the lake holds the small reference tables in
    its connection, copied when their files change), from the raw side the Parquet files of
    every batch. The bench holds the copy before it times a floor (``hold_reference``)."""
    if not rollup:
        return "read_parquet($emp, hive_partitioning = true)", {"emp": f.raw("employees")}
    hold_reference(con, f)
    return "held_employees", {}


def hold_reference(con, f: Files) -> None:
    """The employees' newest rows held in memory, as the lake holds its copy (built when the
    files change, not per view)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS held_employees AS {_newest('read_parquet($emp, hive_partitioning = true)')}",
        {"emp": f.raw("employees")},
    )


def _tz(con, f: Files) -> str:
    """The centers' zone (the demo's centers share one; a floor per zone would union)."""
    return con.execute("SELECT min(timezone) FROM read_parquet($f)", {"f": f.raw("centers")}).fetchone()[0]


def service_level(con, f: Files, month: str, cfg, rollup: bool) -> list:
    tz, prev = _tz(con, f), month_add(month, -1)
    p = {"s": cfg.short_abandon_s, "t": cfg.answer_within_s, "tz": tz}
    if rollup:
        t, s = _wait_col("answered", cfg.answer_within_s), _wait_col("abandoned", cfg.short_abandon_s)
        base = (
            "SELECT queue, interval_start AS i15, day, dayofweek(interval_start) AS dow, hour(interval_start) AS hr, "
            f"offered, answered, {s} AS short_ab, {t} AS within, wait_answered_s AS wait_s, "
            "staffed_s FROM read_parquet($files) WHERE direction = 'inbound'"
        )
        grouped = con.execute(
            f"SELECT grouping(day, dow, hr, queue, i15) AS g, day, dow, hr, queue, i15, {_SL_FINAL}, "
            f"sum(staffed_s) / 900 AS staffed_agents FROM ({base}) GROUP BY {_SETS}",
            {"files": f.rollup("queue_interval", [month])},
        ).df()
        prev_q = (
            f"SELECT {_SL_FINAL} FROM (SELECT offered, answered, {s} AS short_ab, "
            f"{t} AS within, wait_answered_s AS wait_s FROM read_parquet($files) WHERE direction = 'inbound')"
        )
        before = con.execute(prev_q, {"files": f.rollup("queue_day", [prev])}).fetchall()
    else:
        base = (
            "SELECT queue, time_bucket(INTERVAL 15 MINUTE, timezone($tz, arrived_at)) AS i15, "
            f"{_SL_RAW} FROM read_parquet($files) WHERE direction = 'inbound' GROUP BY ALL"
        )
        grouped = con.execute(
            f"SELECT grouping(day, dow, hr, queue, i15) AS g, day, dow, hr, queue, i15, {_SL_FINAL} FROM "
            f"(SELECT *, CAST(i15 AS DATE) AS day, dayofweek(i15) AS dow, hour(i15) AS hr FROM ({base})) "
            f"GROUP BY {_SETS}",
            {**p, "files": f.raw("calls", [month])},
        ).df()
        before = con.execute(
            f"SELECT {_SL_FINAL} FROM (SELECT {_SL_RAW} FROM read_parquet($files) WHERE direction = 'inbound')",
            {k: p[k] for k in ("s", "t")} | {"files": f.raw("calls", [prev])},
        ).fetchall()
    qi = grouped[grouped["g"] == 0b11100]  # queue x interval: day, dow, hr rolled up (first argument = top bit)
    qi = qi[qi["queue"].notna() & qi["i15"].notna()]
    worst = qi[qi["offered"] >= 10].nsmallest(15, "service_level")
    daily = grouped[grouped["day"].notna() & grouped["dow"].isna() & grouped["queue"].isna()]
    worst_day = daily.nsmallest(1, "service_level")["day"]
    staffed = None
    if not worst_day.empty:
        d = worst_day.iloc[0]
        d = d.date() if hasattr(d, "date") else d
        if rollup:
            staffed = grouped[(grouped["g"] == 0b11110) & (grouped["i15"].dt.date == d)]
        else:
            staffed = con.execute(
                "SELECT time_bucket(INTERVAL 15 MINUTE, timezone($tz, interval_start)) AS i15, "
                "sum(staffed_s) / 900 AS staffed_agents FROM read_parquet($files) "
                "WHERE CAST(timezone($tz, interval_start) AS DATE) = $d GROUP BY ALL",
                {"tz": tz, "files": f.raw("agent_intervals", [month]), "d": d},
            ).df()
    # Satisfaction and first-contact resolution by queue: the day rollup holds their sums from
    # rollup format 4 (the page reads them there); the raw floor and older datasets read calls.
    if rollup and f.pub.get("rollup_format", 1) >= 4:
        sat = con.execute(
            "SELECT queue, sum(csat_n) AS csat_answers, sum(csat_sum) / sum(csat_n) AS csat, "
            "sum(fcr_n) AS fcr_known, sum(fcr_yes) / sum(fcr_n) AS fcr_rate FROM read_parquet($files) "
            "WHERE direction = 'inbound' GROUP BY ALL",
            {"files": f.rollup("queue_day", [month])},
        ).df()
        return [grouped, before, worst, staffed, sat]
    sat = con.execute(
        "SELECT queue, count(csat) AS csat_answers, avg(csat) AS csat, count(resolved_first_contact) AS fcr_known, "
        "avg(CAST(resolved_first_contact AS INTEGER)) AS fcr_rate FROM read_parquet($files) "
        "WHERE direction = 'inbound' GROUP BY ALL",
        {"files": f.raw("calls", [month])},
    ).df()
    return [grouped, before, worst, staffed, sat]


def _newest(emp_src: str) -> str:
    """The newest row of each employee (employees is re-exported whole: newest batch wins)."""
    return f"SELECT * FROM {emp_src} QUALIFY row_number() OVER (PARTITION BY employee_id ORDER BY batch DESC) = 1"


def _people(emp_src: str) -> str:
    """The employees a floor joins: the held newest rows, or the newest of the raw files."""
    src = emp_src if emp_src == "held_employees" else f"({_newest(emp_src)})"
    return f"SELECT employee_id, name, team, role, hire_date FROM {src}"


def _category_targets(f: Files) -> tuple[list[str], list[float]]:
    """Each category's handle-time target (settings.json, defaults), as two lists."""
    from analytics.targets import handle_targets

    t = handle_targets(f.root)
    return list(t), [float(v) for v in t.values()]


def handle_time(con, f: Files, month: str, cfg, rollup: bool) -> list:
    """Every figure of the handle-time page for the month: the KPIs (AHT, within the handle
    target, occupancy, answered per agent-day, transfers) now and the month before; the
    trend's parts by day; calls per category and 30-second bin; per category the AHT,
    within the handle target and within the category's own target, transfers; per team the
    figures of its table; per agent those the agents to review are picked by (days with
    calls, AHT against the team's, day-to-day swing of calls handled, tenure, name)."""
    tz, prev, h = _tz(con, f), month_add(month, -1), cfg.handle_target_s
    last = month_bounds(month)[1]
    cats, secs = _category_targets(f)
    emp_src, emp_p = employees(con, f, rollup)
    people = _people(emp_src)
    targets = "(SELECT unnest($cats) AS category, unnest($secs) AS target_s)"
    if rollup:
        hist = con.execute(
            "SELECT day, bin_s, h.category, sum(calls) AS handled, sum(talk_s + hold_s + acw_s) / sum(calls) AS aht_s, "
            "sum(talk_s) / sum(calls) AS talk, sum(hold_s) / sum(calls) AS hold, sum(acw_s) / sum(calls) AS acw, "
            "sum(calls) FILTER (WHERE bin_s + 30 <= $h) / sum(calls) AS within_handle_target, "
            "sum(calls) FILTER (WHERE bin_s + 30 <= t.target_s) / sum(calls) AS within_category_target, "
            "sum(transferred) AS transferred, sum(transferred) / sum(calls) AS transfer_rate "
            f"FROM read_parquet($files) h LEFT JOIN {targets} t ON t.category = h.category "
            "WHERE direction = 'inbound' GROUP BY GROUPING SETS ((), (day), (h.category, bin_s), (h.category))",
            {"files": f.rollup("handle_hist", [month]), "h": h, "cats": cats, "secs": secs},
        ).df()
        hk = _wait_col("handled", h)
        per = con.execute(
            "WITH p AS (SELECT team, agent_id, sum(handled) AS handled, "
            "sum(talk_s + hold_s + acw_s) / sum(handled) AS aht_s, "
            f"sum({hk}) / sum(handled) AS within_handle_target, sum(handling_s) / sum(staffed_s) AS occupancy, "
            "sum(handled) / count(*) FILTER (WHERE staffed_s > 0) AS answered_per_agent_day, "
            "sum(transferred) / sum(handled) AS transfer_rate, count(*) FILTER (WHERE handled > 0) AS days, "
            "stddev_samp(handled) FILTER (WHERE handled > 0) / avg(handled) FILTER (WHERE handled > 0) "
            "AS output_swing FROM read_parquet($files) GROUP BY GROUPING SETS ((), (team), (team, agent_id))) "
            f"SELECT p.*, e.name, date_diff('day', e.hire_date, $last) AS tenure_days FROM p "
            f"LEFT JOIN ({people}) e ON e.employee_id = p.agent_id",
            {"files": f.rollup("agent_day", [month]), "last": last, **emp_p},
        ).df()
        before = con.execute(
            f"SELECT sum(talk_s + hold_s + acw_s) / sum(handled), sum({hk}) / sum(handled), "
            "sum(handling_s) / sum(staffed_s), sum(transferred) / sum(handled), "
            "sum(handled) / count(*) FILTER (WHERE staffed_s > 0) FROM read_parquet($files)",
            {"files": f.rollup("agent_day", [prev])},
        ).fetchall()
        return [hist, per, before]
    calls_q = (
        "SELECT c.category, c.agent_id, e.team, CAST(timezone($tz, c.arrived_at) AS DATE) AS day, "
        "c.talk_s + c.hold_s + c.acw_s AS handle_s, c.talk_s, c.hold_s, c.acw_s, c.transferred, "
        "least(floor((c.talk_s + c.hold_s + c.acw_s) / 30) * 30, 1800) AS bin_s, t.target_s, "
        "c.direction = 'inbound' AS inbound "
        f"FROM read_parquet($files) c LEFT JOIN ({people}) e ON e.employee_id = c.agent_id "
        f"LEFT JOIN {targets} t ON t.category = c.category "
        "WHERE c.answered_at IS NOT NULL AND c.talk_s IS NOT NULL"
    )
    # The call figures are of inbound calls (the rows with ``inbound`` set); a team's and an
    # agent's are of all their calls, as the page's agent-day figures.
    figures = con.execute(
        "SELECT inbound, day, bin_s, category, team, agent_id, count(*) AS handled, avg(handle_s) AS aht_s, avg(talk_s) AS talk, "
        "avg(hold_s) AS hold, avg(acw_s) AS acw, avg(CAST(handle_s <= $h AS INTEGER)) AS within_handle_target, "
        "avg(CAST(handle_s <= target_s AS INTEGER)) AS within_category_target, "
        f"avg(CAST(transferred AS INTEGER)) AS transfer_rate FROM ({calls_q}) GROUP BY GROUPING SETS "
        "((inbound), (inbound, day), (inbound, category, bin_s), (inbound, category), (team), (team, agent_id), "
        "(agent_id, day))",
        {"tz": tz, "h": h, "files": f.raw("calls", [month]), "cats": cats, "secs": secs, **emp_p},
    ).df()
    # The agents' days with calls and their day-to-day swing, from the agent-day rows.
    daily = figures[figures["agent_id"].notna() & figures["day"].notna()].groupby("agent_id")["handled"]
    swing = pd.DataFrame({"days": daily.size(), "output_swing": daily.std() / daily.mean()})
    tenure = con.execute(
        f"SELECT employee_id, name, date_diff('day', hire_date, $last) AS tenure_days FROM ({people})",
        {"last": last, **emp_p},
    ).df()
    occupancy = con.execute(
        "SELECT e.team, CAST(timezone($tz, i.interval_start) AS DATE) >= $first AS now, "
        "sum(i.handling_s) / sum(i.staffed_s) AS occupancy, "
        "count(DISTINCT (i.agent_id, CAST(timezone($tz, i.interval_start) AS DATE))) AS agent_days "
        f"FROM read_parquet($files) i LEFT JOIN ({people}) e ON e.employee_id = i.agent_id "
        "GROUP BY GROUPING SETS ((now), (now, e.team))",
        {"tz": tz, "files": f.raw("agent_intervals", [prev, month]), "first": month_bounds(month)[0], **emp_p},
    ).df()
    before = con.execute(
        "SELECT avg(talk_s + hold_s + acw_s), avg(CAST(talk_s + hold_s + acw_s <= $h AS INTEGER)), "
        "avg(CAST(transferred AS INTEGER)), count(*) FROM read_parquet($files) "
        "WHERE direction = 'inbound' AND answered_at IS NOT NULL AND talk_s IS NOT NULL",
        {"h": h, "files": f.raw("calls", [prev])},
    ).fetchall()
    return [figures, swing, tenure, occupancy, before]


def staffing(con, f: Files, month: str, cfg, rollup: bool, target=0.8, shrinkage=0.30) -> list:
    """Required agents and service level per queue-interval as the page shows them: Erlang A
    with each queue's caller patience (time waited by all callers / abandons, at least 30
    abandons; on the rollups from their waiting-time sums), Erlang C where it is unknown. The queueing maths is the project's vectorised
    code (``staffing.required_agents_arrays`` / ``service_level_at_fractional_agents``):
    the floor measures reading the data, not a second Erlang implementation."""
    from analytics import staffing as erlang

    if rollup and month in f.pub.get("rollups", {}).get("coverage_month", {}):
        # The page reads the month's coverage precomputed at import (analytics.coverage_month,
        # at the settings it opens with): the floor reads the same file and derives the rest.
        qi = con.execute(
            "SELECT queue, interval15 AS i15, offered, aht_s, staffed_agents AS staffed, "
            "CAST(required_agents AS DOUBLE) AS required, CAST(scheduled_agents AS DOUBLE) AS scheduled, "
            "service_level_at_staffed AS sl_at_staffed, gap_agents AS gap FROM read_parquet($files) "
            "WHERE offered > 0 AND aht_s > 0",
            {"files": f.rollup("coverage_month", [month])},
        ).df()
        out = _staffing_figures(qi)
        # the projection as of the month's end and the model check, precomputed too (read as the page does)
        for name in ("coverage_projection", "coverage_check"):
            if month in f.pub["rollups"].get(name, {}):
                out.append(con.execute("SELECT * FROM read_parquet($files)", {"files": f.rollup(name, [month])}).df())
        return out
    tz = _tz(con, f)
    if rollup and f.pub.get("rollup_format", 1) >= 2:
        # the rollup holds the waits of answered and of abandoned callers (rollup format 2)
        patience = con.execute(
            "SELECT queue, (coalesce(sum(wait_answered_s), 0) + coalesce(sum(wait_abandoned_s), 0)) / sum(abandoned) "
            "AS patience_s FROM read_parquet($files) WHERE direction = 'inbound' AND offered IS NOT NULL "
            "GROUP BY queue HAVING sum(abandoned) >= 30",
            {"files": f.rollup("queue_interval", [month])},
        ).df()
    else:  # the raw calls (or rollups written before they held abandoned callers' waits)
        patience = con.execute(
            "SELECT queue, sum(epoch(coalesce(answered_at, ended_at) - arrived_at)) / "
            "count(*) FILTER (WHERE answered_at IS NULL) AS patience_s FROM read_parquet($files) "
            "WHERE direction = 'inbound' GROUP BY queue HAVING count(*) FILTER (WHERE answered_at IS NULL) >= 30",
            {"files": f.raw("calls", [month])},
        ).df()
    if rollup:
        qi = con.execute(
            "SELECT queue, interval_start AS i15, sum(offered) AS offered, "
            "sum(talk_s + hold_s + acw_s) / nullif(sum(handled), 0) AS aht_s, sum(staffed_s) / 900 AS staffed "
            "FROM read_parquet($files) WHERE direction = 'inbound' GROUP BY ALL",
            {"files": f.rollup("queue_interval", [month])},
        ).df()
    else:
        qi = con.execute(
            "WITH c AS (SELECT queue, time_bucket(INTERVAL 15 MINUTE, timezone($tz, arrived_at)) AS i15, count(*) AS offered, "
            "avg(talk_s + hold_s + acw_s) AS aht_s FROM read_parquet($files) WHERE direction = 'inbound' GROUP BY ALL), "
            "s AS (SELECT queue, time_bucket(INTERVAL 15 MINUTE, timezone($tz, interval_start)) AS i15, "
            "sum(staffed_s) / 900 AS staffed FROM read_parquet($ai) WHERE queue IS NOT NULL GROUP BY ALL) "
            "SELECT coalesce(c.queue, s.queue) AS queue, coalesce(c.i15, s.i15) AS i15, coalesce(offered, 0) AS offered, "
            "aht_s, staffed FROM c FULL JOIN s ON c.queue = s.queue AND c.i15 = s.i15",
            {"tz": tz, "files": f.raw("calls", [month]), "ai": f.raw("agent_intervals", [month])},
        ).df()
    qi = qi[(qi["offered"] > 0) & (qi["aht_s"] > 0)]
    offered, aht = qi["offered"].to_numpy(float), qi["aht_s"].to_numpy(float)
    staffed = qi["staffed"].to_numpy(float)  # unknown where nobody was signed in: no gap, as on the page
    pat = qi["queue"].map(dict(zip(patience["queue"], patience["patience_s"]))).to_numpy(float)
    traffic = offered * aht / 900
    req = erlang.required_agents_arrays(traffic, aht, cfg.answer_within_s, target, pat)
    known = ~np.isnan(staffed)
    at = np.full(len(qi), np.nan)
    at[known] = erlang.service_level_at_fractional_agents(
        traffic[known], staffed[known], aht[known], cfg.answer_within_s, pat[known]
    )
    qi = qi.assign(required=req, scheduled=np.ceil(req / (1 - shrinkage)), sl_at_staffed=at)
    qi["gap"] = staffed - qi["required"]
    return _staffing_figures(qi)


def _staffing_figures(qi):
    """The heat map, the shortfall and the worst intervals of a month's queue-intervals."""
    qi["dow"], qi["tod"] = qi["i15"].dt.day_of_week, qi["i15"].dt.time
    gaps = qi.groupby(["dow", "tod"])["gap"].mean()
    summary = (qi["gap"] < 0).sum(), qi.loc[qi["gap"] < 0, "gap"].sum() * 0.25
    # ties in a fixed order (queue, interval): the SQL returns groups in any order
    return [qi.sort_values(["gap", "queue", "i15"]).head(20), gaps, summary]


def complaints(con, f: Files, month: str, cfg, rollup: bool) -> list:
    first, last = month_bounds(month)
    prev = month_add(month, -1)
    cmp_month = f.raw("complaints", [month])
    grouped = con.execute(
        "SELECT level, channel, category, queue, team, agent_id, cause, CAST(received_at AS DATE) AS day, count(*) AS n, "
        "count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved, "
        "avg(epoch(first_response_at - received_at) / 3600) AS first_response_h FROM read_parquet($files) "
        "WHERE valid GROUP BY GROUPING SETS ((), (level), (channel), (category), (queue), (team), (agent_id), (cause), (day))",
        {"files": cmp_month},
    ).df()
    before = con.execute(
        "SELECT count(*) FROM read_parquet($files) WHERE valid", {"files": f.raw("complaints", [prev])}
    ).fetchall()
    if rollup:
        n_calls = con.execute(
            "SELECT sum(offered) FROM read_parquet($files) WHERE direction = 'inbound'",
            {"files": f.rollup("queue_day", [month, prev])},
        ).fetchall()
    else:
        n_calls = con.execute(
            "SELECT count(*) FROM read_parquet($files) WHERE direction = 'inbound'",
            {"files": f.raw("calls", [month, prev])},
        ).fetchall()
    every = f.raw("complaints")  # the backlog and the monthly baseline read all history
    backlog = con.execute(
        "SELECT CASE WHEN age <= 5 THEN '0-5' WHEN age <= 10 THEN '6-10' WHEN age <= 20 THEN '11-20' ELSE '20+' END "
        "AS band, level, count(*) AS n FROM (SELECT level, date_diff('day', CAST(received_at AS DATE), $last) AS age "
        "FROM read_parquet($files) WHERE valid AND CAST(received_at AS DATE) <= $last "
        "AND (closed_at IS NULL OR CAST(closed_at AS DATE) > $last)) GROUP BY ALL",
        {"files": every, "last": last},
    ).df()
    monthly = con.execute(
        "SELECT date_trunc('month', received_at) AS m, count(*) AS n FROM read_parquet($files) WHERE valid GROUP BY ALL",
        {"files": every},
    ).df()
    repeat = con.execute(
        "SELECT customer_id, count(*) AS n FROM read_parquet($files) WHERE valid AND customer_id IS NOT NULL "
        "AND CAST(received_at AS DATE) BETWEEN $first - INTERVAL 90 DAY AND $last GROUP BY ALL HAVING count(*) > 1",
        {"files": every, "first": first, "last": last},
    ).df()
    rows = con.execute("SELECT * FROM read_parquet($files)", {"files": cmp_month}).df()
    return [grouped, before, n_calls, backlog, monthly, repeat, rows]


def monthly_review(con, f: Files, month: str, cfg, rollup: bool) -> list:
    months = [month_add(month, -k) for k in range(12, -1, -1)]
    if rollup:
        t, s = _wait_col("answered", cfg.answer_within_s), _wait_col("abandoned", cfg.short_abandon_s)
        kpis = con.execute(
            "SELECT month, queue, sum(offered) AS offered, sum(answered) / sum(offered) AS answer_rate, "
            f"sum({t}) / nullif(sum(offered) - sum({s}), 0) AS service_level, "
            "sum(wait_answered_s) / sum(answered) AS asa_s, sum(talk_s + hold_s + acw_s) / sum(handled) AS aht_s, "
            "sum(handling_s) / sum(staffed_s) AS occupancy FROM read_parquet($files) WHERE direction = 'inbound' "
            "GROUP BY GROUPING SETS ((month), (month, queue))",
            {"files": f.rollup("queue_day", months)},
        ).df()
    else:
        kpis = con.execute(
            "SELECT month, queue, count(*) AS offered, count(answered_at) / count(*) AS answer_rate, "
            "count(*) FILTER (WHERE epoch(answered_at - arrived_at) <= $t) / nullif(count(*) - count(*) "
            "FILTER (WHERE answered_at IS NULL AND epoch(ended_at - arrived_at) <= $s), 0) AS service_level, "
            "avg(epoch(answered_at - arrived_at)) AS asa_s, avg(talk_s + hold_s + acw_s) AS aht_s "
            "FROM read_parquet($files) WHERE direction = 'inbound' GROUP BY GROUPING SETS ((month), (month, queue))",
            {"files": f.raw("calls", months), "t": cfg.answer_within_s, "s": cfg.short_abandon_s},
        ).df()
        occ = con.execute(
            "SELECT month, sum(handling_s) / sum(staffed_s) FROM read_parquet($files) GROUP BY ALL",
            {"files": f.raw("agent_intervals", months)},
        ).fetchall()
        kpis.attrs["occupancy"] = occ
    cmp = con.execute(*_review_complaints(con, f, months, rollup)).df()
    ends = [month_bounds(m)[1] for m in months]
    emp, emp_p = employees(con, f, rollup)
    people = con.execute(
        "SELECT d, count(*) FILTER (WHERE hire_date <= d AND (exit_date IS NULL OR exit_date > d)) AS headcount, "
        "count(*) FILTER (WHERE hire_date BETWEEN date_trunc('month', d) AND d) AS hires, "
        "count(*) FILTER (WHERE exit_date BETWEEN date_trunc('month', d) AND d) AS leavers, "
        "count(*) FILTER (WHERE exit_date BETWEEN date_trunc('month', d) AND d AND exit_type = 'voluntary') AS voluntary "
        f"FROM {emp}, unnest($ends) AS u(d) WHERE role = 'csr' GROUP BY d",
        {**emp_p, "ends": ends},
    ).df()
    return [kpis, cmp, people]


# The review's complaint figures by month, level and cause: counts, level 3, and the share
# resolved within the target in working days, judged both as at the review month's end (the
# trend) and as at each month's own end (the previous and year-ago months). Working days come
# from the published calendar index (day, workday, cum); on the rollups' side the complaints
# are the published facts (local times, positions and resolution flags computed at import),
# on the raw side they are worked out here from the raw timestamps.
def _pos(w: str, t: str) -> str:
    """SQL: timestamp ``t``'s position in working days from the index row ``w`` of its day."""
    return f"{w}.cum + CASE WHEN {w}.workday THEN epoch({t} - CAST({w}.day AS TIMESTAMP)) / 86400.0 ELSE 0.0 END"


_REVIEW_COMPLAINTS = (
    """
WITH w AS (SELECT day, workday, cum FROM read_parquet($idx)),
c AS ({source}),
own AS (
  SELECT e.m, e.own_cut, """
    + _pos("w", "e.own_cut")
    + """ AS own_pos
  FROM (SELECT DISTINCT m, least(CAST(strptime(m, '%Y-%m') + INTERVAL 1 MONTH AS TIMESTAMP), CAST($cut AS TIMESTAMP))
        AS own_cut FROM c) e
  LEFT JOIN w ON w.day = CAST(e.own_cut AS DATE)
),
k AS (SELECT """
    + _pos("w", "CAST($cut AS TIMESTAMP)")
    + """ AS cut_pos FROM w WHERE w.day = CAST(CAST($cut AS TIMESTAMP) AS DATE))
SELECT m, level, cause, count(*) AS n, count(*) FILTER (WHERE valid) AS valid,
  count(*) FILTER (WHERE resolved_local < $cut AND resolved_within) AS within_at_cut,
  count(*) FILTER (WHERE resolved_local < $cut OR k.cut_pos - received_pos > $target) AS judgeable_at_cut,
  count(*) FILTER (WHERE resolved_local < own_cut AND resolved_within) AS within_own_end,
  count(*) FILTER (WHERE resolved_local < own_cut OR own_pos - received_pos > $target) AS judgeable_own_end
FROM c JOIN own USING (m) CROSS JOIN k
GROUP BY GROUPING SETS ((m), (m, level), (m, cause))
"""
)
_FACTS_SOURCE = (
    "SELECT month AS m, level, cause, valid, received_local, resolved_local, resolved_within, received_pos "
    "FROM read_parquet($files)"
)
# From the raw complaints: local times in the centers' zone, positions in working days.
_RAW_SOURCE = (
    "SELECT strftime(r.received_local, '%Y-%m') AS m, r.level, r.cause, r.valid, r.received_local, r.resolved_local, "
    + _pos("rs", "r.resolved_local")
    + " - ("
    + _pos("rc", "r.received_local")
    + ") <= $target AS resolved_within, "
    + _pos("rc", "r.received_local")
    + """ AS received_pos
FROM (SELECT level, cause, valid, timezone($tz, received_at) AS received_local,
        timezone($tz, resolved_at) AS resolved_local FROM read_parquet($files)) r
JOIN w rc ON rc.day = CAST(r.received_local AS DATE)
LEFT JOIN w rs ON rs.day = CAST(r.resolved_local AS DATE)
"""
)


def _review_complaints(con, f: Files, months: list[str], rollup: bool) -> tuple[str, dict]:
    """The review's complaint statement and its parameters: cut at the review month's end
    (not later than the data), the dataset's target in working days."""
    from analytics.settings import load_complaints

    meta = f.pub.get("complaint_facts") or {}
    month_end = datetime.combine(month_bounds(months[-1])[1] + timedelta(days=1), datetime.min.time())
    data_end = datetime.fromisoformat(meta["data_end"]) if meta.get("data_end") else month_end
    params = {
        "idx": f.rollup("workday_index", ["all"]),
        "cut": min(month_end, data_end),
        "target": float(load_complaints(f.root).resolve_within_workdays),
    }
    if rollup and "complaint_facts" in f.pub.get("rollups", {}):
        return _REVIEW_COMPLAINTS.format(source=_FACTS_SOURCE), {**params, "files": f.rollup("complaint_facts", months)}
    return (
        _REVIEW_COMPLAINTS.format(source=_RAW_SOURCE),
        {**params, "files": f.raw("complaints", months), "tz": _tz(con, f)},
    )


def _qa_month(f: Files, months: list[str], rollup: bool) -> tuple[str, list[str]]:
    """Where the floor reads the evaluations of ``months``: the qa_month rollup (deduplicated,
    one file per local month, ``day`` the local day) when asked for and published, else the
    raw batches (a ``day`` from the UTC timestamp: the same cost, no deduplication)."""
    if rollup and "qa_month" in f.pub.get("rollups", {}):
        return "SELECT agent_id, evaluator_id, score, grade, day FROM read_parquet($qa)", f.rollup("qa_month", months)
    return (
        "SELECT agent_id, evaluator_id, score, grade, CAST(evaluated_at AS DATE) AS day FROM read_parquet($qa)",
        f.raw("qa_evaluations"),
    )


def _handle_targets(f: Files) -> tuple[float, float]:
    """The common and complex handle-time targets the page uses (settings.json, defaults)."""
    from analytics.targets import handle_targets

    t = handle_targets(f.root)
    return float(t["common"]), float(t["complex"])


def scorecards(con, f: Files, month: str, cfg, rollup: bool) -> list:
    """Every figure of the scorecards page for the month and the trend's six months: per
    agent and month (and per team and month: the summary and the trend) the answered and
    handled calls, handle time (all and per category), handled within the category's target,
    transfers, CSAT and first-contact resolution; agent days; QA; valid complaints;
    attendance and lateness; the people. ``rollup``: the calls from the agent_month rollup
    and the days from agent_day, else the raw calls and agent intervals."""
    months = [month_add(month, -k) for k in range(5, -1, -1)]
    first, last = month_bounds(months[0])[0], month_bounds(month)[1]
    common_t, complex_t = _handle_targets(f)
    emp_src, emp_p = employees(con, f, rollup)
    people = _people(emp_src)
    per = "GROUPING SETS ((c.month, c.agent_id, e.team), (c.month, e.team))"
    measures = (
        "sum(answered) AS answered, sum(handled) AS handled, sum(handle_s) AS handle_s, "
        "sum(within) AS within_target, sum(transferred) AS transferred, sum(csat_sum) / sum(csat_n) AS csat, "
        "sum(fcr_yes) / sum(fcr_n) AS fcr, "
        "sum(handle_s) FILTER (WHERE category = 'common') / sum(handled) FILTER (WHERE category = 'common') AS aht_common_s, "
        "sum(handle_s) FILTER (WHERE category = 'complex') / sum(handled) FILTER (WHERE category = 'complex') "
        "AS aht_complex_s"
    )
    try:
        kept = rollup and "agent_month" in f.pub.get("rollups", {}) and f.pub.get("rollup_format", 1) >= 3
        cols = (_wait_col("handled", common_t), _wait_col("handled", complex_t)) if kept else None
    except ValueError:  # a target the rollup keeps no count for: the raw calls, as the page
        cols = None
    if cols:
        src = (
            "SELECT month, agent_id, category, answered, handled, handle_s, transferred, csat_sum, csat_n, fcr_yes, "
            f"fcr_n, CASE category WHEN 'complex' THEN {cols[1]} ELSE {cols[0]} END AS within "
            "FROM read_parquet($files, hive_partitioning = true)"
        )
        files = f.rollup("agent_month", months)
    else:
        src = (
            "SELECT month, agent_id, coalesce(category, 'unknown') AS category, 1 AS answered, "
            "CAST(talk_s IS NOT NULL AS INTEGER) AS handled, "
            "CASE WHEN talk_s IS NOT NULL THEN coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0) END "
            "AS handle_s, CAST(coalesce(transferred, false) AS INTEGER) AS transferred, csat AS csat_sum, "
            "CAST(csat IS NOT NULL AS INTEGER) AS csat_n, CAST(coalesce(resolved_first_contact, false) AS INTEGER) "
            "AS fcr_yes, CAST(resolved_first_contact IS NOT NULL AS INTEGER) AS fcr_n, "
            "CAST(talk_s IS NOT NULL AND coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0) <= "
            "CASE coalesce(category, 'unknown') WHEN 'complex' THEN $tc ELSE $t END AS INTEGER) AS within "
            "FROM read_parquet($files, hive_partitioning = true) WHERE answered_at IS NOT NULL AND agent_id IS NOT NULL"
        )
        files = f.raw("calls", months)
    agents = con.execute(
        f"SELECT c.month, c.agent_id, e.team, {measures} FROM ({src}) c JOIN ({people}) e "
        f"ON e.employee_id = c.agent_id GROUP BY {per}",
        {"files": files, **emp_p} | ({} if cols else {"t": common_t, "tc": complex_t}),
    ).df()
    if rollup:
        days = con.execute(
            "SELECT month, agent_id, count(DISTINCT day) AS agent_days FROM read_parquet($files) "
            "WHERE staffed_s > 0 GROUP BY ALL",
            {"files": f.rollup("agent_day", months)},
        ).df()
    else:
        days = con.execute(
            "SELECT month, agent_id, count(DISTINCT CAST(timezone($tz, interval_start) AS DATE)) AS agent_days "
            "FROM read_parquet($files, hive_partitioning = true) WHERE staffed_s > 0 GROUP BY ALL",
            {"files": f.raw("agent_intervals", months), "tz": _tz(con, f)},
        ).df()
    # The QA measures of the six months per agent and month.
    ev, qa_files = _qa_month(f, months, rollup)
    qa = con.execute(
        "SELECT agent_id, strftime(day, '%Y-%m') AS m, favg(score) AS qa, count(*) AS n, "
        "count(*) FILTER (WHERE grade = 'poor' OR score < 70) AS poor FROM (" + ev + ") "
        "WHERE day BETWEEN $first AND $last GROUP BY ALL",
        {"qa": qa_files, "first": first, "last": last},
    ).df()
    cmp = con.execute(
        "SELECT month, agent_id, count(*) AS n FROM read_parquet($files, hive_partitioning = true) WHERE valid "
        "GROUP BY ALL",
        {"files": f.raw("complaints", months)},
    ).df()
    appr = con.execute(
        "SELECT employee_id, month, attendance_rate, late_count, qa_score FROM read_parquet($files) "
        "WHERE month BETWEEN $first AND $last",
        {"files": f.raw("appraisals"), "first": first, "last": last},
    ).df()
    emp_rows = con.execute(people, emp_p).df()
    return [agents, days, qa, cmp, appr, emp_rows]


def quality(con, f: Files, month: str, cfg, rollup: bool) -> list:
    first, last = month_bounds(month)
    ev_sql, qa_files = _qa_month(f, [month], rollup)
    # Per inspector (reviews, days), per agent (mean, poor count, last poor day: the worklist's
    # low scores and the repeated low scores), per agent and inspector (calibration), per team
    # (the grade distribution, through the agent's team), per grade and day, and the total.
    emp, emp_p = employees(con, f, rollup)
    ev = con.execute(
        "SELECT q.evaluator_id, q.agent_id, e.team, q.grade, q.day, count(*) AS n, favg(q.score) AS score, "
        "fsum(q.score) AS score_sum, count(DISTINCT q.day) AS days, count(*) FILTER (WHERE q.grade = 'poor') AS poor, "
        "max(q.day) FILTER (WHERE q.grade = 'poor') AS last_poor FROM (" + ev_sql + ") q "
        f"LEFT JOIN {emp} e ON e.employee_id = q.agent_id WHERE q.day BETWEEN $first AND $last "
        "GROUP BY GROUPING SETS ((q.evaluator_id), (q.agent_id), (q.agent_id, q.evaluator_id), (e.team, q.agent_id), "
        "(q.grade), (q.day), ())",
        {"qa": qa_files, **emp_p, "first": first, "last": last},
    ).df()
    # The worklist's agent figures, as calls.agents_to_review picks the agents by: per agent
    # the days with calls, calls handled, AHT against the team's, the day-to-day swing of
    # calls handled; their name and tenure. From the agent-day rollup, or the raw calls.
    people = _people(emp)
    if rollup:
        daily = (
            "SELECT team, agent_id, handled, talk_s + coalesce(hold_s, 0) + coalesce(acw_s, 0) AS handle_s "
            "FROM read_parquet($files) WHERE day BETWEEN $first AND $last"
        )
        src = {"files": f.rollup("agent_day", [month])}
    else:
        daily = (
            "SELECT e.team, c.agent_id, count(*) AS handled, sum(c.talk_s + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0)) "
            f"AS handle_s FROM read_parquet($files) c LEFT JOIN ({people}) e ON e.employee_id = c.agent_id "
            "WHERE c.answered_at IS NOT NULL AND c.talk_s IS NOT NULL AND c.agent_id IS NOT NULL "
            "AND CAST(timezone($tz, c.arrived_at) AS DATE) BETWEEN $first AND $last "
            "GROUP BY e.team, c.agent_id, CAST(timezone($tz, c.arrived_at) AS DATE)"
        )
        src = {"files": f.raw("calls", [month]), "tz": _tz(con, f)}
    work = con.execute(
        "WITH p AS (SELECT team, agent_id, count(*) FILTER (WHERE handled > 0) AS days, sum(handled) AS handled, "
        "sum(handle_s) / nullif(sum(handled), 0) AS aht_s, "
        "stddev_samp(handled) FILTER (WHERE handled > 0) / avg(handled) FILTER (WHERE handled > 0) AS output_swing "
        f"FROM ({daily}) GROUP BY GROUPING SETS ((team), (team, agent_id))) "
        "SELECT p.*, p.aht_s / t.aht_s AS aht_vs_team, e.name, date_diff('day', e.hire_date, $last) AS tenure_days "
        "FROM p LEFT JOIN p t ON t.team IS NOT DISTINCT FROM p.team AND t.agent_id IS NULL AND p.agent_id IS NOT NULL "
        f"LEFT JOIN ({people}) e ON e.employee_id = p.agent_id",
        {**src, **emp_p, "first": first, "last": last},
    ).df()
    # The worklist's valid complaints per agent (the facts' month, as the page when they are
    # published; else the raw complaints) and the inspectors employed (its capacity).
    facts = rollup and "complaint_facts" in f.pub.get("rollups", {})
    cmp = con.execute(
        f"SELECT k.agent_id, count(*) AS n FROM read_parquet($files) k JOIN {emp} e ON e.employee_id = k.agent_id "
        "WHERE k.valid GROUP BY ALL",
        {"files": f.rollup("complaint_facts", [month]) if facts else f.raw("complaints", [month]), **emp_p},
    ).df()
    inspectors = con.execute(
        f"SELECT count(*) FROM {emp} WHERE role = 'quality_inspector' AND hire_date <= $last "
        "AND (exit_date IS NULL OR exit_date >= $first)",
        {**emp_p, "first": first, "last": last},
    ).fetchall()
    return [ev, work, cmp, inspectors]


FLOORS = {
    "service_level": service_level,
    "handle_time": handle_time,
    "staffing": staffing,
    "complaints": complaints,
    "monthly_review": monthly_review,
    "scorecards": scorecards,
    "quality": quality,
}
