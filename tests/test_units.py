"""The one formatter by unit: values and changes worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics import metrics
from analytics.units import UNITS, format_change, format_target, format_value


@pytest.mark.parametrize(
    "unit, value, lang, text",
    [
        ("%", 0.81234, "en", "81.2 %"),  # a fraction shown ×100, one decimal
        ("%", 1.0, "zh", "100.0 %"),
        ("s", 4.4, "en", "4 s"),  # seconds are whole
        ("s", 4.6, "zh", "5 秒"),
        ("s", 1234.0, "en", "1,234 s"),  # thousands separated
        ("calls", 12345.0, "en", "12,345"),
        ("people", 171.6, "zh", "172"),  # people are whole numbers, never "172.00"
        ("complaints", 3, "en", "3"),
        ("calls/agent-day", 68.25, "en", "68.2"),  # banker's rounding of .25 at one decimal: 68.2
        ("per10k", 1.456, "en", "1.46"),
        ("workdays", 1.5, "en", "1.50 working days"),
        ("workdays", 1.5, "zh", "1.50 个工作日"),
        ("months", 14.25, "en", "14.2 months"),
        ("hours", 1234.4, "en", "1,234 h"),
        ("ratio", 0.5, "en", "0.50"),
    ],
)
def test_values(unit, value, lang, text):
    assert format_value(unit, value, lang) == text


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_is_a_dash_in_every_unit(missing):
    for unit in UNITS:
        assert format_value(unit, missing, "zh") == "—"
        assert format_change(unit, missing, 1.0, "en").text == "—"
        assert format_change(unit, missing, 1.0, "en").direction == "none"


def test_infinite_wait_is_written_as_infinity():
    assert format_value("s", math.inf, "en") == "∞"


def test_changes_of_rates_are_percentage_points():
    c = format_change("%", 0.80, 0.75, "en")
    assert (c.text, c.direction) == ("+5.0 pp", "up")
    c = format_change("%", 0.75, 0.80, "zh")
    assert (c.text, c.direction) == ("-5.0 个百分点", "down")


def test_changes_of_counts_show_the_relative_change():
    # 110 against 100: +10 calls, +10.0 %
    assert format_change("calls", 110, 100, "en").text == "+10 (+10.0%)"
    # 90 against 100: −10, −10.0 %
    assert format_change("people", 90, 100, "en").text == "-10 (-10.0%)"
    # against zero there is no relative change
    assert format_change("complaints", 3, 0, "en").text == "+3"


def test_a_change_that_rounds_to_zero_is_flat():
    # 4.2 s against 4.4 s: both shown as 4 s, so the change shown is 0 and must not be red "↑ +0 s"
    c = format_change("s", 4.2, 4.4, "en")
    assert (c.text, c.direction) == ("±0 s", "flat")
    # 0.00004 of a rate is 0.004 pp: 0.0 pp at one decimal
    assert format_change("%", 0.80004, 0.8, "en").direction == "flat"
    assert format_change("calls", 100, 100, "en").text == "±0"
    # 0.06 pp is shown as +0.1 pp: not flat
    assert format_change("%", 0.8006, 0.8, "en").direction == "up"


def test_targets_carry_their_side():
    assert format_target("%", 0.8, True, "en") == "≥ 80.0 %"
    assert format_target("s", 30, False, "zh") == "≤ 30 秒"
    assert format_target("s", None, False, "zh") == "—"


def test_every_registry_unit_is_known_and_metric_shortcuts_agree():
    for m in metrics.REGISTRY.values():
        assert m.unit in UNITS
    aht = metrics.get("aht_s")
    assert aht.format(299.6, "en") == "300 s" and aht.format_target(300.0, "en") == "≤ 300 s"


def test_a_card_leaves_out_a_unit_word_its_label_already_names():
    # "处理时长（工作日）" names working days: the card shows 0.76, the table 0.76 个工作日
    res = metrics.get("resolution_workdays")
    assert res.format(0.76, "zh") == "0.76 个工作日"
    assert res.format(0.76, "zh", compact=True) == "0.76"
    assert res.format(0.76, "en", compact=True) == "0.76"
    # seconds are not named by "平均处理时长": the unit stays
    assert metrics.get("aht_s").format(299.6, "zh", compact=True) == "300 秒"
    # a percent sign always stays
    assert metrics.get("answer_rate").format(0.9, "en", compact=True) == "90.0 %"
