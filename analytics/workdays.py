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

Durations in working days (``workdays_between``) count only the time that falls on
working days: a complaint received on Friday 18:00 and resolved on Monday 06:00 took
6 h of Friday + 6 h of Monday = 0.5 working days, whatever the weekend in between.
A working day counts whole (24 h), not office hours, because centers answer into the
evening and the target "within 2 working days" is read as two such days. The calendar
is the Chinese statutory one by default (``country="CN"``); any other ISO country code
uses the ``holidays`` package with Monday-Friday working days minus its public holidays.
"""

from __future__ import annotations

import datetime as _dt
import functools
import warnings

import chinese_calendar as _cc
import numpy as np
import pandas as pd

__all__ = [
    "is_workday",
    "is_holiday",
    "holiday_name",
    "day_kind",
    "DAY_KINDS",
    "is_workday_in",
    "workday_flags",
    "workdays_between",
    "DEFAULT_COUNTRY",
]

DEFAULT_COUNTRY = "CN"

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
            RuntimeWarning,
            stacklevel=3,
        )


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


# --- other countries and durations in working days -------------------------------------


@functools.lru_cache(maxsize=64)
def _country_holidays(country: str, year: int) -> frozenset:
    import holidays  # only needed for a calendar other than China's

    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        raise ValueError(f"unknown country code {country!r} for the working-day calendar") from None


@functools.lru_cache(maxsize=65536)
def is_workday_in(d: _dt.date, country: str = DEFAULT_COUNTRY) -> bool:
    """Working day in a country's calendar: China's statutory one (with 调休) for "CN",
    otherwise Monday-Friday minus the ``holidays`` package's public holidays."""
    d = _as_date(d)
    if country.upper() == "CN":
        return is_workday(d)
    return d.weekday() < 5 and d not in _country_holidays(country.upper(), d.year)


def workday_flags(first: _dt.date, last: _dt.date, country: str = DEFAULT_COUNTRY) -> np.ndarray:
    """Boolean array: is each day from ``first`` to ``last`` (inclusive) a working day."""
    n = (last - first).days + 1
    return np.array([is_workday_in(first + _dt.timedelta(days=i), country) for i in range(max(n, 0))], dtype=bool)


def workdays_between(start, end, country: str = DEFAULT_COUNTRY):
    """Working days elapsed from ``start`` to ``end`` (local wall-clock times), as a fraction.

    Only time on working days counts, each working day as 24 h: Friday 18:00 to Monday
    06:00 is 0.25 + 0.25 = 0.5. Scalars give a float; array-likes (e.g. pandas Series of
    naive local timestamps) give a float array, NaN where either end is missing. Negative
    when ``end`` is before ``start``. Vectorised: each calendar day between the earliest
    and the latest timestamp is looked up once, then a cumulative sum of working days
    turns every timestamp into a position on a working-time axis.
    """
    scalar = not hasattr(start, "__len__") and not hasattr(end, "__len__")
    s = pd.to_datetime(pd.Series([start] if scalar else start).reset_index(drop=True))
    e = pd.to_datetime(pd.Series([end] if scalar else end).reset_index(drop=True))
    if len(s) != len(e):
        raise ValueError("start and end must have the same length")
    for ser in (s, e):
        if getattr(ser.dt, "tz", None) is not None:
            raise ValueError("pass local wall-clock times (naive), converted in the center's zone first")
    out = np.full(len(s), np.nan)
    both = (s.notna() & e.notna()).to_numpy()
    if not both.any():
        return float(out[0]) if scalar else out
    s_ok, e_ok = s[both], e[both]
    first = min(s_ok.min(), e_ok.min()).date()
    last = max(s_ok.max(), e_ok.max()).date()
    flags = workday_flags(first, last, country)
    # cum[i] = working days strictly before day i of the range.
    cum = np.concatenate([[0], np.cumsum(flags)])
    out[both] = _position(e_ok, first, flags, cum) - _position(s_ok, first, flags, cum)
    return float(out[0]) if scalar else out


def _position(ts: pd.Series, first: _dt.date, flags: np.ndarray, cum: np.ndarray) -> np.ndarray:
    """Working days from the start of ``first`` to each timestamp."""
    day = ts.dt.normalize()
    idx = ((day - pd.Timestamp(first)).dt.days).to_numpy()
    frac = ((ts - day).dt.total_seconds() / 86400.0).to_numpy()
    return cum[idx] + np.where(flags[idx], frac, 0.0)


def calendar_knows(year: int) -> bool:
    """Whether the statutory calendar has data for ``year`` (else working days fall back
    to Monday-Friday, which callers should say on screen)."""
    try:
        _cc.is_workday(_dt.date(int(year), 6, 1))
    except NotImplementedError:
        return False
    return True
