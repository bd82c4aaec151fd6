"""Benchmark (run by hand, never in the test suite): python bench/run.py --sizes 3,15,50 [--data /tmp/bench]

For each size (million calls) it reuses or makes a large-scale demo dataset (regions of
~3.08 M calls; smaller sizes hard-link the first regions' batches of a bigger dataset and
rebuild their rollups), then times each page's default view through analytics (cold: new
connection; warm without the query cache; warm with it), the same aggregation as one
hand-written DuckDB query on the Parquet files (the floor) and as pandas reading the files
and grouping (a plain Streamlit app), and prints one table with the ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from analytics import calls, complaints, coverage, lake as lake_mod, metrics as m, report  # noqa: E402
from analytics.targets import current_targets  # noqa: E402
from analytics.access import Scope  # noqa: E402
from analytics.filters import Filters  # noqa: E402

CALLS_PER_REGION = 3.08
MONTH, PREV = "2026-10", "2026-09"
START, END = date(2026, 10, 1), date(2026, 10, 31)


def regions_for(size: float) -> int:
    return max(1, math.ceil(size / CALLS_PER_REGION - 0.05))  # 3 -> 1, 15 -> 5, 50 -> 17 (52.5 M)


def ensure_dataset(data: Path, n: int, sources: list[Path]) -> tuple[Path, dict]:
    d = data / f"large{n}"
    info_f = d / "dataset.json"
    if info_f.is_file():
        return d, json.loads(info_f.read_text())
    big = next(
        (
            s
            for s in sources
            if (s / "dataset.json").is_file() and json.loads((s / "dataset.json").read_text()).get("regions", 0) >= n
        ),
        None,
    )
    if big is None:
        from analytics.demo.large import build_large

        info = build_large(d, regions=n)
        lake_mod.write_dataset_info(d, info)
        return d, info
    src_info = json.loads((big / "dataset.json").read_text())
    for tdir in big.iterdir():
        if not tdir.is_dir() or tdir.name.startswith("_"):
            continue
        for b in tdir.glob("batch=*"):
            src = json.loads((b / "_batch.json").read_text())["source"]
            r = int(src.split("region=")[1].split(")")[0])
            if r <= n:
                for f in b.rglob("*"):
                    if f.is_file():
                        out = d / f.relative_to(big)
                        out.parent.mkdir(parents=True, exist_ok=True)
                        os.link(f, out)
    t = time.perf_counter()
    lake_mod.rebuild_rollups(d)
    pr = src_info["per_region"][:n]
    info = {
        **src_info,
        "regions": n,
        "per_region": pr,
        "rollup_s": round(time.perf_counter() - t, 1),
        "rows": {"calls": sum(p["calls"] for p in pr), "agent_intervals": sum(p["agent_intervals"] for p in pr)},
        "write_s": round(sum(p["write_s"] for p in pr), 1),
    }
    lake_mod.write_dataset_info(d, info)
    return d, info


def default_filters(lk) -> Filters:
    """What a page opens on: the month of the latest data, by day (ui/filters.py)."""
    opts = calls.filter_options(lk, Scope.everything())
    last = opts["last_day"]
    return Filters(start=max(opts["first_day"], last.replace(day=1)), end=last)


def pages(lk):
    """Each page's default view as the analytics calls its script makes on first render
    (views/*.py, signed in as an administrator, default settings): the sidebar's options,
    the KPI cards against the previous period and targets, every chart and table."""
    sc = Scope.everything()
    cfg = m.ServiceSettings()
    cset = complaints.load_settings(lk.root)

    def common():
        f = default_filters(lk)
        return f, calls.previous_period(f), current_targets(lk, f.end)

    def service_level():
        f, prev, _ = common()
        out = [
            calls.totals(lk, f, sc, cfg),
            calls.totals(lk, prev, sc, cfg),
            calls.metrics(lk, f, sc, (f.grain,), cfg),
            calls.metrics(lk, f, sc, ("weekday", "hour_of_day"), cfg),
            calls.metrics(lk, f, sc, ("queue",), cfg),
            calls.worst_intervals(lk, f, sc, cfg, n=15, min_offered=10),
        ]
        daily = calls.metrics(lk, f, sc, ("day",), cfg)
        day = daily.sort_values("service_level").iloc[0]["day"] if not daily.empty else f.end
        day = pd.Timestamp(day).date()
        return out + [calls.metrics(lk, f.with_(start=day, end=day), sc, ("interval15",), cfg)]

    def handle_time():
        f, prev, _ = common()
        return [
            calls.totals(lk, f, sc, cfg),
            calls.totals(lk, prev, sc, cfg),
            calls.metrics(lk, f, sc, (f.grain,), cfg),
            calls.handle_time_distribution(lk, f, sc, cfg),
            calls.by_category(lk, f, sc, cfg),
            calls.metrics(lk, f, sc, ("team",), cfg),
            calls.agents_to_review(lk, f, sc, cfg),
        ]

    def staffing():
        f, _, targets = common()
        cs = coverage.CoverageSettings(target_sl=float(targets.get("service_level") or 0.8), shrinkage=0.30)
        cov = coverage.coverage(lk, f, sc, cfg, cs)
        out = [coverage.shortfall_summary(cov), coverage.gap_by_weekday_and_time(cov)]
        base_month, base_hours = coverage.base_month_workload(lk, f.end, sc, cfg, cs)
        headcount = coverage.agent_headcount(lk, f.end, sc)
        observed = coverage.observed_turnover(lk, f.end, sc)
        return out + [
            coverage.monthly_plan(
                base_hours,
                base_month,
                headcount,
                coverage.PlanSettings(annual_turnover=observed if observed is not None else 0.4),
            )
        ]

    def complaints_page():
        f, prev, _ = common()
        out = [
            complaints.summary(lk, f, sc, cset),
            complaints.summary(lk, prev, sc, cset),
            complaints.by_period(lk, f, sc, cset),
        ]
        out += [
            complaints.breakdown(lk, f, sc, dim, cset)
            for dim in ("level", "channel", "category", "queue", "team", "agent")
        ]
        return out + [
            complaints.pareto(lk, f, sc, cset),
            complaints.as_of(lk, f),
            complaints.backlog_by_age(lk, f, sc, cset),
            complaints.open_backlog(lk, f, sc, cset),
            complaints.unusual_months(lk, f, sc, cset),
            complaints.repeat_complainers(lk, f, sc, cset),
            complaints.complaint_rows(lk, f, sc, cset),
        ]

    def monthly_review():
        f, _, _ = common()
        return report.build_review(lk, f.end, sc)

    return {
        "service_level": service_level,
        "handle_time": handle_time,
        "staffing": staffing,
        "complaints": complaints_page,
        "monthly_review": monthly_review,
    }


def floor_sql(root: Path, page: str) -> tuple[str, list]:
    files = sorted(str(p) for p in root.glob(f"calls/batch=*/month={MONTH}/*.parquet"))
    src = f"read_parquet({files!r})"
    local = "timezone('Asia/Shanghai', arrived_at)"
    if page in ("service_level", "monthly_review", "staffing"):
        grain = {"staffing": f"time_bucket(INTERVAL 15 MINUTE, {local})"}.get(page, f"CAST({local} AS DATE)")
        return (
            f"SELECT queue, {grain} AS k, count(*) AS offered, count(answered_at) AS answered, "
            "count(*) FILTER (WHERE epoch(answered_at - arrived_at) <= 20) AS within "
            f"FROM {src} WHERE direction = 'inbound' GROUP BY ALL"
        ), files
    if page == "handle_time":
        return (
            f"SELECT category, least(floor((talk_s + hold_s + acw_s) / 30) * 30, 1800) AS bin, count(*) AS n, "
            f"avg(talk_s + hold_s + acw_s) AS aht FROM {src} WHERE answered_at IS NOT NULL "
            "AND direction = 'inbound' GROUP BY ALL"
        ), files
    # The page's headline is complaints per 10,000 calls: complaints by category and level
    # over the month's inbound calls offered.
    cfiles = sorted(str(p) for p in root.glob(f"complaints/batch=*/month={MONTH}/*.parquet"))
    return (
        f"SELECT category, level, count(*) AS n, (SELECT count(*) FROM {src} WHERE direction = 'inbound') "
        f"AS calls FROM read_parquet({cfiles!r}) GROUP BY ALL"
    ), (files, cfiles)


def pandas_way(page: str, files: list[str]):
    if page == "complaints":
        call_files, complaint_files = files
        n_calls = int((pd.read_parquet(call_files, columns=["direction"])["direction"] == "inbound").sum())
        df = pd.read_parquet(complaint_files, columns=["category", "level"])
        return df.groupby(["category", "level"]).size() / n_calls * 10_000
    if page == "handle_time":
        df = pd.read_parquet(files, columns=["category", "direction", "answered_at", "talk_s", "hold_s", "acw_s"])
        df = df[df["answered_at"].notna() & (df["direction"] == "inbound")]
        h = df["talk_s"] + df["hold_s"] + df["acw_s"]
        return (
            df.assign(h=h, bin=(h // 30 * 30).clip(upper=1800)).groupby(["category", "bin"])["h"].agg(["size", "mean"])
        )
    df = pd.read_parquet(files, columns=["queue", "direction", "arrived_at", "answered_at"])
    df = df[df["direction"] == "inbound"]
    loc = df["arrived_at"].dt.tz_convert("Asia/Shanghai")
    k = loc.dt.floor("15min") if page == "staffing" else loc.dt.date
    wait = (df["answered_at"] - df["arrived_at"]).dt.total_seconds()
    return (
        df.assign(k=k, ans=df["answered_at"].notna(), within=wait <= 20)
        .groupby(["queue", "k"])
        .agg(offered=("ans", "size"), answered=("ans", "sum"), within=("within", "sum"))
    )


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out), sorted(out)[max(0, int(round(0.95 * len(out))) - 1)]


def bench_size(root: Path, info: dict, reps: int) -> dict:
    res = {
        "calls": info["rows"]["calls"],
        "import_rows_s": (info["rows"]["calls"] + info["rows"].get("agent_intervals", 0)) / max(info["write_s"], 1e-9),
        "rollup_s": info["rollup_s"],
    }
    t = time.perf_counter()
    lk = lake_mod.Lake(root)
    res["open_s"] = time.perf_counter() - t
    con = duckdb.connect()
    for page, fn in pages(lk).items():
        r = {}
        lk.clear_cache()
        t = time.perf_counter()
        fn()
        r["cold"] = time.perf_counter() - t
        saved = lake_mod.CACHE_ENTRIES
        lake_mod.CACHE_ENTRIES = 0
        r["warm_nocache"] = timed(fn, reps)
        lake_mod.CACHE_ENTRIES = saved
        fn()
        r["warm_cache"] = timed(fn, reps)
        sql, files = floor_sql(root, page)
        r["floor"] = timed(lambda: con.execute(sql).fetchall(), reps)
        r["pandas"] = timed(lambda: pandas_way(page, files), max(2, reps // 3))
        res[page] = r
    agent = lk.query("SELECT agent_id FROM rollup_agent_day WHERE month = $m AND handled > 0 LIMIT 1", {"m": MONTH})[
        "agent_id"
    ][0]
    f1 = Filters(start=END, end=END, agents=(agent,))
    lake_mod.CACHE_ENTRIES, saved = 0, lake_mod.CACHE_ENTRIES
    res["drill_agent_day"] = timed(lambda: calls.metrics(lk, f1, Scope(), ("day",)), reps)
    res["drill_agent_calls"] = timed(
        lambda: lk.query(
            "SELECT * FROM calls WHERE _month = $m AND agent_id = $a AND CAST(timezone('Asia/Shanghai', arrived_at) AS DATE) = $d",
            {"m": MONTH, "a": agent, "d": END},
        ),
        max(2, reps // 3),
    )
    lake_mod.CACHE_ENTRIES = saved
    res["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


def print_table(all_res: dict):
    sizes = list(all_res)
    w = 14
    print(
        "\n"
        + "figure".ljust(44)
        + "".join(f"{s / 1e6:.1f} M calls".rjust(w * 2) for s in [all_res[k]["calls"] for k in sizes])
    )

    def row(label, vals):
        print(label.ljust(44) + "".join(str(v).rjust(w * 2) for v in vals))

    row("import throughput (rows/s, batch path)", [f"{all_res[k]['import_rows_s']:,.0f}" for k in sizes])
    row("rollup rebuild, all months (s)", [f"{all_res[k]['rollup_s']:.1f}" for k in sizes])
    row("open lake (views) (ms)", [f"{all_res[k]['open_s'] * 1e3:.0f}" for k in sizes])
    for page in ("service_level", "handle_time", "staffing", "complaints", "monthly_review"):
        P = {k: all_res[k][page] for k in sizes}
        row(f"{page}: cold (ms)", [f"{P[k]['cold'] * 1e3:.0f}" for k in sizes])
        row(
            f"{page}: warm no cache med/p95 (ms)",
            [f"{P[k]['warm_nocache'][0] * 1e3:.0f}/{P[k]['warm_nocache'][1] * 1e3:.0f}" for k in sizes],
        )
        row(
            f"{page}: warm cached med/p95 (ms)",
            [f"{P[k]['warm_cache'][0] * 1e3:.1f}/{P[k]['warm_cache'][1] * 1e3:.1f}" for k in sizes],
        )
        row(f"{page}: floor DuckDB on Parquet (ms)", [f"{P[k]['floor'][0] * 1e3:.0f}" for k in sizes])
        row(f"{page}: pandas read+groupby (ms)", [f"{P[k]['pandas'][0] * 1e3:.0f}" for k in sizes])
        row(
            f"{page}: ratio nocache/floor, pandas/nocache",
            [
                f"{P[k]['warm_nocache'][0] / P[k]['floor'][0]:.2f}x, {P[k]['pandas'][0] / P[k]['warm_nocache'][0]:.1f}x"
                for k in sizes
            ],
        )
        row(
            f"{page}: ratio cached/floor, pandas/cached",
            [
                f"{P[k]['warm_cache'][0] / P[k]['floor'][0]:.3f}x, {P[k]['pandas'][0] / P[k]['warm_cache'][0]:.0f}x"
                for k in sizes
            ],
        )
    row("drill: one agent-day metrics, no cache (ms)", [f"{all_res[k]['drill_agent_day'][0] * 1e3:.0f}" for k in sizes])
    row("drill: one agent-day raw calls (ms)", [f"{all_res[k]['drill_agent_calls'][0] * 1e3:.0f}" for k in sizes])
    row("bench process peak RSS (MB)", [f"{all_res[k]['bench_peak_rss_mb']:.0f}" for k in sizes])


GOAL_MS, GOAL_FLOOR_RATIO, GOAL_PANDAS_RATIO = 300, 1.5, 20


def print_goals(all_res: dict):
    """The issue's goals for each page's default view at the largest size, met or by how much."""
    big = all_res[max(all_res, key=lambda k: all_res[k]["calls"])]
    print(
        f"\ngoals at {big['calls'] / 1e6:.1f} M calls (warm median <= {GOAL_MS} ms, <= {GOAL_FLOOR_RATIO}x floor, "
        f">= {GOAL_PANDAS_RATIO}x faster than pandas):"
    )
    for page in ("service_level", "handle_time", "staffing", "complaints", "monthly_review"):
        P = big[page]
        for label, key in (("repeat view (cache on)", "warm_cache"), ("new filter (cache off)", "warm_nocache")):
            t = P[key][0] * 1e3
            fr, pr = P[key][0] / P["floor"][0], P["pandas"][0] / P[key][0]
            marks = [
                ("ok" if t <= GOAL_MS else "MISS") + f" {t:.0f} ms",
                ("ok" if fr <= GOAL_FLOOR_RATIO else "MISS") + f" {fr:.2f}x floor",
                ("ok" if pr >= GOAL_PANDAS_RATIO else "MISS") + f" {pr:.1f}x pandas",
            ]
            print(f"  {page:15s} {label:24s} " + " | ".join(marks))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3,15,50")
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench"))
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--from-json", type=Path, help="print the table of an earlier run's bench_results.json")
    a = ap.parse_args()
    if a.from_json:
        saved = json.loads(a.from_json.read_text())
        saved = {float(k): v for k, v in saved.items()}
        print_table(saved)
        print_goals(saved)
        return
    sizes = [float(s) for s in a.sizes.split(",")]
    sources = sorted((p for p in a.data.glob("large*") if p.is_dir()), key=lambda p: -len(p.name))
    sources = [a.data / "large50"] + sources
    all_res = {}
    for s in sorted(sizes, reverse=True):
        n = regions_for(s)
        root, info = (
            (a.data / "large50", json.loads((a.data / "large50" / "dataset.json").read_text()))
            if n == 17 and (a.data / "large50" / "dataset.json").is_file()
            else ensure_dataset(a.data, n, sources)
        )
        print(f"benchmarking {root} ({info['rows']['calls']:,} calls)", file=sys.stderr, flush=True)
        all_res[s] = bench_size(root, info, a.reps)
    all_res = {s: all_res[s] for s in sorted(all_res)}
    print_table(all_res)
    print_goals(all_res)
    (a.data / "bench_results.json").write_text(json.dumps(all_res, indent=1, default=str))


if __name__ == "__main__":
    main()
