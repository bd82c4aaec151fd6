"""Every page reads right in the user's language: walks each page in zh and en as an
administrator, HR and a team leader (the demo role switcher) through AppTest, and fails on
a raw code, a ``None`` / ``nan``, or an unfilled ``{template}`` in tables (values and
headers), metric cards and text. Plus hand-checked unit tests of the label and format
functions the pages use."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from i18n import CATALOGUE, code_label

ALL_PAGES = (
    "service_level",
    "handle_time",
    "staffing",
    "complaints",
    "monthly_review",
    "attrition",
    "careers",
    "data",
    "audit",
    "definitions",
)
ROLE_PAGES = {
    "admin": ALL_PAGES,
    "hr": ("staffing", "monthly_review", "attrition", "careers", "definitions"),
    "team_leader": ("service_level", "handle_time", "complaints", "careers", "definitions"),
}
# The attrition page is rebuilt by the HR work (issue 16) with the code.feature.* and
# code.fairness.* labels of this catalogue; until that lands it shows codes.
KNOWN_FAILURES: dict[str, str] = {}
# Narrower: one kind of problem on a page another helper is rewriting; every other check
# still fails the test there.
KNOWN_GAPS: dict[str, tuple[tuple[str, ...], str]] = {}

SNAKE_CODE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")  # senior_csr, pay_band_low, exit_type
TEMPLATE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\}")  # {sl_formula}, {T}, {n:.1f}
MISSING_WORDS = re.compile(r"(?<![\w-])(None|nan|NaN|<NA>|NaT)(?![\w-])")


def _known_codes(lang: str) -> set[str]:
    """Every code of the catalogue whose label in ``lang`` is not the code itself: shown
    as it is, it is a raw code. In Chinese the metric units' codes too ("calls", "s")."""
    out = set()
    for key, entry in CATALOGUE.items():
        if key.startswith("code."):
            code = key.split(".", 2)[2]
            if code != entry[lang] and not code.isdigit():
                out.add(code)
    if lang == "zh":
        from analytics import complaints, metrics, workforce

        # (one registry once issue 14's part A lands; the other two until then)
        for registry in (
            metrics.REGISTRY,
            getattr(complaints, "COMPLAINT_METRICS", {}),
            getattr(workforce, "WORKFORCE_METRICS", {}),
        ):
            out |= {m.unit for m in registry.values() if re.search("[a-z]", m.unit)}
    return out


def _queue_codes(dataset) -> set[str]:
    from analytics import lake

    lk = lake.open_lake(dataset)
    return set(lk.query("SELECT queue FROM queues")["queue"])


def problems_in_text(text: str, codes: set[str], where: str) -> list[str]:
    text = str(text)
    found = []
    if TEMPLATE.search(text):
        found.append(f"{where}: unfilled template in {text[:120]!r}")
    if MISSING_WORDS.search(text):
        found.append(f"{where}: missing value shown as text in {text[:120]!r}")
    if SNAKE_CODE.match(text.strip()) or text.strip() in codes:
        found.append(f"{where}: raw code {text.strip()!r}")
    return found


def problems_in_cell(value, codes: set[str], where: str) -> list[str]:
    if value is None:
        return [f"{where}: None cell"]
    if isinstance(value, float) and value != value:
        return []  # a missing number: the table draws the placeholder (checked below)
    if isinstance(value, str):
        found = problems_in_text(value, codes, where)
        parts = re.split(r"\s*[,，、;；]\s*", value)
        if len(parts) > 1:  # a list of codes in one cell ("attitude, transfer_loop")
            for part in parts:
                found += [p for p in problems_in_text(part, codes, where) if "raw code" in p]
        return found
    return []


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CARTESIAN = {"bar", "scatter", "heatmap", "histogram", "box"}


def chart_problems(spec: dict, codes: set[str], where: str) -> list[str]:
    """Axes without a title, dates left to Plotly's English month names, codes as
    categories or legend entries."""
    found = []
    layout = spec.get("layout", {})
    used_axes = set()
    for trace in spec.get("data", []):
        if trace.get("type", "scatter") not in _CARTESIAN:
            continue
        used_axes.add("x" + trace.get("xaxis", "x")[1:])
        used_axes.add("y" + trace.get("yaxis", "y")[1:])
        if trace.get("name") and trace.get("showlegend", True):
            found += problems_in_text(trace["name"], codes, f"{where} legend")
        for axis in ("x", "y"):
            values = trace.get(axis)
            if isinstance(values, list) and values and isinstance(values[0], str):
                for v in values[:100]:
                    if v is None:
                        found.append(f"{where}: a missing {axis} category (drawn as an empty label)")
                        continue
                    if _ISO_DATE.match(v):
                        fmt = (layout.get(f"{axis}axis") or {}).get("tickformat")
                        if not fmt:
                            found.append(f"{where}: dates on the {axis} axis without a format in the user's language")
                        break
                    found += problems_in_text(v, codes, f"{where} {axis} category")
    for axis in sorted(used_axes):
        key = axis[0] + "axis" + axis[1:]
        title = ((layout.get(key) or {}).get("title") or {}).get("text")
        if not title:
            found.append(f"{where}: {key} has no title")
        else:
            found += problems_in_text(title, codes, f"{where} {key} title")
    return found


