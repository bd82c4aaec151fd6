"""``python -m analytics schema-doc``: regenerate docs/schema.md and docs/metrics.md."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("schema-doc", help="write the column and metric references into docs/")
    p.add_argument("--out", type=Path, default=Path("docs"))
    p.set_defaults(func=run)


def run(args) -> int:
    from analytics import metrics, schema

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "schema.md").write_text(schema.reference_markdown(), encoding="utf-8")
    (args.out / "metrics.md").write_text(metrics.markdown_reference(), encoding="utf-8")
    print(f"wrote {args.out / 'schema.md'} and {args.out / 'metrics.md'}")
    return 0
