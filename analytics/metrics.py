"""The metric registry: every call metric defined once.

Each metric has its key, labels and formula in Chinese and English, unit, display
format, direction (whether higher is better) and default target. KPI cards, red /
amber / green colours, the "how is this computed" text and docs/metrics.md all read
it. ``compute`` turns additive sums (see ``SUM_COLUMNS``) into the metric, so the
same formula serves rollups, raw drill-downs and the hand-made test tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

# Additive sums every query path produces; metrics are ratios of these.
SUM_COLUMNS = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_t", "abandoned_within_t",
    "wait_answered_s", "handled", "talk_s", "hold_s", "acw_s", "transferred", "handled_within_target",
    "staffed_s", "available_s", "handling_s", "agent_days",
)


# --- settings ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SlFormula:
    """One service-level definition, declared once as sums of SUM_COLUMNS so that pandas
    (``service_level``) and SQL (``service_level_sql``) compute the same thing."""
    key: str
    label_zh: str
    label_en: str
    text_zh: str
    text_en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    minus: tuple[str, ...] = ()    # subtracted from the denominator


SL_FORMULAS = {f.key: f for f in (
    SlFormula("excl_short_abandons", "剔除短放弃（默认）", "Short abandons excluded (default)",
              "T 秒内接通 ÷ (进线 − 短放弃)", "answered within T / (offered − short abandons)",
              ("answered_within_t",), ("offered",), ("short_abandoned",)),
    SlFormula("abandons_count_against", "放弃计入分母", "Abandons count against",
              "T 秒内接通 ÷ 进线", "answered within T / offered", ("answered_within_t",), ("offered",)),
    SlFormula("abandons_within_t_count_for", "T 内放弃视为达标（Amazon Connect）",
              "Abandons within T count for (Amazon Connect)",
              "(T 秒内接通 + T 秒内放弃) ÷ 进线", "(answered within T + abandoned within T) / offered",
              ("answered_within_t", "abandoned_within_t"), ("offered",)),
    SlFormula("answered_only", "仅按接通计算（Asterisk）", "Answered calls only (Asterisk)",
              "T 秒内接通 ÷ 接通", "answered within T / answered", ("answered_within_t",), ("answered",)),
)}


@dataclass(frozen=True)
class ServiceSettings:
    """Definitions an administrator chooses; printed next to the numbers they change."""
    answer_within_s: int = 20          # T of the service level
    short_abandon_s: int = 5           # abandons within this many seconds are "short"
    sl_formula: str = "excl_short_abandons"
    handle_target_s: int = 300         # handle-time target for a common issue (5 min)

    def __post_init__(self):
        if self.sl_formula not in SL_FORMULAS:
            raise ValueError(f"unknown service-level formula {self.sl_formula!r}; "
                             f"choose one of {sorted(SL_FORMULAS)}")
        for name in ("answer_within_s", "short_abandon_s", "handle_target_s"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a whole number of seconds >= 0, got {v!r}")

    def with_(self, **changes) -> ServiceSettings:
        return replace(self, **changes)


def load_settings(dataset: Path) -> ServiceSettings:
    """The dataset's settings.json overrides the defaults."""
    f = Path(dataset) / "settings.json"
    if not f.is_file():
        return ServiceSettings()
    data = json.loads(f.read_text(encoding="utf-8"))
    known = {k: v for k, v in data.items() if k in ServiceSettings.__dataclass_fields__}
    return ServiceSettings(**known)


def save_settings(dataset: Path, settings: ServiceSettings) -> None:
    Path(dataset, "settings.json").write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")


# --- the registry -----------------------------------------------------------------------

