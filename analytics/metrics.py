"""The metric registry: every metric of every page defined once.

Calls, complaints, workforce, staffing, careers and the attrition risk score: each
metric has its key, labels and formula in Chinese and English, unit (which says how it
is written: ``analytics.units``), direction (whether higher is better), default target
or the reason no target applies, and the area it belongs to. KPI cards, red / amber /
green colours, the "how is this computed" text, the Definitions page, the monthly
review and docs/metrics.md all read it.

Formulas and labels may name settings ({sl_formula}, {T}, {S}, {H}, {D}); ``label`` and
``formula`` always fill them, from the dataset's settings when given and from the
defaults otherwise, so a template never reaches a user.

``compute`` turns additive sums (see ``SUM_COLUMNS`` for calls) into the metric, so the
same formula serves rollups, raw drill-downs and the hand-made test tables. Metrics
computed by a model or a simulation elsewhere (staffing, careers, the risk score) carry
no ``compute``: the registry holds their definition, ``computed_in`` names the function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import settings as settings_mod
from analytics import units
from analytics.settings import SL_FORMULAS, ComplaintSettings, DatasetSettings, ServiceSettings, SlFormula

__all__ = [
    "AREAS",
    "REGISTRY",
    "SL_FORMULAS",
    "SUM_COLUMNS",
    "ComplaintSettings",
    "DatasetSettings",
    "Metric",
    "ServiceSettings",
    "SlFormula",
    "by_area",
    "compute_all",
    "get",
    "load_settings",
    "markdown_reference",
    "rag",
    "service_level",
    "service_level_sql",
    "whole_numbers",
]

# Additive sums every query path produces; metrics are ratios of these.
SUM_COLUMNS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_t",
    "abandoned_within_t",
    "wait_answered_s",
    "handled",
    "talk_s",
    "hold_s",
    "acw_s",
    "transferred",
    "handled_within_target",
    "staffed_s",
    "available_s",
    "handling_s",
    "agent_days",
)


def load_settings(dataset: Path) -> ServiceSettings:
    """The call-metric settings of a dataset (``analytics.settings`` owns the file)."""
    return settings_mod.load_service(dataset)


# --- the registry -----------------------------------------------------------------------


def floats(x) -> np.ndarray:
    """A float64 array of sums: NaN for missing; nullable and object columns converted."""
    if isinstance(x, (pd.Series, pd.api.extensions.ExtensionArray)):
        if x.dtype == "float64":
            return x.to_numpy()
        return pd.to_numeric(x, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.asarray(x, dtype="float64")


def whole_numbers(values) -> pd.arrays.IntegerArray:
    """Counts held as floats (NaN for missing) as Int64, vectorised: a month of
    queue-intervals on a large center is a few hundred thousand rows."""
    values = floats(values)
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype("int64"), missing)


def _ratio(num, den):
    """num / den where den > 0, else NaN: a float Series when either is a Series (with its
    index), else a float array (``compute_all`` hands the formulas arrays)."""
    index = num.index if isinstance(num, pd.Series) else (den.index if isinstance(den, pd.Series) else None)
    n, d = floats(num), floats(den)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, n / d, np.nan)
    return out if index is None else pd.Series(out, index=index, dtype="float64")


def service_level(s, settings: ServiceSettings):
    f = SL_FORMULAS[settings.sl_formula]
    num = sum(floats(s[c]) for c in f.numerator)
    den = sum(floats(s[c]) for c in f.denominator) - sum(floats(s[c]) for c in f.minus)
    out = _ratio(num, den)
    return pd.Series(out, index=s.index, dtype="float64") if isinstance(s, pd.DataFrame) else out


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


def _handle_total(s) -> np.ndarray:
    return sum(np.nan_to_num(floats(s[c])) for c in ("talk_s", "hold_s", "acw_s"))


AREAS = ("calls", "complaints", "workforce", "staffing", "careers", "attrition")
_AREA_LABELS = {
    "calls": ("呼叫", "Calls"),
    "complaints": ("投诉", "Complaints"),
    "workforce": ("人员", "Workforce"),
    "staffing": ("排班与人力", "Staffing"),
    "careers": ("职业发展", "Careers"),
    "attrition": ("流失风险", "Attrition risk"),
}


def area_label(area: str, lang: str) -> str:
    zh, en = _AREA_LABELS[area]
    return zh if lang == "zh" else en


def _render(text: str, lang: str, settings) -> str:
    """Fill the settings a text names; defaults when ``settings`` is None."""
    if isinstance(settings, DatasetSettings):
        service, complaint = settings.service, settings.complaints
    else:
        service = settings if isinstance(settings, ServiceSettings) else ServiceSettings()
        complaint = settings if isinstance(settings, ComplaintSettings) else ComplaintSettings()
    if "{" not in text:
        return text
    return (
        text.replace("{sl_formula}", service.formula.text(lang))
        .replace("{T}", str(service.answer_within_s))
        .replace("{S}", str(service.short_abandon_s))
        .replace("{H}", str(service.handle_target_s))
        .replace("{D}", f"{complaint.resolve_within_workdays:g}")
    )


@dataclass(frozen=True)
class Metric:
    key: str
    label_zh: str
    label_en: str
    formula_zh: str
    formula_en: str
    unit: str  # a code of analytics.units.UNITS: "%", "s", "calls", "people", ...
    higher_is_better: bool | None  # None: neither direction is simply better
    default_target: float | None
    compute: Callable[[pd.DataFrame, ServiceSettings], pd.Series] | None = field(default=None, repr=False)
    queue_only: bool = False  # needs calls that never reached an agent (no team/agent view)
    # Relative distance from target that is still amber rather than red.
    amber_band: float = 0.05
    area: str = "calls"
    # Why no target applies (shown on the card instead of one); required when
    # default_target is None, so every card states either.
    no_target_zh: str = ""
    no_target_en: str = ""
    computed_in: str = ""  # where a definition-only metric is computed
    decimals: int | None = None  # None: the unit's

    def __post_init__(self):
        if self.unit not in units.UNITS:  # fails at import, not on a page
            raise ValueError(f"{self.key}: unknown unit {self.unit!r}; add it to analytics.units.UNITS")
        if self.area not in AREAS:
            raise ValueError(f"{self.key}: unknown area {self.area!r}")
        if self.default_target is None and not (self.no_target_zh and self.no_target_en):
            raise ValueError(f"{self.key}: give a default target or say why none applies")
        if self.compute is None and not self.computed_in:
            raise ValueError(f"{self.key}: a definition-only metric names where it is computed")

    def label(self, lang: str, settings=None) -> str:
        return _render(self.label_zh if lang == "zh" else self.label_en, lang, settings)

    def formula(self, lang: str, settings=None) -> str:
        """The formula in words with the settings in force filled in (defaults when None)."""
        return _render(self.formula_zh if lang == "zh" else self.formula_en, lang, settings)

    def no_target_reason(self, lang: str, settings=None) -> str:
        return _render(self.no_target_zh if lang == "zh" else self.no_target_en, lang, settings)

    def format(self, value, lang: str, compact: bool = False) -> str:
        """The value with its unit; ``compact`` leaves the unit word out when the label
        already names it ("处理时长（工作日）: 0.76", not a card cut to "0.76 个工…")."""
        u = units.unit(self.unit)
        suffix = not (compact and u.label(lang) and u.label(lang) in self.label(lang))
        return units.format_value(self.unit, value, lang, self.decimals, suffix=suffix)

    def format_change(self, now, before, lang: str) -> units.Change:
        return units.format_change(self.unit, now, before, lang, self.decimals)

    def format_target(self, target, lang: str, compact: bool = False) -> str:
        if units.is_missing(target):
            return units.MISSING
        sign = {True: "≥ ", False: "≤ ", None: ""}[self.higher_is_better]
        return sign + self.format(target, lang, compact)


def _col(name: str):
    return lambda s, _: s[name]


# Reasons shared by several metrics (zh, en).
_VOLUME = (
    "需求量，不设目标：由来电决定，用于配置人力",
    "demand, not a goal: it is what callers bring, staffing follows it",
)
_PART = ("处理时长的组成部分；目标针对平均处理时长", "a part of handle time; the target is on average handle time")
_NEUTRAL = (
    "无所谓越高越好或越低越好，仅用于说明",
    "neither higher nor lower is simply better; it explains, not judges",
)

M = Metric
_METRICS: tuple[Metric, ...] = (
    # --- calls ------------------------------------------------------------------------------
    M(
        "offered",
        "进线量",
        "Offered",
        "进入队列的呼叫数",
        "calls that entered a queue",
        "calls",
        None,
        None,
        _col("offered"),
        queue_only=True,
        no_target_zh=_VOLUME[0],
        no_target_en=_VOLUME[1],
    ),
    M(
        "answered",
        "接通量",
        "Answered",
        "由座席接起的呼叫数",
        "calls that reached an agent",
        "calls",
        True,
        None,
        _col("answered"),
        no_target_zh="随进线量变化；目标针对接通率",
        no_target_en="follows the calls offered; the target is on the answer rate",
    ),
    M(
        "abandoned",
        "放弃量",
        "Abandoned",
        "在队列中挂断的呼叫数",
        "callers who hung up in the queue",
        "calls",
        False,
        None,
        _col("abandoned"),
        queue_only=True,
        no_target_zh="随进线量变化；目标针对放弃率",
        no_target_en="follows the calls offered; the target is on the abandon rate",
    ),
    M(
        "short_abandoned",
        "短放弃",
        "Short abandons",
        "等待不超过 {S} 秒即放弃的呼叫数",
        "abandoned within {S} s of arriving",
        "calls",
        None,
        None,
        _col("short_abandoned"),
        queue_only=True,
        no_target_zh="多为误拨或即刻挂断，按设置不计入服务水平",
        no_target_en="mostly misdials; the settings keep them out of the service level",
    ),
    M(
        "csat",
        "客户满意度",
        "Customer satisfaction",
        "回访评分（1–5 分）的平均值，只计有评分的接通呼叫",
        "mean survey score (1-5) of the answered calls that were rated",
        "score5",
        True,
        None,
        computed_in="analytics.calls.satisfaction_by_queue",
        no_target_zh="资料中没有规定值；在考核中按权重计分，可在目标表中设定",
        no_target_en="the seeds set none; it is weighted in the appraisal; set one in the targets table",
    ),
    M(
        "first_contact_resolution",
        "一次解决率",
        "First-contact resolution",
        "首次来电即解决的接通呼叫 ÷ 已知是否解决的接通呼叫",
        "answered calls resolved at the first contact / answered calls where it is known",
        "%",
        True,
        None,
        computed_in="analytics.calls.satisfaction_by_queue",
        no_target_zh="资料中没有规定值；在考核中按权重计分，可在目标表中设定",
        no_target_en="the seeds set none; it is weighted in the appraisal; set one in the targets table",
    ),
    M(
        "answer_rate",
        "接通率",
        "Answer rate",
        "接通 ÷ 进线",
        "answered / offered",
        "%",
        True,
        0.90,
        lambda s, _: _ratio(s["answered"], s["offered"]),
        queue_only=True,
    ),
    M(
        "service_level",
        "服务水平",
        "Service level",
        "{sl_formula}（T = {T} 秒，短放弃 ≤ {S} 秒）",
        "{sl_formula} (T = {T} s, short abandon ≤ {S} s)",
        "%",
        True,
        0.80,
        service_level,
        queue_only=True,
    ),
    M(
        "asa_s",
        "平均应答速度",
        "Average speed of answer",
        "接通呼叫的等待时长之和 ÷ 接通",
        "total wait of answered calls / answered",
        "s",
        False,
        30.0,
        lambda s, _: _ratio(s["wait_answered_s"], s["answered"]),
    ),
    M(
        "aht_s",
        "平均处理时长",
        "Average handle time",
        "(通话 + 保持 + 话后处理) ÷ 处理量",
        "(talk + hold + after-call work) / handled",
        "s",
        False,
        300.0,
        lambda s, _: _ratio(_handle_total(s), s["handled"]),
    ),
    M(
        "abandon_rate",
        "放弃率",
        "Abandon rate",
        "放弃 ÷ 进线",
        "abandoned / offered",
        "%",
        False,
        0.05,
        lambda s, _: _ratio(s["abandoned"], s["offered"]),
        queue_only=True,
    ),
    M(
        "talk_s",
        "平均通话时长",
        "Average talk",
        "通话时长之和 ÷ 处理量",
        "total talk / handled",
        "s",
        None,
        None,
        lambda s, _: _ratio(s["talk_s"], s["handled"]),
        no_target_zh=_PART[0],
        no_target_en=_PART[1],
    ),
    M(
        "hold_s",
        "平均保持时长",
        "Average hold",
        "保持时长之和 ÷ 处理量",
        "total hold / handled",
        "s",
        False,
        None,
        lambda s, _: _ratio(s["hold_s"], s["handled"]),
        no_target_zh=_PART[0],
        no_target_en=_PART[1],
    ),
    M(
        "acw_s",
        "平均话后处理",
        "Average after-call work",
        "话后处理时长之和 ÷ 处理量",
        "total after-call work / handled",
        "s",
        False,
        None,
        lambda s, _: _ratio(s["acw_s"], s["handled"]),
        no_target_zh=_PART[0],
        no_target_en=_PART[1],
    ),
    # Non-common issues over 5 minutes go to the specialist line (DOMAIN.md): a transfer
    # is the rule working, so a low rate is not simply better and no target is set.
    M(
        "transfer_rate",
        "转接率",
        "Transfer rate",
        "转接 ÷ 处理量",
        "transferred / handled",
        "%",
        None,
        None,
        lambda s, _: _ratio(s["transferred"], s["handled"]),
        no_target_zh="非常见问题超过 5 分钟按规定转问题专线，转接是规则在起作用，不设目标",
        no_target_en="non-common issues over 5 min are meant to go to the specialist line; no target",
    ),
    # The seeds set the handle time of a common issue (≤ 5 min), not a share: the share
    # within it is judged against the page's own rule, the AHT target, so no second target.
    M(
        "within_handle_target",
        "处理时长达标率",
        "Within handle-time target",
        "处理时长 ≤ {H} 秒的呼叫 ÷ 处理量",
        "calls handled within {H} s / handled",
        "%",
        True,
        None,
        lambda s, _: _ratio(s["handled_within_target"], s["handled"]),
        no_target_zh="目标是每通常见问题 ≤ {H} 秒（见平均处理时长）；达标比例本身没有规定",
        no_target_en="the target is each common call ≤ {H} s (see average handle time); the share has none",
    ),
    M(
        "answered_per_agent_day",
        "人均日接听量",
        "Answered per agent-day",
        "处理量 ÷ 上线的座席人天",
        "calls handled / agent-days signed in",
        "calls/agent-day",
        True,
        70.0,
        lambda s, _: _ratio(s["handled"], s["agent_days"]),
    ),
    M(
        "occupancy",
        "占用率",
        "Occupancy",
        "处理时长 ÷ (处理时长 + 空闲可用时长)",
        "handling time / (handling + available idle time) of staffed agents",
        "%",
        None,
        None,
        lambda s, _: _ratio(s["handling_s"], s["handling_s"] + s["available_s"]),
        no_target_zh="过低是人多于话务，过高会导致倦怠和流失：看区间，不看单向目标",
        no_target_en="too low wastes staff, too high burns people out: a band, not a one-way target",
    ),
    # --- complaints (analytics.complaints computes the sums) ---------------------------------
    M(
        "complaints",
        "投诉量",
        "Complaints",
        "期间内受理的投诉件数（按受理日，当地时间）",
        "complaints received in the period (by local day received)",
        "complaints",
        False,
        None,
        _col("complaints"),
        area="complaints",
        no_target_zh="随话务量变化；目标针对万通投诉率和办结时效",
        no_target_en="follows call volume; judged by the rate per 10,000 calls and the time to resolve",
    ),
    M(
        "complaints_per_10k",
        "万通投诉率",
        "Complaints per 10,000 calls",
        "投诉量 ÷ 呼入进线量 × 10000（按班组查看时为该班组处理量）",
        "complaints / inbound calls offered × 10,000 (calls handled when viewing teams)",
        "per10k",
        False,
        None,
        lambda s, _: _ratio(s["complaints"], s["calls"]) * 10000,
        area="complaints",
        no_target_zh="资料中没有规定值；可在目标表中设定",
        no_target_en="the seeds set none; set one in the targets table",
    ),
    M(
        "valid_share",
        "有效投诉占比",
        "Judged valid",
        "核实为有效的投诉 ÷ 已判定的投诉",
        "complaints judged valid / complaints judged",
        "%",
        None,
        None,
        lambda s, _: _ratio(s["valid"], s["judged"]),
        area="complaints",
        no_target_zh=_NEUTRAL[0],
        no_target_en=_NEUTRAL[1],
    ),
    M(
        "level3_complaints",
        "三级投诉（监管 / 媒体）",
        "Level 3 (regulator / media)",
        "升级到税务局 12366、上级局或媒体的投诉件数",
        "complaints escalated to the regulator or the media",
        "complaints",
        False,
        0.0,
        _col("level3"),
        amber_band=0.0,
        area="complaints",
    ),
    M(
        "first_response_workdays",
        "首次响应（工作日）",
        "First response (working days)",
        "受理到首次响应的工作日时长的平均值（只计工作日内的时间）",
        "mean working-day time from received to first response (only time on working days counts)",
        "workdays",
        False,
        None,
        lambda s, _: _ratio(s["first_response_sum"], s["responded"]),
        area="complaints",
        no_target_zh="规定为“立即响应”，没有可比较的时长",
        no_target_en="the rule is “at once”: no duration to compare with",
    ),
    M(
        "resolution_workdays",
        "处理时长（工作日）",
        "Time to resolve (working days)",
        "受理到办结的工作日时长的平均值（只计工作日内的时间）",
        "mean working-day time from received to resolved (only time on working days counts)",
        "workdays",
        False,
        2.0,
        lambda s, _: _ratio(s["resolution_sum"], s["resolved"]),
        area="complaints",
    ),
    M(
        "resolved_within_target",
        "{D} 个工作日内办结率",
        "Resolved within {D} working days",
        "{D} 个工作日内办结 ÷ (已办结 + 已超期未办结)",
        "resolved within {D} working days / (resolved + open and already past {D} working days)",
        "%",
        True,
        0.90,
        lambda s, _: _ratio(s["within_target"], s["judgeable"]),
        area="complaints",
    ),
    M(
        "open_backlog",
        "未办结投诉",
        "Open complaints",
        "期末尚未办结的投诉件数（含更早受理的）",
        "complaints not resolved at the end of the period (including older ones)",
        "complaints",
        False,
        None,
        _col("open"),
        area="complaints",
        no_target_zh="存量随投诉量变化；时效由办结率评判",
        no_target_en="a stock that follows volume; judged by the share resolved in time",
    ),
    M(
        "repeat_complainers",
        "重复投诉客户",
        "Repeat complainers",
        "期间内投诉超过一次的客户数",
        "customers who complained more than once in the period",
        "people",
        False,
        None,
        computed_in="analytics.complaints.summary",
        area="complaints",
        no_target_zh="用于回访跟进的名单，不设目标",
        no_target_en="a list to follow up, not a goal",
    ),
    # --- workforce (analytics.workforce.monthly) -------------------------------------------------
    M(
        "headcount_end",
        "月末在职人数",
        "Headcount at month end",
        "月末最后一天结束时在职的人数",
        "people employed at the end of the month's last day",
        "people",
        None,
        None,
        _col("headcount_end"),
        area="workforce",
        no_target_zh="需要多少人由排班页的月度人力计划给出",
        no_target_en="how many are needed comes from the staffing plan",
    ),
    M(
        "hires",
        "入职",
        "Hires",
        "当月入职人数",
        "people whose first day is in the month",
        "people",
        None,
        None,
        _col("hires"),
        area="workforce",
        no_target_zh="招聘量由人力计划给出",
        no_target_en="hiring follows the staffing plan",
    ),
    M(
        "leavers",
        "离职",
        "Leavers",
        "当月离职人数（最后工作日在当月）",
        "people whose last day is in the month",
        "people",
        False,
        None,
        _col("leavers"),
        area="workforce",
        no_target_zh="随人数变化；目标针对年化流失率",
        no_target_en="follows headcount; the target is on annualised turnover",
    ),
    M(
        "leavers_voluntary",
        "主动离职",
        "Voluntary leavers",
        "当月主动离职人数",
        "people who chose to leave, last day in the month",
        "people",
        False,
        None,
        _col("leavers_voluntary"),
        area="workforce",
        no_target_zh="随人数变化；目标针对年化流失率",
        no_target_en="follows headcount; the target is on annualised turnover",
    ),
    # DOMAIN.md: an in-house center's median is 30-45 % a year; the upper end is the default.
    M(
        "turnover_annualised",
        "年化流失率",
        "Annualised turnover",
        "当月离职人数 ÷ 平均在职人数（(月初 + 月末) ÷ 2）× 12",
        "leavers in the month / average headcount ((opening + closing) / 2) × 12",
        "%",
        False,
        0.45,
        lambda s, _: _ratio(s["leavers"], s["avg_headcount"]) * 12,
        area="workforce",
    ),
    # --- staffing (analytics.coverage, analytics.staffing) ---------------------------------------
    M(
        "required_agents",
        "所需座席",
        "Agents required",
        "在该时段达到目标服务水平（T = {T} 秒）所需的最少在线座席：能从观测放弃估计来电者耐心的队列按 Erlang A，其余按 Erlang C",
        "the fewest agents signed in that reach the target service level (T = {T} s) in the interval: Erlang A "
        "where the queue's caller patience can be estimated from observed abandonment, else Erlang C",
        "agents",
        None,
        None,
        computed_in="analytics.coverage.coverage",
        area="staffing",
        no_target_zh="这是按目标算出的需求，本身不是目标",
        no_target_en="derived from the targets; not a goal itself",
    ),
    M(
        "staffed_agents",
        "在线座席",
        "Agents staffed",
        "时段内在线时长 ÷ 时段长度（平均在线人数）",
        "time signed in during the interval / its length (average agents signed in)",
        "agents",
        None,
        None,
        computed_in="analytics.calls.metrics",
        area="staffing",
        no_target_zh="与所需座席比较",
        no_target_en="compared with the agents required",
    ),
    M(
        "gap_agents",
        "人手缺口",
        "Staffing gap",
        "在线座席 − 所需座席（负数为不足）",
        "agents staffed − agents required (negative: short)",
        "agents",
        True,
        0.0,
        computed_in="analytics.coverage.coverage",
        area="staffing",
        amber_band=0.0,
    ),
    M(
        "intervals_short",
        "人手不足的时段",
        "Intervals short",
        "有来电的 15 分钟队列时段中，在线座席少于所需的个数",
        "15-minute queue intervals with calls whose staffed agents fall short of those required",
        "intervals",
        False,
        0.0,
        computed_in="analytics.coverage.shortfall_summary",
        area="staffing",
        amber_band=0.0,
    ),
    M(
        "agent_hours_short",
        "缺口人时",
        "Agent-hours short",
        "所有不足时段的缺口（所需 − 在线）× 0.25 小时之和",
        "sum over short intervals of (required − staffed) × 0.25 h",
        "hours",
        False,
        0.0,
        computed_in="analytics.coverage.shortfall_summary",
        area="staffing",
        amber_band=0.0,
    ),
    M(
        "required_agent_hours",
        "所需在线人时",
        "Agent-hours required",
        "各时段所需座席 × 0.25 小时之和",
        "sum over intervals of agents required × 0.25 h",
        "hours",
        None,
        None,
        computed_in="analytics.coverage.shortfall_summary",
        area="staffing",
        no_target_zh="这是按目标算出的需求，本身不是目标",
        no_target_en="derived from the targets; not a goal itself",
    ),
    M(
        "staffed_agent_hours",
        "实际在线人时",
        "Agent-hours staffed",
        "各时段在线座席 × 0.25 小时之和",
        "sum over intervals of agents staffed × 0.25 h",
        "hours",
        None,
        None,
        computed_in="analytics.coverage.shortfall_summary",
        area="staffing",
        no_target_zh="与所需在线人时比较",
        no_target_en="compared with the agent-hours required",
    ),
    M(
        "service_level_at_staffed",
        "在线人数下的服务水平",
        "Service level at the staffed level",
        "模型估计（Erlang A，耐心未知时 Erlang C）：以实际在线座席处理该时段话务的服务水平（T = {T} 秒）",
        "estimate (Erlang A, or Erlang C where caller patience is unknown) of the service level (T = {T} s) "
        "the staffed agents give on the interval's calls",
        "%",
        True,
        0.80,
        computed_in="analytics.coverage.coverage",
        area="staffing",
    ),
    M(
        "heads_needed",
        "所需人数",
        "Heads needed",
        "所需在线人时 ÷ (每人每天在线小时 × 工作日) ÷ (1 − 缺勤及非话务比例)，取整",
        "agent-hours required / (hours per person-day × working days) / (1 − shrinkage), rounded up",
        "people",
        None,
        None,
        computed_in="analytics.coverage.monthly_plan",
        area="staffing",
        no_target_zh="这是计划本身",
        no_target_en="this is the plan itself",
    ),
    M(
        "expected_leavers",
        "预计离职",
        "Expected leavers",
        "在职人数 × 年化流失率 ÷ 12（人力计划）；或风险模型给出的离职概率之和",
        "headcount × annual turnover / 12 (staffing plan); or the sum of the risk model's probabilities",
        "people",
        False,
        None,
        computed_in="analytics.coverage.monthly_plan",
        area="staffing",
        no_target_zh="是预测，用于安排招聘",
        no_target_en="a forecast to plan hiring, not a goal",
    ),
    # --- careers (analytics.careers) -----------------------------------------------------------
    M(
        "promotion_rate",
        "晋升率",
        "Promotion rate",
        "期间内晋升次数 ÷ 在职人年",
        "promotions in the period / person-years employed",
        "%",
        True,
        None,
        computed_in="analytics.careers.period_summary",
        area="careers",
        no_target_zh="晋升取决于空缺岗位，资料中没有目标值",
        no_target_en="promotions depend on openings; the seeds set no target",
    ),
    M(
        "median_months_to_promotion",
        "首次晋升中位时间",
        "Median time to first promotion",
        "Kaplan-Meier 估计的入职到首次晋升的中位月数（未晋升者在离职或期末删失）",
        "Kaplan-Meier median months from hire to first promotion (people not promoted are censored)",
        "months",
        None,
        None,
        computed_in="analytics.careers.time_to_promotion",
        area="careers",
        no_target_zh=_NEUTRAL[0],
        no_target_en=_NEUTRAL[1],
    ),
    M(
        "internal_mobility_rate",
        "内部流动率",
        "Internal mobility rate",
        "（晋升 + 横向调动 + 调组 + 降级）÷ 在职人年",
        "(promotions + horizontal moves + team changes + downward moves) / person-years",
        "%",
        None,
        None,
        computed_in="analytics.careers.period_summary",
        area="careers",
        no_target_zh=_NEUTRAL[0],
        no_target_en=_NEUTRAL[1],
    ),
    M(
        "promotions_per_transfer",
        "晋升 : 调动",
        "Promotions per transfer",
        "晋升次数 ÷（横向调动 + 调组次数）",
        "promotions / (horizontal moves + team changes)",
        "ratio",
        None,
        None,
        computed_in="analytics.careers.period_summary",
        area="careers",
        no_target_zh=_NEUTRAL[0],
        no_target_en=_NEUTRAL[1],
    ),
    M(
        "stalled_people",
        "发展停滞人数",
        "Stalled careers",
        "在岗时长超过该岗位晋升者的高百分位且近期考核靠前、仍未晋升的人数",
        "people in a role longer than most who were promoted from it, with recent top appraisals, still not promoted",
        "people",
        False,
        None,
        computed_in="analytics.careers.stalled",
        area="careers",
        no_target_zh="这是一份需要跟进的名单，不设目标",
        no_target_en="a list to act on, not a goal",
    ),
    # --- attrition risk (analytics.attrition) ------------------------------------------------------
    M(
        "attrition_risk",
        "流失风险",
        "Attrition risk",
        "校准后的模型概率：此人在 90 天内主动离职的可能性（仅作辅助决策）",
        "calibrated model probability that the person leaves voluntarily within 90 days (decision support only)",
        "%",
        False,
        None,
        computed_in="analytics.attrition.scores",
        area="attrition",
        no_target_zh="个人风险用于谈话与关怀，不作考核",
        no_target_en="an individual's risk starts a conversation; it is never a goal",
    ),
)
REGISTRY: dict[str, Metric] = {}
for _m in _METRICS:
    if _m.key in REGISTRY:
        raise ValueError(f"metric {_m.key!r} is defined twice")
    REGISTRY[_m.key] = _m


def get(key: str) -> Metric:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"{key!r} is not in the metric registry (analytics/metrics.py)") from None


def by_area(area: str) -> dict[str, Metric]:
    """The registry's metrics of one area, in registry order."""
    if area not in AREAS:
        raise ValueError(f"unknown area {area!r}; choose from {', '.join(AREAS)}")
    return {k: m for k, m in REGISTRY.items() if m.area == area}


