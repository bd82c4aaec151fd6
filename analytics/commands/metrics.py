"""``python -m analytics metrics``: the call metrics the pages show, as CSV or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from analytics import schema
from analytics.commands._user_scope import add_user_argument, scope_for


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def register(sub) -> None:
    p = sub.add_parser("metrics", help="call metrics by time, center, queue, team or agent")
    p.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    p.add_argument("--from", dest="start", type=_day, help="first local day (default: first day with calls)")
    p.add_argument("--to", dest="end", type=_day, help="last local day, inclusive (default: last day with calls)")
    p.add_argument(
        "--by",
        action="append",
        default=[],
        choices=schema.GROUPINGS,
        help="group by this; repeat for several (--by team --by agent)",
    )
    p.add_argument("--center", action="append", default=[], help="only this center (repeatable)")
    p.add_argument("--queue", action="append", default=[], help="only this queue (repeatable)")
    p.add_argument("--team", action="append", default=[], help="only this team (repeatable)")
    p.add_argument("--agent", action="append", default=[], help="only this agent (repeatable)")
    p.add_argument("--answer-within", type=int, help="service-level threshold T in seconds")
    p.add_argument("--short-abandon", type=int, help="short-abandon threshold in seconds")
    p.add_argument("--sl-formula", help="service-level formula (see docs/metrics.md)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    from analytics.engines import ENGINES

    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=None,
        help="duckdb (default; rollups when they hold the settings) or spark (raw calls); default $CALLCENTER_ENGINE",
    )
    add_user_argument(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from analytics import calls, engines, lake
    from analytics import metrics as m
    from analytics.filters import Filters

    try:
        engine = args.engine or engines.default_engine()
        engines.require(engine)
    except engines.EngineUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not lake.has_dataset(args.dataset):
        print(
            f"error: {args.dataset} holds no calls; generate the demo with "
            f"`python -m analytics demo --out {args.dataset}` or import calls first",
            file=sys.stderr,
        )
        return 2
    try:
        settings = m.load_settings(args.dataset)
        changes = {
            k: v
            for k, v in (
                ("answer_within_s", args.answer_within),
                ("short_abandon_s", args.short_abandon),
                ("sl_formula", args.sl_formula),
            )
            if v is not None
        }
        settings = settings.with_(**changes)
        lk = lake.open_lake(args.dataset)
        scope = scope_for(args, args.dataset)
        opts = calls.filter_options(lk, scope)
        filters = Filters(
            start=args.start or opts["first_day"],
            end=args.end or opts["last_day"],
            centers=tuple(args.center),
            queues=tuple(args.queue),
            teams=tuple(args.team),
            agents=tuple(args.agent),
        )
        # The period and codes come from DuckDB (small, from the rollups); the metrics
        # themselves from the chosen engine.
        source = lk if engine == "duckdb" else engines.query_lake(engine, args.dataset)
        df = calls.metrics(source, filters, scope, tuple(args.by), settings)
    except (ValueError, PermissionError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for col in ("day", "week", "month"):  # dates, not midnight timestamps
        if col in df.columns:
            df[col] = df[col].dt.strftime("%Y-%m-%d")
    if args.format == "json":
        json.dump(records(df), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        from analytics.export import safe_csv

        sys.stdout.write(safe_csv(df))
    return 0


def records(df) -> list[dict]:
    """Row objects with ISO dates and nulls for missing values."""
    import pandas as pd

    out = []
    for row in df.to_dict(orient="records"):
        clean = {}
        for k, v in row.items():
            if v is None or (not isinstance(v, (list, tuple)) and pd.isna(v)):
                clean[k] = None
            elif hasattr(v, "isoformat"):
                clean[k] = v.isoformat()
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out
