"""Benchmark (run by hand, never in the test suite): python bench/run.py --sizes 3,15,50 [--data /tmp/bench]

For each size (million calls) it reuses or makes a large-scale demo dataset (regions of
~3.08 M calls; smaller sizes hard-link the first regions' batches of a bigger dataset and
rebuild their rollups) and, for every page in bench/pages.py (the mirror of views/*.py):

- cold: a new Lake's first view (empty cache); its peak RSS in a process of its own;
- repeat: the exact same view again (cache on);
- interactive: a filter never asked before (another month plus one queue or center, a new
  combination each time, fixed seed), cache on — what a person clicking around gets;
- after import: the first view after importing a few hundred calls of the latest month into
  a hard-linked scratch copy (the source dataset is never written);
- floors (bench/floors.py): every figure the page shows, hand-written DuckDB over the raw
  Parquet and over the published rollups; a fair pandas (column and predicate pushdown,
  vectorised dates) for the call pages;
- concurrency: N sessions at once (threads on one shared Lake, as Streamlit's server runs
  sessions), each a page with its own unseen filter: p50/p95 server time;

then prints the machine, the commit and one table, and a projection to 1 B calls.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analytics import calls, engines, lake as lake_mod  # noqa: E402
from analytics.access import Scope  # noqa: E402
from analytics.filters import Filters  # noqa: E402
from bench import floors, pages  # noqa: E402

CALLS_PER_REGION = 3.08
SEED = 20261202


def regions_for(size: float) -> int:
    return max(1, math.ceil(size / CALLS_PER_REGION - 0.05))  # 3 -> 1, 15 -> 5, 50 -> 17 (52.5 M)


# Datasets --------------------------------------------------------------------------------------


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
    engines.rebuild_rollups(d)  # with the staffing month (lake.DERIVED), as an import builds it
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


def scratch_copy(src: Path, dst: Path) -> None:
    """A writable copy that shares the source's Parquet files: data files are hard-linked
    (the importer only ever adds files and renames over names, never writes into one), every
    other file (manifests, JSON, the audit log the importer appends to) is a real copy."""
    if dst.exists():
        shutil.rmtree(dst)
    for dirpath, _dirs, files in os.walk(src):
        out = dst / Path(dirpath).relative_to(src)
        out.mkdir(parents=True, exist_ok=True)
        for name in files:
            s = Path(dirpath) / name
            (os.link if name.endswith(".parquet") else shutil.copy2)(s, out / name)


def import_some_calls(root: Path, month: str, n: int, tmp: Path) -> float:
    """Import ``n`` new calls of ``month`` with the project's importer (the command line, in
    its own process, as an administrator would); returns its wall time."""
    f = floors.Files(root)
    con = duckdb.connect()
    df = con.execute(
        "SELECT 'bench-' || row_number() OVER () AS call_id, c.queue, "
        "strftime(timezone(z.timezone, c.arrived_at), '%Y-%m-%d %H:%M:%S') AS arrived_at, "
        "strftime(timezone(z.timezone, c.answered_at), '%Y-%m-%d %H:%M:%S') AS answered_at, "
        "strftime(timezone(z.timezone, c.ended_at), '%Y-%m-%d %H:%M:%S') AS ended_at, c.center, c.direction, "
        "c.agent_id, c.talk_s, c.hold_s, c.acw_s, c.category, c.transferred, c.csat, c.resolved_first_contact "
        "FROM read_parquet($files) c JOIN read_parquet($centers) z USING (center) ORDER BY hash(c.call_id) LIMIT $n",
        {"files": f.raw("calls", [month]), "centers": f.raw("centers"), "n": n},
    ).df()
    csv = tmp / "bench_import_calls.csv"
    df.to_csv(csv, index=False)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analytics", "ingest", "--dataset", str(root), "calls", str(csv)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t


# Measuring ------------------------------------------------------------------------------------


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def vmhwm_mb() -> float:
    return int(Path("/proc/self/status").read_text().split("VmHWM:")[1].split()[0]) / 1024


def page_memory_child(root: Path, page: str) -> None:
    """In a fresh process: the page's first view; prints the peak RSS (VmHWM) and the RSS
    before it (imports done, lake open), in MB, as JSON."""
    lk = lake_mod.Lake(root)
    ctx = pages.context(lk)
    f = pages.default_filters(lk)
    before = rss_mb()
    pages.run(page, ctx, f)
    print(json.dumps({"before_mb": before, "peak_mb": vmhwm_mb()}))


def page_memory(root: Path, page: str) -> dict:
    """A page's peak memory measured alone: in a process of its own (in the bench's process
    every page after the first finds memory already grown)."""
    out = subprocess.run(
        [sys.executable, __file__, "--page-memory", str(root), page], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def timed(fn, n) -> dict:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return {"med": statistics.median(out), "p95": pct(out, 0.95), "n": n}


def unseen_filters(lk, rng: random.Random, k: int, seen: set) -> list[Filters]:
    """``k`` filters nobody asked for yet: a month other than the default's plus one queue or
    one center, drawn from ``rng`` (fixed seed), never the same combination twice."""
    opts = calls.filter_options(lk, Scope.everything())
    months = [m for m in lk.months("calls") if m != opts["last_day"].strftime("%Y-%m")]
    queues = opts["queues"].query("direction == 'inbound'")["queue"].tolist()
    centers = opts["centers"]["center"].tolist()
    out = []
    while len(out) < k:
        m = rng.choice(months)
        kind = rng.choice(("queues", "centers"))
        code = rng.choice(queues if kind == "queues" else centers)
        if (m, kind, code) in seen:
            if len(seen) >= len(months) * (len(queues) + len(centers)):
                seen.clear()
            continue
        seen.add((m, kind, code))
        first, last = floors.month_bounds(m)
        out.append(Filters(start=max(first, opts["first_day"]), end=min(last, opts["last_day"]), **{kind: (code,)}))
    return out


# The fair pandas: what a careful plain Streamlit app would do --------------------------------


def pandas_page(page: str, f: floors.Files, month: str, cfg, tz: str):
    files = f.raw("calls", [month])
    inbound = [("direction", "==", "inbound")]
    if page in ("service_level", "staffing"):
        df = pd.read_parquet(files, columns=["queue", "arrived_at", "answered_at", "ended_at"], filters=inbound)
        loc = df["arrived_at"].dt.tz_convert(tz).dt.tz_localize(None)
        wait = (df["answered_at"] - df["arrived_at"]).dt.total_seconds()
        short = df["answered_at"].isna() & (
            (df["ended_at"] - df["arrived_at"]).dt.total_seconds() <= cfg.short_abandon_s
        )
        g = (
            df.assign(i15=loc.dt.floor("15min"), ans=df["answered_at"].notna(), within=wait <= cfg.answer_within_s)
            .assign(short=short, wait=wait)
            .groupby(["queue", "i15"], observed=True)
            .agg(offered=("ans", "size"), answered=("ans", "sum"), within=("within", "sum"), short=("short", "sum"))
            .reset_index()
        )
        if page == "staffing":
            # The page's figures: AHT per queue-interval, each queue's caller patience, then
            # Erlang A/C by the product's vectorised maths (as the floor does).
            from analytics import staffing as erlang

            h = pd.read_parquet(files, columns=["talk_s", "hold_s", "acw_s"], filters=inbound)
            g_h = (
                (h["talk_s"] + h["hold_s"] + h["acw_s"])
                .groupby([df["queue"], loc.dt.floor("15min")], observed=True)
                .mean()
                .rename("aht_s")
            )
            g = g.merge(g_h.reset_index().rename(columns={"arrived_at": "i15"}), how="left", on=["queue", "i15"])
            waited = (df["answered_at"].fillna(df["ended_at"]) - df["arrived_at"]).dt.total_seconds()
            pq = pd.DataFrame({"w": waited, "ab": df["answered_at"].isna()}).groupby(df["queue"], observed=True).sum()
            patience = (pq["w"] / pq["ab"]).where(pq["ab"] >= 30)
            ai = pd.read_parquet(f.raw("agent_intervals", [month]), columns=["queue", "interval_start", "staffed_s"])
            ai["i15"] = ai["interval_start"].dt.tz_convert(tz).dt.tz_localize(None).dt.floor("15min")
            st = ai.groupby(["queue", "i15"], observed=True)["staffed_s"].sum() / 900
            g = g.merge(st.rename("staffed").reset_index(), how="outer", on=["queue", "i15"])
            g = g[(g["offered"] > 0) & (g["aht_s"] > 0)]
            traffic = g["offered"].to_numpy(float) * g["aht_s"].to_numpy(float) / 900
            pat = g["queue"].map(patience).to_numpy(float)
            req = erlang.required_agents_arrays(traffic, g["aht_s"].to_numpy(float), cfg.answer_within_s, 0.8, pat)
            at = erlang.service_level_at_fractional_agents(
                traffic, g["staffed"].fillna(0).to_numpy(float), g["aht_s"].to_numpy(float), cfg.answer_within_s, pat
            )
            return g.assign(required=req, at=at)
        g["day"], g["dow"], g["hr"] = g["i15"].dt.normalize(), g["i15"].dt.day_of_week, g["i15"].dt.hour
        return [g.groupby(k)[["offered", "answered", "within", "short"]].sum() for k in ("day", ["dow", "hr"], "queue")]
    if page == "handle_time":
        df = pd.read_parquet(
            files,
            columns=["category", "agent_id", "arrived_at", "talk_s", "hold_s", "acw_s", "transferred"],
            filters=inbound,
        ).dropna(subset=["talk_s"])
        df["h"] = df["talk_s"] + df["hold_s"] + df["acw_s"]
        df["bin"] = (df["h"] // 30 * 30).clip(upper=1800)
        df["day"] = df["arrived_at"].dt.tz_convert(tz).dt.normalize()
        return [df.groupby(k)["h"].agg(["size", "mean"]) for k in ("day", "bin", "category", "agent_id")]
    if page == "complaints":
        df = pd.read_parquet(
            f.raw("complaints"), columns=["received_at", "closed_at", "level", "channel", "category", "queue", "valid"]
        )
        df = df[df["valid"]]
        n = sum(len(pd.read_parquet(files, columns=["direction"], filters=inbound)) for _ in [0])
        first, last = floors.month_bounds(month)
        rec = df["received_at"].dt.tz_convert(tz).dt.normalize().dt.tz_localize(None)
        now = df[(rec >= pd.Timestamp(first)) & (rec <= pd.Timestamp(last))]
        return [now.groupby(k).size() / n * 10_000 for k in ("level", "channel", "category", "queue")]
    if page == "monthly_review":
        months = [floors.month_add(month, -k) for k in range(13)]
        df = pd.read_parquet(
            f.raw("calls", months), columns=["queue", "arrived_at", "answered_at", "month"], filters=inbound
        )
        df["ans"] = df["answered_at"].notna()
        return df.groupby(["month", "queue"], observed=True)["ans"].agg(["size", "sum"])
    return None


# One size -------------------------------------------------------------------------------------


def bench_size(root: Path, info: dict, a) -> dict:
    rng = random.Random(SEED)
    seen: set = set()
    res = {
        "calls": info["rows"]["calls"],
        "import_rows_s": (info["rows"]["calls"] + info["rows"].get("agent_intervals", 0)) / max(info["write_s"], 1e-9),
        "rollup_s": info["rollup_s"],
    }
    t = time.perf_counter()
    lk = lake_mod.Lake(root)
    res["open_s"] = time.perf_counter() - t
    ctx = pages.context(lk)
    fl = floors.Files(root)
    month = fl.latest_month()
    con = duckdb.connect()
    floors.hold_reference(con, fl)  # the rollup floors read employees from memory, as the page (not timed)
    tz = floors._tz(con, fl)
    default = pages.default_filters(lk)
    names = [p for p in pages.PAGE_NAMES if not a.pages or p in a.pages.split(",")]
    for page in names:
        r: dict = {}
        print(f"  {page}", file=sys.stderr, flush=True)
        lk.clear_cache()
        t = time.perf_counter()
        pages.run(page, ctx, default)
        r["cold"] = time.perf_counter() - t
        r["memory"] = page_memory(root, page)
        r["repeat"] = timed(lambda: pages.run(page, ctx, default), a.reps)
        fs = unseen_filters(lk, rng, a.interactive, seen)
        it = iter(fs)
        r["interactive"] = timed(lambda: pages.run(page, ctx, next(it)), len(fs))
        r["floor_raw"] = timed(lambda: floors.FLOORS[page](con, fl, month, ctx.cfg, False), a.floor_reps)
        r["floor_rollup"] = timed(lambda: floors.FLOORS[page](con, fl, month, ctx.cfg, True), a.floor_reps)
        if pandas_page(page, fl, month, ctx.cfg, tz) is not None:
            r["pandas"] = timed(lambda: pandas_page(page, fl, month, ctx.cfg, tz), max(2, a.floor_reps // 2))
        res[page] = r
    if not a.no_import:
        res["after_import"] = after_import(root, names, a)
    if a.concurrency:
        res["concurrency"] = concurrency(lk, ctx, names, [int(x) for x in a.concurrency.split(",")], rng, seen)
    res["bench_peak_rss_mb"] = vmhwm_mb()
    return res


def after_import(root: Path, names: list[str], a) -> dict:
    """First view of each page after a small import, on a hard-linked scratch copy."""
    scratch = a.scratch / f"{root.name}-import"
    print(f"  after import: copying {root} -> {scratch} (hard links)", file=sys.stderr, flush=True)
    scratch_copy(root, scratch)
    try:
        lk = lake_mod.Lake(scratch)
        ctx = pages.context(lk)
        default = pages.default_filters(lk)
        for page in names:  # every page viewed and cached, as on a server in use
            pages.run(page, ctx, default)
        month = floors.Files(scratch).latest_month()
        out = {"import_s": import_some_calls(scratch, month, a.import_calls, a.scratch), "calls": a.import_calls}
        lk.refresh()
        ctx = pages.context(lk)
        for page in names:
            t = time.perf_counter()
            pages.run(page, ctx, pages.default_filters(lk))
            out[page] = time.perf_counter() - t
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def concurrency(lk, ctx, names, levels, rng, seen) -> dict:
    """N sessions at once on one Lake (Streamlit runs each session's script in a thread of
    one server process): each session views two pages with filters of its own."""
    out = {}
    for n in levels:
        jobs = [(rng.choice(names), f) for f in unseen_filters(lk, rng, 2 * n, seen)]
        barrier = threading.Barrier(n)

        def session(i):
            barrier.wait()
            times = []
            for page, f in jobs[2 * i : 2 * i + 2]:
                t = time.perf_counter()
                pages.run(page, ctx, f)
                times.append(time.perf_counter() - t)
            return times

        with ThreadPoolExecutor(n) as ex:
            times = [x for ts in ex.map(session, range(n)) for x in ts]
        out[str(n)] = {"p50": pct(times, 0.5), "p95": pct(times, 0.95), "views": len(times)}
        print(f"  concurrency {n}: p50 {out[str(n)]['p50']:.2f} s", file=sys.stderr, flush=True)
    return out


# Report ---------------------------------------------------------------------------------------


def machine() -> dict:
    import pyarrow
    import streamlit

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = int(next(ln.split()[1] for ln in open("/proc/meminfo") if ln.startswith("MemTotal"))) / 2**20
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(mem, 1),
        "cpu": cpu,
        "load_1m": os.getloadavg()[0],
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "streamlit": streamlit.__version__,
        "commit": git.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def fit_power(xs: list[float], ys: list[float]) -> tuple[float, float] | None:
    """y = c * x**b by least squares on log-log (b: the growth exponent); None below 2 points."""
    pts = [(math.log(x), math.log(y)) for x, y in zip(xs, ys) if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    b, logc = np.polyfit([p[0] for p in pts], [p[1] for p in pts], 1)
    return float(math.exp(logc)), float(b)


def print_report(all_res: dict, mach: dict) -> None:
    sizes = list(all_res)
    w = 24
    print(
        f"\nmachine: {mach['nproc']} cores ({mach['cpu']}), {mach['ram_gib']} GiB RAM, load {mach['load_1m']:.2f}; "
        f"Python {mach['python']}, DuckDB {mach['duckdb']}, pandas {mach['pandas']}, pyarrow {mach['pyarrow']}, "
        f"Streamlit {mach['streamlit']}\ncommit {mach['commit']}, run {mach['date']}"
    )
    print("figure".ljust(52) + "".join(f"{all_res[k]['calls'] / 1e6:.1f} M calls".rjust(w) for k in sizes))

    def row(label, fn):
        vals = []
        for k in sizes:
            try:
                vals.append(fn(all_res[k]))
            except (KeyError, TypeError, ZeroDivisionError):
                vals.append("—")
        print(label.ljust(52) + "".join(str(v).rjust(w) for v in vals))

    ms = lambda x: f"{x * 1e3:.0f}"  # noqa: E731
    mp = lambda d: f"{d['med'] * 1e3:.0f}/{d['p95'] * 1e3:.0f}"  # noqa: E731
    row("import throughput (rows/s, batch path)", lambda r: f"{r['import_rows_s']:,.0f}")
    row("rollup rebuild, all months (s)", lambda r: f"{r['rollup_s']:.1f}")
    row("open lake (ms)", lambda r: ms(r["open_s"]))
    for page in pages.PAGE_NAMES:
        if not any(page in all_res[k] for k in sizes):
            continue
        row(f"{page}: cold, new lake (ms)", lambda r: ms(r[page]["cold"]))
        row(
            f"{page}: peak RSS alone, process / page (MB)",
            lambda r: (
                f"{r[page]['memory']['peak_mb']:.0f} / {r[page]['memory']['peak_mb'] - r[page]['memory']['before_mb']:.0f}"
            ),
        )
        row(f"{page}: repeat, cache on, med/p95 (ms)", lambda r: mp(r[page]["repeat"]))
        row(f"{page}: INTERACTIVE unseen filter med/p95 (ms)", lambda r: mp(r[page]["interactive"]))
        row(f"{page}: first view after import (ms)", lambda r: ms(r["after_import"][page]))
        row(f"{page}: floor, raw Parquet (ms)", lambda r: ms(r[page]["floor_raw"]["med"]))
        row(f"{page}: floor, rollups (ms)", lambda r: ms(r[page]["floor_rollup"]["med"]))
        row(f"{page}: fair pandas (ms)", lambda r: ms(r[page]["pandas"]["med"]))
        row(
            f"{page}: interactive / rollup floor, / raw floor",
            lambda r: (
                f"{r[page]['interactive']['med'] / r[page]['floor_rollup']['med']:.2f}x, "
                f"{r[page]['interactive']['med'] / r[page]['floor_raw']['med']:.2f}x"
            ),
        )
    row("import of the after-import column (s, CLI)", lambda r: f"{r['after_import']['import_s']:.1f}")
    levels = sorted({n for k in sizes for n in all_res[k].get("concurrency", {})}, key=int)
    for n in levels:
        row(
            f"concurrency {n} sessions p50/p95 (ms)",
            lambda r: f"{ms(r['concurrency'][n]['p50'])}/{ms(r['concurrency'][n]['p95'])}",
        )
    row("bench process peak RSS (MB)", lambda r: f"{r['bench_peak_rss_mb']:.0f}")
    print_projection(all_res)


def print_projection(all_res: dict, target: float = 1e9) -> None:
    xs = [all_res[k]["calls"] for k in all_res]
    print(
        f"\nprojection to {target / 1e9:.0f} B calls: y = c * calls^b fitted by least squares on log-log over the "
        f"{len(xs)} sizes (b = growth exponent; b near 1 = linear in the data)"
    )
    for page in pages.PAGE_NAMES:
        for label, get, unit, scale in (
            ("interactive med", lambda r: r[page]["interactive"]["med"], "ms", 1e3),
            ("process peak RSS", lambda r: r[page]["memory"]["peak_mb"], "MB", 1),
            ("rollup floor", lambda r: r[page]["floor_rollup"]["med"], "ms", 1e3),
        ):
            try:
                ys = [get(all_res[k]) for k in all_res]
            except KeyError:
                continue
            fit = fit_power(xs, ys)
            if fit:
                c, b = fit
                print(f"  {page:15s} {label:20s} b = {b:.2f}  -> {c * target**b * scale:,.0f} {unit}")
    if len(xs) < 2:
        print("  (one size only: no fit)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3,15,50")
    ap.add_argument(
        "--data", type=Path, default=Path("/tmp/bench"), help="holds large50 (and large1, large5 made from it)"
    )
    ap.add_argument("--dataset", type=Path, help="bench this one dataset folder instead of --sizes")
    ap.add_argument(
        "--scratch", type=Path, default=Path("/tmp/bench-scratch"), help="writable folder (after-import copy)"
    )
    ap.add_argument("--reps", type=int, default=7, help="repeats of the exact-repeat column")
    ap.add_argument("--interactive", type=int, default=7, help="unseen filters per page (>= 5)")
    ap.add_argument("--floor-reps", type=int, default=5)
    ap.add_argument("--import-calls", type=int, default=300)
    ap.add_argument("--concurrency", default="1,10,20", help="sessions at once; empty to skip")
    ap.add_argument("--pages", default="", help="comma-separated subset of " + ",".join(pages.PAGE_NAMES))
    ap.add_argument("--no-import", action="store_true", help="skip the after-import column")
    ap.add_argument("--from-json", type=Path, help="print the table of an earlier run's JSON")
    ap.add_argument("--page-memory", nargs=2, metavar=("DATASET", "PAGE"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.page_memory:
        page_memory_child(Path(a.page_memory[0]), a.page_memory[1])
        return
    if a.from_json:
        saved = json.loads(a.from_json.read_text())
        print_report({float(k): v for k, v in saved["sizes"].items()}, saved["machine"])
        return
    a.scratch.mkdir(parents=True, exist_ok=True)
    mach = machine()
    all_res = {}
    if a.dataset:
        info = json.loads((a.dataset / "dataset.json").read_text()) if (a.dataset / "dataset.json").is_file() else {}
        info.setdefault("rows", {"calls": lake_mod.Lake(a.dataset).count("calls")})
        info.setdefault("write_s", float("nan"))
        info.setdefault("rollup_s", float("nan"))
        targets = [(info["rows"]["calls"] / 1e6, a.dataset, info)]
    else:
        sources = [a.data / "large50"] + sorted(
            (p for p in a.data.glob("large*") if p.is_dir()), key=lambda p: -len(p.name)
        )
        targets = []
        for s in sorted((float(x) for x in a.sizes.split(",")), reverse=True):
            root, info = ensure_dataset(a.data, regions_for(s), sources)
            targets.append((s, root, info))
    for s, root, info in targets:
        print(f"benchmarking {root} ({info['rows']['calls']:,} calls)", file=sys.stderr, flush=True)
        all_res[s] = bench_size(root, info, a)
    all_res = {s: all_res[s] for s in sorted(all_res)}
    print_report(all_res, mach)
    out = a.scratch / "bench_results.json"
    out.write_text(json.dumps({"machine": mach, "sizes": all_res}, indent=1, default=str))
    print(f"\nsaved {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
