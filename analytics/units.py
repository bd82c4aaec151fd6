"""One formatter by unit: how a value and a change of every unit are written, for the
pages, the CSV downloads and the HTML report alike.

A metric's unit is a code of ``UNITS`` (the registry in ``analytics.metrics`` names
one per metric). Rates are held as fractions and written as percent; a change of a rate
is written in percentage points. A missing value (None, NaN, pandas' NA) is "—".

A change carries its direction: ``Change.direction`` is "up", "down" or "flat", where
"flat" means the change rounds to zero at the precision shown, so a card draws it
neutral (no arrow, no colour) instead of a red "↑ +0 s".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MISSING = "—"


@dataclass(frozen=True)
class Unit:
    code: str
    decimals: int  # digits after the point when shown
    suffix_zh: str = ""  # written after the number, with a space when it is a word
    suffix_en: str = ""
    percent: bool = False  # a fraction shown ×100 with "%"; changes in percentage points
    count: bool = False  # whole things: a change also shows its relative size
    label_zh: str = ""  # what the unit is called (definitions page, docs)
    label_en: str = ""

    def suffix(self, lang: str) -> str:
        return self.suffix_zh if lang == "zh" else self.suffix_en

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("%", 1, " %", " %", percent=True, label_zh="百分比", label_en="percent"),
        Unit("s", 0, " 秒", " s", label_zh="秒", label_en="seconds"),
        Unit("calls", 0, count=True, label_zh="通", label_en="calls"),
        Unit("complaints", 0, count=True, label_zh="件", label_en="complaints"),
        Unit("people", 0, count=True, label_zh="人", label_en="people"),
        Unit("intervals", 0, count=True, label_zh="个时段", label_en="intervals"),
        Unit("calls/agent-day", 1, label_zh="通 / 人天", label_en="calls per agent-day"),
        Unit("per10k", 2, label_zh="件 / 万通", label_en="per 10,000 calls"),
        Unit("workdays", 2, " 个工作日", " working days", label_zh="工作日", label_en="working days"),
        Unit("days", 0, " 天", " days", label_zh="天", label_en="days"),
        Unit("months", 1, " 个月", " months", label_zh="月", label_en="months"),
        Unit("hours", 0, " 小时", " h", label_zh="小时", label_en="hours"),
        Unit("agents", 1, " 人", " agents", label_zh="座席（平均在线）", label_en="agents (average signed in)"),
        Unit("ratio", 2, label_zh="比值", label_en="ratio"),
        Unit("score5", 2, label_zh="分（1–5）", label_en="points (1–5)"),
    )
}


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN is the one value unequal to itself
    except (TypeError, ValueError):  # pandas.NA compares to NA, whose truth value raises
        return True


def unit(code: str) -> Unit:
    try:
        return UNITS[code]
    except KeyError:
        raise KeyError(f"unknown unit {code!r}; add it to analytics.units.UNITS") from None


def _number(x: float, decimals: int, sign: bool = False) -> str:
    text = f"{x:+,.{decimals}f}" if sign else f"{x:,.{decimals}f}"
    return text.replace("+-", "-")


def format_value(unit_code: str, value, lang: str, decimals: int | None = None, suffix: bool = True) -> str:
    """``value`` in ``unit_code`` with its unit, e.g. 0.8123 % -> "81.2 %", 4.2 s -> "4 秒".
    ``suffix=False`` leaves a word unit out (for a card whose label already names it);
    a percent sign always stays."""
    if is_missing(value):
        return MISSING
    u = unit(unit_code)
    d = u.decimals if decimals is None else decimals
    x = float(value) * (100 if u.percent else 1)
    if math.isinf(x):
        return "∞"
    return _number(x, d) + (u.suffix(lang) if suffix or u.percent else "")


@dataclass(frozen=True)
class Change:
    text: str  # "+1.2 pp", "−3 秒", "+120 (+4.0%)"; "—" when unknown
    direction: str  # "up", "down", "flat" (rounds to zero), "none" (unknown)

    @property
    def known(self) -> bool:
        return self.direction != "none"


_PP = {"zh": " 个百分点", "en": " pp"}


def format_change(unit_code: str, now, before, lang: str, decimals: int | None = None) -> Change:
    """The change from ``before`` to ``now``: percentage points for rates, the unit
    otherwise, and for counts also the relative change."""
    if is_missing(now) or is_missing(before):
        return Change(MISSING, "none")
    u = unit(unit_code)
    d_places = u.decimals if decimals is None else decimals
    diff = float(now) - float(before)
    shown = diff * (100 if u.percent else 1)
    if round(shown, d_places) == 0:
        zero = _number(0.0, d_places)
        return Change("±" + zero + (_PP[lang] if u.percent else u.suffix(lang)), "flat")
    direction = "up" if diff > 0 else "down"
    text = _number(shown, d_places, sign=True) + (_PP[lang] if u.percent else u.suffix(lang))
    if u.count and float(before):
        text += f" ({diff / abs(float(before)):+.1%})"
    return Change(text, direction)


def format_target(unit_code: str, target, higher_is_better: bool | None, lang: str, decimals: int | None = None) -> str:
    """A target with the side that meets it: "≥ 80.0 %", "≤ 30 秒"."""
    if is_missing(target):
        return MISSING
    sign = "≥ " if higher_is_better else ("≤ " if higher_is_better is False else "")
    return sign + format_value(unit_code, target, lang, decimals)