def page_problems(at, codes: set[str]) -> list[str]:
    found = []
    for i, chart in enumerate(at.get("plotly_chart")):
        spec = json.loads(chart.proto.spec)
        found += chart_problems(spec, codes, f"chart {i}")
        # Drawn through ui.charts.show: the app's template, not Streamlit's theme (its template
        # and the browser's re-theming cost every chart a second layout, ui/charts.py).
        font = (((spec.get("layout") or {}).get("template") or {}).get("layout") or {}).get("font") or {}
        if chart.proto.theme or "Source Sans" not in str(font.get("family")):
            found.append(f"chart {i}: not drawn by ui.charts.show (theme {chart.proto.theme!r})")
    for i, df_el in enumerate(at.dataframe):
        where = f"table {i}"
        cfg = json.loads(df_el.proto.columns or "{}")
        df = df_el.value
        if df_el.proto.placeholder != "—" and df.isna().any().any():
            found.append(f"{where}: missing values without the — placeholder")
        for col in df.columns:
            label = (cfg.get(str(col)) or {}).get("label") or str(col)
            found += problems_in_text(label, codes, f"{where} header")
            helptext = (cfg.get(str(col)) or {}).get("help")
            if helptext:
                found += problems_in_text(helptext, set(), f"{where} header help")
            if pd.api.types.is_object_dtype(df[col]) or pd.api.types.is_string_dtype(df[col]):
                for v in df[col].head(200):
                    found += problems_in_cell(v, codes, f"{where} column {label!r}")
    for m in at.metric:
        for part in (m.label, m.value, m.proto.delta, m.proto.help):
            if part:
                found += problems_in_text(part, codes, "metric card")
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "success", "error"):
        for el in getattr(at, kind):
            found += problems_in_text(el.value, set(), kind)
    return sorted(set(found))


def _cases():
    for role, pages in ROLE_PAGES.items():
        for lang in ("zh", "en"):
            for page in pages:
                marks = [pytest.mark.xfail(reason=KNOWN_FAILURES[page], strict=False)] if page in KNOWN_FAILURES else []
                yield pytest.param(role, lang, page, marks=marks, id=f"{role}-{lang}-{page}")


@pytest.fixture(scope="module")
def queue_codes(demo_dataset):
    return _queue_codes(demo_dataset)


@pytest.fixture()
def csv_files(monkeypatch):
    """The frames every table's CSV download is written from, as the page built them."""
    from ui import tables

    seen = []
    real = tables.safe_csv

    def record(df):
        seen.append(df)
        return real(df)

    monkeypatch.setattr(tables, "safe_csv", record)
    # A table's file is written when its button is clicked (deferred data): write each one
    # as the page offers it, so every download of the page is read here.
    real_button = tables.st.download_button

    def button(label, data=None, *args, **kwargs):
        return real_button(label, data() if callable(data) else data, *args, **kwargs)

    monkeypatch.setattr(tables.st, "download_button", button)
    return seen


def csv_problems(frames: list, codes: set[str]) -> list[str]:
    found = []
    for i, df in enumerate(frames):
        for col in df.columns:
            found += problems_in_text(str(col), codes, f"CSV {i} header")
            for v in df[col].head(200):
                found += problems_in_cell(v, codes, f"CSV {i} column {col!r}")
                if isinstance(v, float) and v != round(v, 2):
                    found.append(f"CSV {i} column {col!r}: {v!r} not rounded as displayed")
                    break
    return found


@pytest.mark.parametrize("role,lang,page", list(_cases()))
def test_page_reads_right(app, queue_codes, csv_files, role, lang, page):
    codes = _known_codes(lang) | queue_codes
    at = app(lang)
    at.run()
    assert not at.exception, at.exception
    if role != "admin":
        at.selectbox(key="demo_role").set_value(role).run()
        assert not at.exception, at.exception
    at.switch_page(f"views/{page}.py")
    csv_files.clear()  # only this page's downloads
    at.run()
    assert not at.exception, at.exception
    assert at.title, "the page drew"
    found = page_problems(at, codes) + csv_problems(csv_files, codes)
    gaps, why = KNOWN_GAPS.get(page, ((), ""))
    known = [f for f in found if any(g in f for g in gaps)]
    found = [f for f in found if f not in known]
    assert not found, "\n".join(found)
    if known:
        pytest.xfail(f"{why}: " + "; ".join(known))