# The first columns of every metrics table (the command line's contract), then the rest.
LEADING = ("offered", "answered", "abandoned", "short_abandoned", "answer_rate", "service_level", "asa_s", "aht_s")
TRAILING = (
    "abandon_rate",
    "talk_s",
    "hold_s",
    "acw_s",
    "transfer_rate",
    "within_handle_target",
    "answered_per_agent_day",
    "occupancy",
)


class _FloatColumns(dict):
    """A frame's columns as float64 arrays (NaN for missing), each converted when first read."""

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self._frame = frame

    def __missing__(self, key: str) -> np.ndarray:
        self[key] = floats(self._frame[key])
        return self[key]


def float_columns(frame) -> dict:
    """A frame's (or a dict's) columns as float64 arrays, each converted when first read:
    what the registry's formulas take to work on arrays instead of Series (a Series
    operation costs ~0.2 ms, a dozen small frames a view)."""
    return _FloatColumns(frame)


def compute_all(sums, settings: ServiceSettings, keys: list[str], agent_level: bool = False) -> pd.DataFrame:
    """Metric columns from additive sums (a frame, or a dict of column arrays); queue-only
    metrics are empty at team/agent level because an abandoned call has no agent or team
    to belong to."""
    # Built as one dict of columns and one DataFrame: inserting 16 columns one by one into a
    # frame was most of a page's time once the queries ran on rollups. The formulas read the
    # sums as float arrays, each converted once: Series arithmetic cost ~2 ms a table.
    cols = {k: sums[k] for k in keys}
    as_floats = float_columns(sums)
    frame = isinstance(sums, pd.DataFrame)
    n = len(sums) if frame else len(next(iter(sums.values()), ()))
    empty = np.full(n, np.nan)
    for key in LEADING + TRAILING:
        m = REGISTRY[key]
        if agent_level and m.queue_only:
            cols[key] = empty
        else:
            cols[key] = floats(m.compute(as_floats, settings))
    for key in ("offered", "answered", "abandoned", "short_abandoned"):
        cols[key] = whole_numbers(cols[key])
    return pd.DataFrame(cols, index=sums.index if frame else None)


