"""The one metric registry: complete, every template filled, every metric a page or the
review shows is in it, and the review prints the formula the settings choose."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from analytics import complaints, lake, metrics, report
from analytics import settings as ds
from analytics.access import Scope

TEMPLATE = re.compile(r"\{[A-Za-z_]+\}")


def test_every_area_has_metrics_and_every_key_is_unique():
    for area in metrics.AREAS:
        assert metrics.by_area(area), area
    assert len(metrics.REGISTRY) == len({m.key for m in metrics.REGISTRY.values()})
    # the second and third registries are gone
    assert not hasattr(complaints, "COMPLAINT_METRICS")
    from analytics import workforce

    assert not hasattr(workforce, "WORKFORCE_METRICS")


def test_the_risk_score_and_people_metrics_are_defined():
    assert metrics.get("attrition_risk").area == "attrition"
    for key in ("headcount_end", "turnover_annualised", "required_agents", "promotion_rate", "complaints_per_10k"):
        assert key in metrics.REGISTRY


def test_a_metric_needs_a_target_or_a_reason():
    with pytest.raises(ValueError, match="why none applies"):
        metrics.Metric("x", "x", "x", "x", "x", "%", True, None, lambda s, _: s)
    with pytest.raises(ValueError, match="unknown unit"):
        metrics.Metric("x", "x", "x", "x", "x", "furlongs", True, 1.0, lambda s, _: s)
    for m in metrics.REGISTRY.values():
        assert m.default_target is not None or (m.no_target_reason("zh") and m.no_target_reason("en")), m.key


CUSTOM = ds.DatasetSettings(
    service=ds.ServiceSettings(answer_within_s=15, short_abandon_s=3, handle_target_s=240, sl_formula="answered_only"),
    complaints=ds.ComplaintSettings(resolve_within_workdays=3),
)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("settings", [None, CUSTOM], ids=["defaults", "custom"])
def test_no_template_ever_reaches_a_user(lang, settings):
    for m in metrics.REGISTRY.values():
        for text in (m.label(lang, settings), m.formula(lang, settings), m.no_target_reason(lang, settings)):
            assert not TEMPLATE.search(text), (m.key, text)
    for row in metrics.definition_rows(lang, settings):
        assert not any(TEMPLATE.search(str(v)) for v in row.values()), row


def test_formulas_are_written_with_the_settings_in_force():
    sl = metrics.get("service_level")
    # without settings: the defaults (T = 20 s, short abandons ≤ 5 s, the default formula)
    assert sl.formula("en") == "answered within T / (offered − short abandons) (T = 20 s, short abandon ≤ 5 s)"
    assert sl.formula("en", CUSTOM) == "answered within T / answered (T = 15 s, short abandon ≤ 3 s)"
    assert sl.formula("en", CUSTOM.service) == sl.formula("en", CUSTOM)
    assert metrics.get("within_handle_target").formula("zh", CUSTOM) == "处理时长 ≤ 240 秒的呼叫 ÷ 处理量"
    assert metrics.get("resolved_within_target").label("en", CUSTOM) == "Resolved within 3 working days"
    assert metrics.get("resolved_within_target").label("en", CUSTOM.complaints) == "Resolved within 3 working days"
    assert metrics.get("resolved_within_target").label("zh") == "2 个工作日内办结率"


def test_the_metrics_reference_lists_every_metric():
    doc = metrics.markdown_reference()
    for key in metrics.REGISTRY:
        assert f"| `{key}` |" in doc, key


def test_the_review_and_the_complaints_page_show_registry_metrics_only():
    for key in (*report.KPIS, *complaints.KPI_KEYS):
        assert key in metrics.REGISTRY


def test_the_review_prints_the_formula_settings_json_chooses(demo_dataset, tmp_path):
    # A dataset's settings.json (read through its one owner) chooses "abandons count against".
    (tmp_path / "settings.json").write_text(
        json.dumps({"sl_formula": "abandons_count_against", "answer_within_s": 20}), encoding="utf-8"
    )
    cfg = ds.load(tmp_path)
    review = report.build_review(
        lake.open_lake(demo_dataset),
        date(2026, 10, 1),
        Scope.everything(),
        settings=cfg.service,
        csettings=cfg.complaints,
    )
    text = report.render_html(review, "en")
    assert "answered within T / offered (T = 20 s, short abandon ≤ 5 s)" in text
    assert "answered within T / (offered − short abandons)" not in text
    zh = report.render_html(review, "zh")
    assert "T 秒内接通 ÷ 进线（T = 20 秒" in zh
    assert not TEMPLATE.search(re.sub(r"<script.*?</script>", "", text, flags=re.S))


# Pages with KPI cards, and who may open them (see app.py's PAGES).
_CARD_PAGES = (
    "views/service_level.py",
    "views/handle_time.py",
    "views/staffing.py",
    "views/complaints.py",
    "views/monthly_review.py",
    "views/careers.py",
    "views/attrition.py",
    "views/definitions.py",
)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_card_on_every_page_is_a_registry_metric(app, lang):
    """Walks the pages as administrator: each metric card's label is the label of a
    registry metric in that language, and each card states a target or why none applies."""
    labels = {m.label(lang) for m in metrics.REGISTRY.values()}
    at = app(lang)
    at.run()
    seen = 0
    for page in _CARD_PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        for card in at.metric:
            assert card.label in labels, (page, card.label)
            assert card.value and "None" not in card.value and "nan" not in card.value, (page, card.label)
            seen += 1
    assert seen >= 20, "the walk should meet the KPI cards of six pages"


def test_no_import_cycles_inside_analytics():
    """The analytics modules form a layered graph (imports inside functions count): the
    demo generator and its extras, the readers and the queue_log reader, no longer
    import each other, and the lake does not import the importer."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = {
        ".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (root / "analytics").rglob("*.py")
    }

    def targets(module: str, node) -> set[str]:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                pkg = module.split(".")
                if files[module].name != "__init__.py":
                    pkg = pkg[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
        # an import of a parent package (analytics, analytics.demo) is not an edge between modules
        return {n for n in names if n in files and n != module and not module.startswith(n + ".")}

    graph = {m: set() for m in files}
    for m, p in files.items():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                graph[m] |= targets(m, node)

    assert not any(t.startswith("analytics.ingest") for t in graph["analytics.lake"]), graph["analytics.lake"]

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    cycles = sorted(f"{a} -> {b}" for a in graph for b in graph[a] if reaches(b, a))
    assert not cycles, cycles
