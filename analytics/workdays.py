"""The Chinese statutory calendar: working days, public holidays and 调休 days.

Built on the ``chinese_calendar`` package, which knows the State Council's holiday
notices for 2004-2026 only. Outside that range (it raises ``NotImplementedError``)
we fall back to Monday-Friday working days and warn once per year, never crash.

``day_kind`` tells the four kinds apart:

- ``workday``: an ordinary Monday-Friday working day;
- ``adjusted_workday``: a Saturday or Sunday made a working day (调休), e.g. 2026-10-10;
- ``weekend``: an ordinary Saturday or Sunday off;
- ``holiday``: a public holiday day off (including the weekend days inside a holiday
  block, e.g. 2026-10-03), as announced by the State Council.
"""

from __future__ import annotations

import datetime as _dt
import functools
import warnings

import chinese_calendar as _cc

__all__ = ["is_workday", "is_holiday", "holiday_name", "day_kind", "DAY_KINDS"]

DAY_KINDS = ("workday", "adjusted_workday", "weekend", "holiday")

_warned_years: set[int] = set()


def _as_date(d) -> _dt.date:
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    if hasattr(d, "date") and callable(d.date):  # pandas Timestamp, numpy via pandas
        return d.date()
    raise TypeError(f"expected a date, got {type(d).__name__}")


def _fallback(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        warnings.warn(
            f"the Chinese holiday calendar (chinese_calendar) has no data for {year}; "
            "falling back to Monday-Friday working days without public holidays",
            RuntimeWarning, stacklevel=3)


@functools.lru_cache(maxsize=8192)
def _kind(d: _dt.date) -> tuple[str, str | None]:
    weekend = d.weekday() >= 5
    try:
        work = _cc.is_workday(d)
        on_holiday, name = _cc.get_holiday_detail(d)
    except NotImplementedError:
        _fallback(d.year)
        return ("weekend" if weekend else "workday"), None
    if work:
        return ("adjusted_workday" if weekend else "workday"), None
    # A day off: a public holiday has a name; an ordinary weekend has none.
    if name is not None:
        return "holiday", name
    return "weekend", None


def day_kind(d) -> str:
    """'workday', 'adjusted_workday' (调休 working weekend day), 'weekend' or 'holiday'."""
    return _kind(_as_date(d))[0]


def is_workday(d) -> bool:
    """True on ordinary working days and on weekend days made working days (调休)."""
    return _kind(_as_date(d))[0] in ("workday", "adjusted_workday")


def is_holiday(d) -> bool:
    """True on a public-holiday day off; False on ordinary weekends and on working days."""
    return _kind(_as_date(d))[0] == "holiday"


def holiday_name(d) -> str | None:
    """English name of the public holiday on that day (e.g. 'National Day'), else None.

    Adjusted working days (调休) return None: they are working days, not holidays.
    """
    return _kind(_as_date(d))[1]
