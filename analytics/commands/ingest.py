"""``python -m analytics ingest``: import calls, HR records or complaints from files."""

from __future__ import annotations

import sys
from pathlib import Path

from analytics import schema


def register(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="import CSV, Excel, Parquet or Asterisk queue_log files into a dataset",
        description="Import files into a dataset folder (created if absent). Rejected rows are "
        "kept under <dataset>/_rejects/ with file, line, column and reason; the same "
        "file imported twice changes nothing. See docs/import.md.",
    )
    p.add_argument("table", choices=schema.IMPORT_ORDER, help="canonical table the files fill")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    p.add_argument("--mapping", type=Path, help="TOML column mapping (see mappings/ and docs/import.md)")
    p.add_argument("--timezone", help="IANA zone of a center the dataset does not know yet, e.g. Asia/Shanghai")
    p.add_argument("--center", help="center code for rows that do not name one")
    p.add_argument(
        "--unknown-agent",
        choices=("warn", "reject"),
        help="an agent missing from employees: warn (default) or reject the row",
    )
    p.add_argument("--clock-skew", type=float, help="seconds an end may precede its start (default 2)")
    p.add_argument(
        "--duration-tolerance",
        type=float,
        help="seconds talk + hold may exceed answered→ended before they are cut to it (default 2)",
    )
    p.set_defaults(func=run)
    r = sub.add_parser(
        "repair", help="publish batches an interrupted import left unpublished (rebuilding their rollups)"
    )
    r.add_argument("--dataset", required=True, type=Path, help="dataset folder")
    r.set_defaults(func=run_repair)


def run_repair(args) -> int:
    from analytics import lake
    from analytics.ingest.importer import repaired_lines

    if not args.dataset.is_dir():
        print(f"error: {args.dataset} is not a folder", file=sys.stderr)
        return 2
    done = lake.repair(args.dataset)
    for line in repaired_lines(done) or ["nothing to repair: every committed batch is published"]:
        print(f"{args.dataset}: {line}")
    return 0


def run(args) -> int:
    from dataclasses import replace

    from analytics.ingest.importer import _settings, import_file
    from analytics.ingest.mapping import MappingError, load_mapping

    try:
        mapping = load_mapping(args.mapping, args.table)
    except (MappingError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    settings = _settings(args.dataset)
    if args.unknown_agent:
        settings = replace(settings, unknown_agent=args.unknown_agent)
    if args.clock_skew is not None:
        settings = replace(settings, clock_skew_s=args.clock_skew)
    if args.duration_tolerance is not None:
        settings = replace(settings, duration_tolerance_s=args.duration_tolerance)
    accepted_any = False
    for f in args.files:
        if not f.is_file():
            print(f"{f}: no such file", file=sys.stderr)
            continue
        report = import_file(
            args.dataset, args.table, f, mapping=mapping, timezone=args.timezone, center=args.center, settings=settings
        )
        print("\n".join(report.lines()))
        accepted_any = accepted_any or report.ok
    return 0 if accepted_any else 1