# --- the checks themselves can fail ------------------------------------------------------------


def test_checks_catch_codes_templates_and_missing_values():
    codes = {"HZ-TAX", "phone"}
    assert problems_in_text("senior_csr", codes, "x")
    assert problems_in_text("HZ-TAX", codes, "x")
    assert problems_in_text("phone", codes, "x")
    assert problems_in_text("{sl_formula}（T = {T} 秒）", codes, "x")
    assert problems_in_text("目标 None", codes, "x")
    assert problems_in_cell(None, codes, "x")
    assert problems_in_cell("态度问题, transfer_loop", codes, "x")
    assert not problems_in_cell("态度问题、反复转接", codes, "x")
    assert not problems_in_text("纳税申报咨询", codes, "x")
    assert not problems_in_text("Phone", codes, "x")
    assert not problems_in_text("2026-10-01 至 2026-10-31", codes, "x")
    untitled = {"data": [{"type": "bar", "x": ["HZ-TAX"], "y": [1]}], "layout": {"xaxis": {"title": {"text": "队列"}}}}
    assert chart_problems(untitled, codes, "c") == ["c x category: raw code 'HZ-TAX'", "c: yaxis has no title"]
    english_dates = {
        "data": [{"x": ["2026-10-01", "2026-10-02"], "y": [1, 2]}],
        "layout": {"xaxis": {"title": {"text": "日期"}}, "yaxis": {"title": {"text": "比率"}}},
    }
    assert chart_problems(english_dates, codes, "c") == [
        "c: dates on the x axis without a format in the user's language"
    ]
    assert csv_problems([pd.DataFrame({"service_level": [0.8582468536100685]})], codes) == [
        "CSV 0 header: raw code 'service_level'",
        "CSV 0 column 'service_level': 0.8582468536100685 not rounded as displayed",
    ]


# --- labels and formats, against hand-written values ----------------------------------------------


def test_code_labels_by_hand():
    assert code_label("exit_reason", "no_promotion", "zh") == "缺少晋升机会"
    assert code_label("exit_type", "voluntary", "en") == "Voluntary"
    assert code_label("role", "senior_csr", "zh") == "星级代表"
    assert code_label("access_role", "hr", "en") == "HR"
    assert code_label("channel", "phone", "zh") == "电话"
    assert code_label("feature", "pay_band_low", "en") == "Lowest pay band"
    assert code_label("fairness", "female", "zh") == "女"
    assert code_label("model_metric", "roc_auc", "en") == "ROC AUC"
    assert code_label("direction", "outbound", "zh") == "外呼"
    assert code_label("exit_reason", None, "zh") == "—"
    assert code_label("exit_reason", float("nan"), "en") == "—"


def test_every_attrition_feature_and_protected_attribute_has_a_label():
    from analytics import attrition, schema

    cox = (
        "pay_band_low",
        "shift_rotating",
        "shift_split",
        "long_commute",
        "low_engagement",
        "high_occupancy",
        "leaky_team",
    )
    for f in (*attrition.FEATURES, *cox):
        for lang in ("zh", "en"):
            assert f"code.feature.{f}" in CATALOGUE, f
            assert code_label("feature", f, lang) != f
    for col in schema.PROTECTED_COLUMNS:
        assert f"code.fairness.{col}" in CATALOGUE, col


def test_every_schema_code_has_a_label():
    from analytics import schema

    for kind, values in (
        ("role", schema.ROLES),
        ("exit_type", schema.EXIT_TYPES),
        ("event_type", schema.EVENT_TYPES),
        ("direction", schema.DIRECTIONS),
        ("channel", schema.COMPLAINT_CHANNELS),
        ("complaint_level", schema.COMPLAINT_LEVELS),
        ("category", schema.CATEGORIES),
        ("qa_grade", schema.QA_GRADES),
    ):
        for v in values:
            assert f"code.{kind}.{v}" in CATALOGUE, (kind, v)


def test_fairness_group_label_reads_birth_year_bins_as_years():
    from ui.tables import fairness_group_label

    assert fairness_group_label("birth_year", "(1976.999, 1993.0]", "zh") == "出生年份：1977–1993"
    assert fairness_group_label("birth_year", "(1993.0, 2001.0]", "en") == "Birth year: 1994–2001"
    assert fairness_group_label("gender", "female", "en") == "Gender: Female"
    assert fairness_group_label("marital_status", "missing", "zh") == "婚姻状况：未填写"


