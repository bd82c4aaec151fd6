"""The command line: ``python -m analytics <command> ...``.

Each command lives in ``analytics/commands/<name>.py`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``) so that commands stay
independent of each other.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("demo", "metrics", "schema_doc", "staffing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"analytics.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