def rag(metric: Metric, value: float | None, target: float | None) -> str | None:
    """'green', 'amber' or 'red' against the target; None when there is nothing to judge."""
    if value is None or target is None or metric.higher_is_better is None or pd.isna(value):
        return None
    gap = (value - target) if metric.higher_is_better else (target - value)
    if gap >= 0:
        return "green"
    return "amber" if abs(gap) <= metric.amber_band * abs(target) else "red"


_BETTER = {"zh": {True: "越高越好", False: "越低越好", None: "—"}, "en": {True: "higher", False: "lower", None: "—"}}


def definition_rows(lang: str, settings=None) -> list[dict]:
    """One row per metric for the Definitions page and docs/metrics.md: area, key, label,
    formula (settings filled in), unit, direction, default target or why none applies."""
    rows = []
    for m in REGISTRY.values():
        rows.append(
            {
                "area": area_label(m.area, lang),
                "key": m.key,
                "metric": m.label(lang, settings),
                "formula": m.formula(lang, settings),
                "unit": units.unit(m.unit).label(lang),
                "better": _BETTER[lang][m.higher_is_better],
                "target": (
                    m.format_target(m.default_target, lang)
                    if m.default_target is not None
                    else m.no_target_reason(lang, settings)
                ),
                "computed_in": m.computed_in,
            }
        )
    return rows


