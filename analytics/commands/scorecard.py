"""``python -m analytics scorecard``: the monthly appraisal of agents as JSON or CSV.

Example::

    python -m analytics scorecard --dataset data/demo --month 2026-10 --team SH-T01 --format json

JSON: ``{"month": "YYYY-MM", "weights": {component: weight}, "rows": [{"employee_id",
"name", "team", "components": {component: 0-100 or null}, "score", "rank"}]}``; the
weights are shares of 1, ``score`` = Σ weight × component over the components present
(a missing component's weight spread proportionally), ``rank`` 1 = best in the team.
CSV: one row per agent with the same fields, one column per component.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analytics.commands._user_scope import add_user_argument


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "scorecard",
        help="monthly appraisal scores of agents, ranked within their team",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    p.add_argument("--month", required=True, help="YYYY-MM, or 'last' for the previous calendar month")
    p.add_argument("--team", action="append", default=[], help="only this team (repeatable)")
    p.add_argument("--format", choices=("json", "csv"), default="json", help="json (default) or csv")
    add_user_argument(p)
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    from analytics import lake, scorecard
    from analytics.commands._month import resolve_month
    from analytics.commands._user_scope import scope_for
    from analytics.export import safe_csv

    try:
        month = resolve_month(args.month)
    except ValueError as e:
        return _fail(str(e))
    if not (args.dataset / "employees").is_dir() or not lake.has_dataset(args.dataset):
        return _fail(
            f"{args.dataset} holds no calls and employees; generate the demo with "
            f"`python -m analytics demo --out {args.dataset}` or import data first"
        )
    try:
        scope = scope_for(args, args.dataset)
        lk = lake.open_lake(args.dataset)
        weights = scorecard.load_weights(args.dataset)
        cards = scorecard.agent_month(lk, month, scope, tuple(args.team), weights)
    except (ValueError, PermissionError) as e:
        return _fail(str(e))
    doc = scorecard.as_document(cards, month, weights)
    if not doc["rows"]:  # not an error (a JSON reader gets an empty list), but say why on stderr
        months = lk.months("calls")
        latest = f"; the latest month with calls is {months[-1]}" if months else ""
        print(f"note: no agents with appraisal data in {doc['month']} within the scope{latest}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(safe_csv(scorecard.as_csv_frame(doc)))
    return 0
