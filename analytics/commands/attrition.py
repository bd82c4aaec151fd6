"""``python -m analytics attrition``: attrition risk on any HR export, and current scores.

Examples::

    python -m analytics attrition evaluate --input hr.csv --target Termd --protected Sex --format json
    python -m analytics attrition score --dataset data/demo --format csv
    python -m analytics attrition retention --dataset data/demo --by role --at 90 180 365 --format json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from analytics import attrition, audit, survival
from analytics.access import Scope
from analytics.commands._user_scope import add_user_argument, scope_for


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "attrition",
        help="attrition risk: evaluate on an HR export, score employees",
        description=__doc__.splitlines()[0],
    )
    sub = parser.add_subparsers(dest="attrition_command", required=True)
    ev = sub.add_parser("evaluate", help="train and validate on an employee table (CSV, Excel or Parquet)")
    ev.add_argument("--input", required=True, help="the employee table")
    ev.add_argument("--target", required=True, help="column that says whether the person left")
    ev.add_argument("--positive", help="value of the target column that means 'left' (default: 1 / true)")
    ev.add_argument("--id", dest="id_col", help="identifier column (never a feature)")
    ev.add_argument("--date", dest="date_col", help="date column: validate out of time on the latest rows")
    ev.add_argument("--exclude", nargs="*", default=[], help="columns never used (e.g. ones that leak the outcome)")
    ev.add_argument("--protected", nargs="*", default=[], help="protected columns: fairness audit only")
    ev.add_argument("--format", default="text", help="text (default) or json")
    ev.set_defaults(func=run_evaluate)
    sc = sub.add_parser("score", help="current employees with their risk, band and top drivers")
    sc.add_argument("--dataset", required=True, help="dataset folder")
    sc.add_argument("--horizon", default="90", help="days ahead: 90 (default) or 365")
    sc.add_argument("--format", default="csv", help="csv (default) or json")
    add_user_argument(sc)
    sc.set_defaults(func=run_score)
    rt = sub.add_parser(
        "retention", help="retention at given days of tenure (delayed entry, role and team as held at the time)"
    )
    rt.add_argument("--dataset", required=True, help="dataset folder")
    rt.add_argument(
        "--by",
        choices=survival.GROUPS,
        help="group by role, team, center or cohort (hire year); default: everyone as one group 'all'",
    )
    rt.add_argument(
        "--event",
        choices=survival.EVENTS,
        default="any",
        help="what ends employment: any exit (default) or voluntary exits only (others censored)",
    )
    rt.add_argument(
        "--at", nargs="+", type=int, default=[90, 180, 365], metavar="DAYS", help="days of tenure (default: 90 180 365)"
    )
    rt.add_argument("--format", default="json", help="json (default) or csv")
    add_user_argument(rt)
    rt.set_defaults(func=run_retention)


def _fail(message: str) -> int:
    print(f"attrition: error: {message}", file=sys.stderr)
    return 2


def _scope(args) -> Scope:
    """Who is asking: the --user's scope, or everything for an operator."""
    return scope_for(args, Path(args.dataset))


def run_evaluate(args) -> int:
    if args.format not in ("text", "json"):
        return _fail(f"--format must be text or json, got {args.format!r}")
    try:
        table = attrition.read_table(Path(args.input))
        result = attrition.evaluate_table(
            table, args.target, args.positive, args.id_col, args.date_col, args.exclude, args.protected
        )
    except (ValueError, KeyError, OSError) as exc:
        return _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0
    ref = result["reference_logistic_regression"]
    print(f"rows {result['n']}, leavers {result['positives']}; {result['protocol']}")
    for k in ("roc_auc", "pr_auc", "brier", "precision_at_10pct"):
        print(f"{k:20s} {result[k]:.3f}   (reference logistic regression C=1: {ref[k]:.3f})")
    print("features: " + ", ".join(result["features_used"]))
    print("excluded: " + ", ".join(result["excluded"]))
    for col, a in result["fairness"].items():
        ratio = "n/a" if a["ratio"] is None else f"{a['ratio']:.2f}"
        print(f"fairness {col}: flag-rate ratio {ratio} ({'passes' if a['passes_four_fifths'] else 'below'} 4/5)")
    return 0


def run_score(args) -> int:
    if args.format not in ("csv", "json"):
        return _fail(f"--format must be csv or json, got {args.format!r}")
    if args.horizon not in ("90", "365"):
        return _fail(f"--horizon must be 90 or 365, got {args.horizon!r}")
    root = Path(args.dataset)
    if not (root / "employees").is_dir():
        return _fail(f"{root} holds no employees table")
    from analytics.lake import open_lake

    try:
        scope = _scope(args)
        df = attrition.scores(open_lake(root), scope, int(args.horizon))
    except (ValueError, PermissionError) as exc:
        return _fail(str(exc))
    audit.record(
        root,
        "view_risk_scores",
        f"attrition score command, {len(df)} people",
        scope,
        horizon_days=int(args.horizon),
        channel="cli",
    )
    if args.format == "json":
        print(df.to_json(orient="records", force_ascii=False))
    else:
        from analytics.export import safe_csv

        sys.stdout.write(safe_csv(df))
    return 0


def run_retention(args) -> int:
    if args.format not in ("json", "csv"):
        return _fail(f"--format must be json or csv, got {args.format!r}")
    if any(d < 0 for d in args.at):
        return _fail("--at takes days of tenure, 0 or more")
    root = Path(args.dataset)
    if not (root / "employees").is_dir():
        return _fail(f"{root} holds no employees table")
    from analytics.lake import open_lake

    try:
        scope = _scope(args)
        lake = open_lake(root)
        window = survival.observation_window(lake)
        ep = survival.episodes(lake, scope, window)
        table = survival.retention(ep, list(args.at), by=args.by, event=args.event, min_group=scope.min_group)
    except (ValueError, PermissionError) as exc:
        return _fail(str(exc))
    rows = [
        {
            "group": r.group,
            "days": int(r.days),
            "retention": None if pd.isna(r.retention) else round(float(r.retention), 6),
            "at_risk": int(r.at_risk),
        }
        for r in table.itertuples()
    ]
    if args.format == "csv":
        from analytics.export import safe_csv

        sys.stdout.write(safe_csv(pd.DataFrame(rows, columns=["group", "days", "retention", "at_risk"])))
        return 0
    print(
        json.dumps(
            {"observed_from": window.observed_from.isoformat(), "as_of": window.as_of.isoformat(), "rows": rows},
            ensure_ascii=False,
        )
    )
    return 0
