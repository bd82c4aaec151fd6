"""``python -m analytics backup check DIR``: is this copy of a dataset complete?"""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("backup", help="check that a backup copy of a dataset is complete")
    verbs = p.add_subparsers(dest="verb", required=True)
    c = verbs.add_parser("check", help="check a dataset folder or a copy of one")
    c.add_argument("folder", type=Path)
    p.set_defaults(func=run)


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
