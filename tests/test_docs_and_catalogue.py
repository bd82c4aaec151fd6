"""Generated references stay in step with the code; the catalogue has both languages."""

from __future__ import annotations

from pathlib import Path

from analytics import metrics, schema
from i18n import CATALOGUE, LANGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_schema_reference_is_current():
    assert (DOCS / "schema.md").read_text(encoding="utf-8") == schema.reference_markdown(), (
        "run `python -m analytics schema-doc`"
    )


def test_metric_reference_is_current():
    assert (DOCS / "metrics.md").read_text(encoding="utf-8") == metrics.markdown_reference(), (
        "run `python -m analytics schema-doc`"
    )


def test_every_string_has_both_languages():
    missing = [k for k, v in CATALOGUE.items() if set(v) != set(LANGS) or not all(v.values())]
    assert not missing, missing


def test_every_metric_has_both_labels_and_formulas():
    for m in metrics.REGISTRY.values():
        assert m.label_zh and m.label_en and m.formula_zh and m.formula_en, m.key


def test_protected_columns_exist_in_employees():
    assert set(schema.PROTECTED_COLUMNS) <= set(schema.EMPLOYEES.column_names)


def test_every_key_the_pages_use_is_in_the_catalogue():
    import re

    root = DOCS.parent
    used = set()
    for path in list((root / "views").glob("*.py")) + list((root / "ui").glob("*.py")) + [root / "app.py"]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_][\w.]*)["']\s*[,)]""", path.read_text(encoding="utf-8")))
    assert used, "the pattern should find the keys"
    assert not sorted(used - set(CATALOGUE))


def test_every_table_can_be_imported_and_is_offered_once():
    from analytics import schema

    assert sorted(schema.IMPORT_ORDER) == sorted(schema.TABLES)
    assert len(set(schema.IMPORT_ORDER)) == len(schema.IMPORT_ORDER)
    assert schema.IMPORT_ORDER[0] == "calls"  # what most imports bring comes first
