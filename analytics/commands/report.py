"""``python -m analytics report monthly``: the executive monthly review as one HTML file."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("report", help="reports to send (the monthly review as a self-contained HTML file)")
    kinds = p.add_subparsers(dest="report_kind", required=True)
    mp = kinds.add_parser("monthly", help="the executive monthly review of one month")
    mp.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    mp.add_argument("--month", required=True, help="month to review, YYYY-MM")
    mp.add_argument("--out", required=True, type=Path, help="HTML file to write")
    mp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the report (default zh)")
    mp.add_argument("--center", action="append", default=[], help="only this center (repeatable)")
    mp.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run(args) -> int:
    from analytics import complaints, lake, report
    from analytics import metrics as m
    from analytics.access import Scope

    if not re.fullmatch(r"\d{4}-\d{2}", args.month or ""):
        return _fail(f"--month {args.month!r} is not a month in the form YYYY-MM")
    try:
        month = date(int(args.month[:4]), int(args.month[5:]), 1)
    except ValueError:
        return _fail(f"--month {args.month!r} is not a month in the form YYYY-MM")
    if not lake.has_dataset(args.dataset):
        return _fail(f"{args.dataset} holds no calls; generate the demo with "
                     f"`python -m analytics demo --out {args.dataset}` or import calls first")
    if not args.out.parent.is_dir():
        return _fail(f"the folder of --out ({args.out.parent}) does not exist")
    try:
        lk = lake.open_lake(args.dataset)
        review = report.build_review(lk, month, Scope(individuals=False), tuple(args.center),
                                     m.load_settings(args.dataset), complaints.load_settings(args.dataset))
    except (ValueError, PermissionError) as e:
        return _fail(str(e))
    if not review.has_data:
        return _fail(f"{args.dataset} has no calls in {args.month}")
    args.out.write_text(report.render_html(review, args.lang), encoding="utf-8")
    from analytics import audit  # every report made from the command line is on record
    audit.record(args.dataset, "report", f"monthly review {args.month}", user="command line",
                 out=str(args.out), centers=list(args.center) or None)
    print(f"monthly review of {args.month} written to {args.out}")
    return 0