def _floats(x) -> np.ndarray:
    """A float64 array of sums: NaN for missing; nullable and object columns converted."""
    if isinstance(x, pd.Series):
        if x.dtype == "float64":
            return x.to_numpy()
        return pd.to_numeric(x, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(x, dtype="float64")


def whole_numbers(values) -> pd.arrays.IntegerArray:
    """Counts held as floats (NaN for missing) as Int64, vectorised: a month of
    queue-intervals on a large center is a few hundred thousand rows."""
    values = _floats(values)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    index = num.index if isinstance(num, pd.Series) else (den.index if isinstance(den, pd.Series) else None)
    n, d = _floats(num), _floats(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, n / d, np.nan)
    return pd.Series(out, index=index, dtype="float64")


def service_level(s: pd.DataFrame, settings: ServiceSettings) -> pd.Series:
    f = SL_FORMULAS[settings.sl_formula]
    num = sum(_floats(s[c]) for c in f.numerator)
    den = sum(_floats(s[c]) for c in f.denominator) - sum(_floats(s[c]) for c in f.minus)
    return _ratio(pd.Series(num, index=s.index), pd.Series(den, index=s.index))


def service_level_sql(settings: ServiceSettings) -> str:
    """The same formula as a SQL expression over columns named as SUM_COLUMNS (NULL when
    the denominator is not positive), for ranking intervals inside the query."""
    f = SL_FORMULAS[settings.sl_formula]
    for c in f.numerator + f.denominator + f.minus:
        if c not in SUM_COLUMNS:  # identifiers come from this module only
            raise ValueError(c)
    num = " + ".join(f.numerator)
    den = " + ".join(f.denominator) + "".join(" - " + c for c in f.minus)
    return "CAST(" + num + " AS DOUBLE) / nullif(greatest(" + den + ", 0), 0)"


def _handle_total(s: pd.DataFrame) -> pd.Series:
    return s["talk_s"].fillna(0) + s["hold_s"].fillna(0) + s["acw_s"].fillna(0)


@dataclass(frozen=True)
class Metric:
    key: str
    label_zh: str
    label_en: str
    formula_zh: str
    formula_en: str
    unit: str                 # "calls", "%", "s", "calls/agent-day"
    higher_is_better: bool | None   # None: neither direction is simply better
    default_target: float | None
    compute: Callable[[pd.DataFrame, ServiceSettings], pd.Series] = field(repr=False)
    queue_only: bool = False  # needs calls that never reached an agent (no team/agent view)
    # Relative distance from target that is still amber rather than red.
    amber_band: float = 0.05

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def formula(self, lang: str, settings: ServiceSettings | None = None) -> str:
        text = self.formula_zh if lang == "zh" else self.formula_en
        if settings is not None:
            sl = SL_FORMULAS[settings.sl_formula]
            text = (text.replace("{sl_formula}", sl.text_zh if lang == "zh" else sl.text_en)
                    .replace("{T}", str(settings.answer_within_s))
                    .replace("{S}", str(settings.short_abandon_s))
                    .replace("{H}", str(settings.handle_target_s)))
        return text


M = Metric
REGISTRY: dict[str, Metric] = {m.key: m for m in (
    M("offered", "进线量", "Offered", "进入队列的呼叫数", "calls that entered a queue",
      "calls", None, None, lambda s, _: s["offered"], queue_only=True),
    M("answered", "接通量", "Answered", "由座席接起的呼叫数", "calls that reached an agent",
      "calls", True, None, lambda s, _: s["answered"]),
    M("abandoned", "放弃量", "Abandoned", "在队列中挂断的呼叫数", "callers who hung up in the queue",
      "calls", False, None, lambda s, _: s["abandoned"], queue_only=True),
    M("short_abandoned", "短放弃", "Short abandons", "等待不超过 {S} 秒即放弃的呼叫数",
      "abandoned within {S} s of arriving", "calls", None, None,
      lambda s, _: s["short_abandoned"], queue_only=True),
    M("answer_rate", "接通率", "Answer rate", "接通 ÷ 进线", "answered / offered",
      "%", True, 0.90, lambda s, _: _ratio(s["answered"], s["offered"]), queue_only=True),
    M("service_level", "服务水平", "Service level", "{sl_formula}（T = {T} 秒，短放弃 ≤ {S} 秒）",
      "{sl_formula} (T = {T} s, short abandon ≤ {S} s)", "%", True, 0.80, service_level, queue_only=True),
    M("asa_s", "平均应答速度", "Average speed of answer", "接通呼叫的等待时长之和 ÷ 接通",
      "total wait of answered calls / answered", "s", False, 30.0,
      lambda s, _: _ratio(s["wait_answered_s"], s["answered"])),
    M("aht_s", "平均处理时长", "Average handle time", "(通话 + 保持 + 话后处理) ÷ 处理量",
      "(talk + hold + after-call work) / handled", "s", False, 300.0,
      lambda s, _: _ratio(_handle_total(s), s["handled"])),
    M("abandon_rate", "放弃率", "Abandon rate", "放弃 ÷ 进线", "abandoned / offered",
      "%", False, 0.05, lambda s, _: _ratio(s["abandoned"], s["offered"]), queue_only=True),
    M("talk_s", "平均通话时长", "Average talk", "通话时长之和 ÷ 处理量", "total talk / handled",
      "s", None, None, lambda s, _: _ratio(s["talk_s"], s["handled"])),
    M("hold_s", "平均保持时长", "Average hold", "保持时长之和 ÷ 处理量", "total hold / handled",
      "s", False, None, lambda s, _: _ratio(s["hold_s"], s["handled"])),
    M("acw_s", "平均话后处理", "Average after-call work", "话后处理时长之和 ÷ 处理量",
      "total after-call work / handled", "s", False, None, lambda s, _: _ratio(s["acw_s"], s["handled"])),
    M("transfer_rate", "转接率", "Transfer rate", "转接 ÷ 处理量", "transferred / handled",
      "%", False, None, lambda s, _: _ratio(s["transferred"], s["handled"])),
    M("within_handle_target", "处理时长达标率", "Within handle-time target",
      "处理时长 ≤ {H} 秒的呼叫 ÷ 处理量", "calls handled within {H} s / handled",
      "%", True, None, lambda s, _: _ratio(s["handled_within_target"], s["handled"])),
    M("answered_per_agent_day", "人均日接听量", "Answered per agent-day",
      "处理量 ÷ 上线的座席人天", "calls handled / agent-days signed in",
      "calls/agent-day", True, 70.0, lambda s, _: _ratio(s["handled"], s["agent_days"])),
    M("occupancy", "占用率", "Occupancy", "处理时长 ÷ (处理时长 + 空闲可用时长)",
      "handling time / (handling + available idle time) of staffed agents",
      "%", None, None, lambda s, _: _ratio(s["handling_s"], s["handling_s"] + s["available_s"])),
)}

# The first columns of every metrics table (the command line's contract), then the rest.
LEADING = ("offered", "answered", "abandoned", "short_abandoned", "answer_rate", "service_level",
           "asa_s", "aht_s")
TRAILING = ("abandon_rate", "talk_s", "hold_s", "acw_s", "transfer_rate", "within_handle_target",
            "answered_per_agent_day", "occupancy")


def compute_all(sums: pd.DataFrame, settings: ServiceSettings, keys: list[str],
                agent_level: bool = False) -> pd.DataFrame:
    """Metric columns from additive sums; queue-only metrics are empty at team/agent level
    because an abandoned call has no agent or team to belong to."""
    # Built as one dict of columns and one DataFrame: inserting 16 columns one by one into a
    # frame was most of a page's time once the queries ran on rollups.
    cols = {k: sums[k] for k in keys}
    empty = np.full(len(sums), np.nan)
    for key in LEADING + TRAILING:
        m = REGISTRY[key]
        if agent_level and m.queue_only:
            cols[key] = empty
        else:
            cols[key] = _floats(m.compute(sums, settings))
    for key in ("offered", "answered", "abandoned", "short_abandoned"):
        cols[key] = whole_numbers(cols[key])
    return pd.DataFrame(cols, index=sums.index)


def rag(metric: Metric, value: float | None, target: float | None) -> str | None:
    """'green', 'amber' or 'red' against the target; None when there is nothing to judge."""
    if value is None or target is None or metric.higher_is_better is None or pd.isna(value):
        return None
    gap = (value - target) if metric.higher_is_better else (target - value)
    if gap >= 0:
        return "green"
    return "amber" if abs(gap) <= metric.amber_band * abs(target) else "red"


def markdown_reference() -> str:
    lines = ["# Metrics", "", "Generated from `analytics/metrics.py`; do not edit by hand.", "",
             "| key | metric | 指标 | formula | unit | better | default target |", "|---|---|---|---|---|---|---|"]
    s = ServiceSettings()
    for m in REGISTRY.values():
        better = {True: "higher", False: "lower", None: ""}[m.higher_is_better]
        lines.append(f"| `{m.key}` | {m.label_en} | {m.label_zh} | {m.formula('en', s)} | {m.unit} | "
                     f"{better} | {'' if m.default_target is None else m.default_target} |")
    lines += ["", "## Service-level formulas", "",
              "| setting | formula |", "|---|---|"]
    for f in SL_FORMULAS.values():
        lines.append(f"| `{f.key}` | {f.text_en} |")
    return "\n".join(lines) + "\n"
