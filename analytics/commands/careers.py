"""``python -m analytics careers``: promotion rate, time to first promotion and the
annual role-to-role transition matrix (rows sum to 1), as JSON or text.

Example::

    python -m analytics careers --dataset data/demo --from 2025-11-01 --to 2026-10-31 --format json
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from analytics.commands._user_scope import add_user_argument


class InputError(Exception):
    """A user mistake on the command line, reported in one line."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "careers",
        help="career progression: promotion rate, time to promotion, transitions",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("--dataset", required=True, help="dataset folder")
    # Dates are read as text and checked in run() so every mistake ends in one line and exit 2.
    p.add_argument("--from", dest="start", help="first day YYYY-MM-DD (default: 12 months before --to)")
    p.add_argument("--to", dest="end", help="last day YYYY-MM-DD (default: the last career event)")
    p.add_argument("--format", default="json", help="json (default) or text")
    add_user_argument(p)
    p.set_defaults(func=run)


def _scope(args):
    """Who asks: the --user's scope, or everything for an operator."""
    from analytics.commands._user_scope import scope_for

    return scope_for(args, Path(args.dataset))


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD, got {text!r}") from None


def compute(dataset: Path, start: date | None, end: date | None, scope) -> dict:
    import pandas as pd

    from analytics import careers, lake
    from analytics.filters import Filters

    if not (dataset / "employees").is_dir():
        raise InputError(
            f"{dataset} holds no employees table; generate the demo with "
            f"`python -m analytics demo --out {dataset}` or import HR data first"
        )
    lk = lake.open_lake(dataset)
    if end is None:
        last = lk.query("SELECT max(event_date) AS d FROM role_events")["d"].iloc[0]
        if last is None or pd.isna(last):
            raise InputError(f"{dataset} holds no career events")
        end = pd.Timestamp(last).date()
    if start is None:
        start = (pd.Timestamp(end) - pd.DateOffset(months=12) + pd.Timedelta(days=1)).date()
    if end < start:
        raise InputError(f"--to ({end}) is before --from ({start})")
    data = careers.load(lk, Filters(start=start, end=end), scope)
    summary = careers.period_summary(data)
    ttp = careers.time_to_promotion(data)
    matrix = careers.transition_matrix(data, min_group=scope.min_group)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "promotion_rate": summary["promotion_rate"],
        "promotions": summary["promotions"],
        "person_years": round(summary["person_years"], 3),
        "internal_mobility_rate": summary["internal_mobility_rate"],
        "promotions_per_transfer": summary["promotions_per_transfer"],
        "moves": summary["moves"],
        "median_months_to_first_promotion": ttp["median_months"],
        "p25_months_to_first_promotion": ttp["p25_months"],
        "p75_months_to_first_promotion": ttp["p75_months"],
        "naive_median_months_promoted_only": ttp["naive_median_months_promoted_only"],
        "entrants": ttp["people"],
        "entrants_promoted": ttp["promoted"],
        "transition_matrix": careers.matrix_as_dict(matrix),
        "transition_people": {r: int(n) for r, n in matrix["people"].items()},
    }


def _as_text(figures: dict) -> str:
    lines = []
    for key, value in figures.items():
        if key == "transition_matrix":
            lines.append("transition_matrix (annual)")
            for role, row in value.items():
                lines.append(f"  {role}: " + ", ".join(f"{k} {v:.3f}" for k, v in row.items()))
        elif isinstance(value, float):
            lines.append(f"{key}  {value:.4g}")
        else:
            lines.append(f"{key}  {value if value is not None else 'n/a'}")
    return "\n".join(lines)


def run(args) -> int:
    try:
        fmt = args.format or "json"
        if fmt not in ("json", "text"):
            raise InputError(f"--format must be json or text, got {fmt!r}")
        figures = compute(Path(args.dataset), _day("--from", args.start), _day("--to", args.end), _scope(args))
    except (InputError, ValueError, PermissionError) as exc:
        print(f"careers: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures, ensure_ascii=False) if fmt == "json" else _as_text(figures))
    return 0
