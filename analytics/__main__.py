"""The command line: ``python -m analytics <command> ...``.

Each command lives in ``analytics/commands/<name>.py`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``), so commands stay
independent of each other and a new one is a new file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def command_modules() -> list[str]:
    """Every module of analytics/commands, in name order: adding a command is adding a file."""
    import analytics.commands

    return sorted(m.name for m in pkgutil.iter_modules(analytics.commands.__path__) if not m.name.startswith("_"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in command_modules():
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