def test_demo_progress_steps_in_both_languages():
    from i18n.strings_codes import step_label

    assert step_label("simulating calls", "zh") == "模拟通话"
    assert step_label("writing employees", "zh") == "写入 员工"
    assert step_label("rollups 2026-07", "zh") == "汇总 2026-07"
    assert step_label("region 2/8: simulating calls", "zh") == "区域 2/8: 模拟通话"
    assert step_label("simulating calls", "en") == "simulating calls"


def test_csv_frame_reads_like_the_table(monkeypatch):
    from ui import tables

    monkeypatch.setattr(tables, "lang", lambda: "zh")
    df = pd.DataFrame(
        {
            "queue": ["纳税申报咨询", "发票业务"],
            "offered": [1200, 37],
            "service_level": [0.8582468536100685, None],
            "asa_s": [7.731151, 12.4],
            "share": [0.25, 0.75],
            "day": pd.to_datetime(["2026-10-01", "2026-10-02"]),
        }
    )
    out = tables.csv_frame(df, percent=("share",), lang_="zh")
    assert list(out.columns) == ["队列", "进线量", "服务水平 (%)", "平均应答速度 (秒)", "占比（%）", "日期"]
    assert out.iloc[0].tolist() == ["纳税申报咨询", 1200, 85.8, 8, 25.0, "2026-10-01"]
    assert out.iloc[1, 2] == ""  # missing: an empty cell, never "None" / "nan"
    assert out.iloc[1, 3] == 12


def test_label_codes_and_place_names():
    from ui import tables

    df = pd.DataFrame(
        {
            "queue": ["HZ-TAX", None],
            "exit_reason": ["pay", None],
            "category": ["complex", "common"],
            "causes": ["attitude, transfer_loop", None],
        }
    )
    names = tables.place_names(
        {"queues": pd.DataFrame({"queue": ["HZ-TAX"], "name_zh": ["纳税申报咨询"], "name_en": ["Tax filing help"]})},
        "en",
    )
    out = tables.label_codes(df, "en", names)
    assert out["queue"].tolist() == ["Tax filing help", "—"]
    assert out["exit_reason"].tolist() == ["Pay", "—"]
    assert out["category"].tolist() == ["Non-common issue", "Common issue"]
    assert out["causes"].tolist() == ["Attitude, Transfer loop", "—"]
    assert tables.label_codes(df, "zh", names)["causes"].tolist() == ["态度问题、反复转接", "—"]


def test_queue_names_name_the_center_when_two_queues_share_a_name():
    from ui import tables

    opts = {
        "centers": pd.DataFrame(
            {
                "center": ["HZ", "SH"],
                "name_zh": ["杭州 12366 纳税服务中心", "上海 12366 纳税服务中心"],
                "name_en": ["Hangzhou 12366 tax service center", "Shanghai 12366 tax service center"],
            }
        ),
        "queues": pd.DataFrame(
            {
                "queue": ["HZ-TAX", "SH-TAX", "SH-TECH"],
                "center": ["HZ", "SH", "SH"],
                "name_zh": ["纳税申报咨询", "纳税申报咨询", "技术支持"],
                "name_en": ["Tax filing help", "Tax filing help", "Technical support"],
            }
        ),
    }
    zh = tables.place_names(opts, "zh")["queue"]
    assert zh == {"HZ-TAX": "纳税申报咨询（杭州）", "SH-TAX": "纳税申报咨询（上海）", "SH-TECH": "技术支持"}
    assert tables.place_names(opts, "en")["queue"]["SH-TAX"] == "Tax filing help (Shanghai)"
    # Two centers of one city run a queue of the same name: the code tells them apart.
    opts["centers"].loc[len(opts["centers"])] = ["HZ2", "杭州 第二中心", "Hangzhou second center"]
    opts["queues"].loc[len(opts["queues"])] = ["HZ2-TAX", "HZ2", "纳税申报咨询", "Tax filing help"]
    zh = tables.place_names(opts, "zh")["queue"]
    assert zh["HZ-TAX"] == "纳税申报咨询（杭州）（HZ-TAX）" and zh["HZ2-TAX"] == "纳税申报咨询（杭州）（HZ2-TAX）"
    assert zh["SH-TAX"] == "纳税申报咨询（上海）" and len(set(zh.values())) == 4
    en = tables.place_names(opts, "en")["queue"]
    assert en["HZ2-TAX"] == "Tax filing help (Hangzhou) (HZ2-TAX)" and len(set(en.values())) == 4
