"""``python -m analytics rollups``: rebuild a dataset's rollups on DuckDB or Spark."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(text: str) -> str:
    import argparse

    if not _MONTH.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a month in the form YYYY-MM")
    return text


def register(sub) -> None:
    from analytics.engines import ENGINES

    p = sub.add_parser("rollups", help="rebuild the rollups (all months, or the ones named) on DuckDB or Spark")
    p.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=None,
        help="engine that computes them (default: $CALLCENTER_ENGINE, else duckdb)",
    )
    p.add_argument(
        "--months",
        nargs="+",
        type=_month,
        metavar="YYYY-MM",
        help="only these center-local months (default: every month with calls or intervals)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    from analytics import engines, lake

    if not lake.has_dataset(args.dataset):
        print(
            f"error: {args.dataset} holds no calls; generate the demo with "
            f"`python -m analytics demo --out {args.dataset}` or import calls first",
            file=sys.stderr,
        )
        return 2
    try:
        engine = args.engine or engines.default_engine()
        engines.require(engine)
    except engines.EngineUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    done = engines.rebuild_rollups(args.dataset, args.months, engine=engine)
    seconds = time.perf_counter() - started
    if args.months and len(done) < len(set(args.months)):
        absent = sorted(set(args.months) - set(done))
        print(f"note: no calls or intervals in {', '.join(absent)}; nothing built for them", file=sys.stderr)
    print(
        f"rebuilt {len(done)} month(s) of rollups with {engine} in {seconds:.1f} s"
        + (f": {done[0]} … {done[-1]}" if done else "")
    )
    return 0