def markdown_reference() -> str:
    """docs/metrics.md: every metric of the registry with the default settings
    (``python -m analytics schema-doc`` writes it; a test checks it is current)."""

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    zh = {r["key"]: r for r in definition_rows("zh")}
    lines = [
        "# Metrics",
        "",
        "Generated from the registry in `analytics/metrics.py` by "
        "`python -m analytics schema-doc`; do not edit by hand.",
        "",
        "Formulas are shown with the default settings; the Definitions page shows them with the "
        "dataset's `settings.json`. A metric without a default target says why none applies; any "
        "target can be set in the targets table.",
    ]
    for area in AREAS:
        rows = [r for r in definition_rows("en") if REGISTRY[r["key"]].area == area]
        lines += [
            "",
            f"## {area_label(area, 'en')} ({area_label(area, 'zh')})",
            "",
            "| key | metric | 指标 | formula | unit | better | default target (or why none) |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            where = f" (computed in `{r['computed_in']}`)" if r["computed_in"] else ""
            lines.append(
                f"| `{r['key']}` | {cell(r['metric'])} | {cell(zh[r['key']]['metric'])} | "
                f"{cell(r['formula'])}{where} | {cell(r['unit'])} | {r['better']} | {cell(r['target'])} |"
            )
    lines += [
        "",
        "## Service-level formulas",
        "",
        "The setting `sl_formula` in `settings.json` chooses one.",
        "",
        "| setting | name | formula |",
        "|---|---|---|",
    ]
    for f in SL_FORMULAS.values():
        lines.append(f"| `{f.key}` | {f.label_en} | {f.text_en} |")
    return "\n".join(lines) + "\n"
