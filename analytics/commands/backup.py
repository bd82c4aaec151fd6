"""``python -m analytics backup check DIR``: is this copy of a dataset complete?
``python -m analytics audit verify --dataset DIR``: is the audit log's hash chain intact?"""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("backup", help="check that a backup copy of a dataset is complete")
    verbs = p.add_subparsers(dest="verb", required=True)
    c = verbs.add_parser("check", help="check a dataset folder or a copy of one")
    c.add_argument("folder", type=Path)
    p.set_defaults(func=run)
    a = sub.add_parser("audit", help="check the audit log's hash chain")
    averbs = a.add_subparsers(dest="verb", required=True)
    v = averbs.add_parser("verify", help="report edited, inserted or deleted lines of the audit log")
    v.add_argument("--dataset", type=Path, required=True)
    a.set_defaults(func=run_audit)


def run_audit(args) -> int:
    from analytics import audit

    if not args.dataset.is_dir():
        print(f"error: {args.dataset} is not a folder", file=sys.stderr)
        return 2
    problems = audit.verify(args.dataset)
    for line in problems:
        print(f"problem: {line}")
    print(f"{args.dataset}: audit log {'intact' if not problems else f'has {len(problems)} problem(s)'}")
    return 1 if problems else 0


def run(args) -> int:
    from analytics import backup

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    problems = backup.check(args.folder)
    for line in problems:
        print(f"problem: {line}")
    print(f"{args.folder}: {'complete' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0
