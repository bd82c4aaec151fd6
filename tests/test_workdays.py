"""Hand-checked days of the Chinese statutory calendar (analytics/workdays.py).

The 2026 dates follow the State Council General Office notice on the 2026 public
holiday arrangements (国务院办公厅关于2026年部分节假日安排的通知, published Nov 2025),
as encoded in chinese-calendar 1.11:
- 春节 2026: 2026-02-15 .. 02-23 off; Saturdays 2026-02-14 and 2026-02-28 are working days;
- 中秋 2026: 2026-09-25 .. 09-27 off;
- 国庆 2026: 2026-10-01 .. 10-07 off; Sunday 2026-09-20 and Saturday 2026-10-10 are working days.
"""

import datetime as dt
import warnings

import pytest

from analytics import workdays as wd


@pytest.mark.parametrize(
    "day, kind, name",
    [
        ("2026-10-01", "holiday", "National Day"),  # 国庆 first day (Thursday)
        ("2026-10-03", "holiday", "National Day"),  # Saturday inside the 国庆 block
        ("2026-10-07", "holiday", "National Day"),  # last 国庆 day (Wednesday)
        ("2026-10-08", "workday", None),  # back to work (Thursday)
        ("2026-10-10", "adjusted_workday", None),  # 调休: Saturday worked for 国庆
        ("2026-09-20", "adjusted_workday", None),  # 调休: Sunday worked for 国庆
        ("2026-09-25", "holiday", "Mid-autumn Festival"),  # 中秋 (Friday)
        ("2026-09-28", "workday", None),  # ordinary Monday between 中秋 and 国庆
        ("2026-02-14", "adjusted_workday", None),  # 调休 Saturday before 春节
        ("2026-02-28", "adjusted_workday", None),  # 调休 Saturday after 春节
        ("2026-02-17", "holiday", "Spring Festival"),  # 春节 (Tuesday)
        ("2026-10-11", "weekend", None),  # ordinary Sunday
        ("2026-08-15", "weekend", None),  # ordinary Saturday
        ("2026-08-12", "workday", None),  # ordinary Wednesday
    ],
)
def test_hand_checked_days(day, kind, name):
    d = dt.date.fromisoformat(day)
    assert wd.day_kind(d) == kind
    assert wd.holiday_name(d) == name
    assert wd.is_workday(d) == (kind in ("workday", "adjusted_workday"))
    assert wd.is_holiday(d) == (kind == "holiday")


def test_accepts_datetimes():
    assert wd.is_holiday(dt.datetime(2026, 10, 1, 9, 30))
    assert wd.is_workday(dt.datetime(2026, 10, 10, 23, 59))


def test_outside_library_range_falls_back_with_one_warning():
    wd._warned_years.discard(2027)
    wd._kind.cache_clear()
    with pytest.warns(RuntimeWarning, match="2027"):
        assert wd.is_workday(dt.date(2027, 1, 4))  # Monday
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning for 2027
        assert wd.day_kind(dt.date(2027, 1, 9)) == "weekend"  # Saturday
        assert not wd.is_holiday(dt.date(2027, 1, 1))  # New Year unknown: plain Friday
        assert wd.day_kind(dt.date(2027, 1, 1)) == "workday"
        assert wd.holiday_name(dt.date(2027, 1, 1)) is None
