"""Durations in working days (analytics.workdays.workdays_between), worked out by hand on
the 2026 statutory calendar: 国庆 2026-10-01..07 off, Sunday 2026-09-20 and Saturday
2026-10-10 worked; 春节 2026-02-15..23 off, Saturdays 2026-02-14 and 2026-02-28 worked.
Only time on working days counts, a working day as 24 h."""

from datetime import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics import workdays as wd


@pytest.mark.parametrize(
    "start, end, expected",
    [
        # Same working day, 09:00 -> 15:00: 6 h = 0.25.
        (dt(2026, 9, 28, 9), dt(2026, 9, 28, 15), 0.25),
        # Wed 09-30 12:00 -> Thu 10-08 12:00 across all of 国庆: half of 09-30 + half of 10-08 = 1.0.
        (dt(2026, 9, 30, 12), dt(2026, 10, 8, 12), 1.0),
        # Fri 10-09 18:00 -> Mon 10-12 06:00: 0.25 (Fri) + 1 (Sat 10-10, 调休 worked) + 0 (Sun) + 0.25 (Mon).
        (dt(2026, 10, 9, 18), dt(2026, 10, 12, 6), 1.5),
        # Received on the adjusted working Sunday 09-20 at 12:00, resolved Mon 09-21 12:00: 0.5 + 0.5.
        (dt(2026, 9, 20, 12), dt(2026, 9, 21, 12), 1.0),
        # Received inside the holiday (10-03 Sat) and resolved 10-08 06:00: only 6 h of 10-08 count.
        (dt(2026, 10, 3, 10), dt(2026, 10, 8, 6), 0.25),
        # 春节: Sat 02-14 (worked) 12:00 -> Tue 02-24 12:00: 0.5 + 0 (02-15..23 off) + 0.5 = 1.0.
        (dt(2026, 2, 14, 12), dt(2026, 2, 24, 12), 1.0),
        # Fri 02-27 00:00 -> Mon 03-02 00:00: Fri 1 + Sat 02-28 (worked) 1 + Sun 0 = 2.0.
        (dt(2026, 2, 27), dt(2026, 3, 2), 2.0),
        # An ordinary weekend: Fri 10-16 18:00 -> Mon 10-19 06:00 = 0.25 + 0.25.
        (dt(2026, 10, 16, 18), dt(2026, 10, 19, 6), 0.5),
    ],
)
def test_workdays_between_hand_checked(start, end, expected):
    assert wd.workdays_between(start, end) == pytest.approx(expected)


def test_vectorised_matches_scalars_and_keeps_missing_ends():
    starts = pd.Series([dt(2026, 9, 30, 12), dt(2026, 10, 9, 18), dt(2026, 10, 1)])
    ends = pd.Series([dt(2026, 10, 8, 12), dt(2026, 10, 12, 6), None])  # the third is still open
    out = wd.workdays_between(starts, ends)
    assert out[:2] == pytest.approx([1.0, 1.5])
    assert np.isnan(out[2])


def test_end_before_start_is_negative():
    # Thu 10-08 12:00 back to Wed 09-30 12:00: minus the 1.0 of the first row above.
    assert wd.workdays_between(dt(2026, 10, 8, 12), dt(2026, 9, 30, 12)) == pytest.approx(-1.0)


def test_another_country_uses_the_holidays_package():
    # Germany: 2026-10-03 (German Unity Day) is a Saturday anyway; Fri 10-09 18:00 -> Mon 10-12 06:00
    # has no 调休, so only 0.25 + 0.25 counts (China gives 1.5 because 10-10 is worked there).
    assert wd.workdays_between(dt(2026, 10, 9, 18), dt(2026, 10, 12, 6), country="DE") == pytest.approx(0.5)
    # 2026-12-25 (Friday) is a German holiday: Thu 12-24 12:00 -> Mon 12-28 12:00 = 0.5 + 0.5.
    assert wd.workdays_between(dt(2026, 12, 24, 12), dt(2026, 12, 28, 12), country="DE") == pytest.approx(1.0)


def test_timezone_aware_input_is_refused():
    with pytest.raises(ValueError):
        wd.workdays_between(pd.Timestamp("2026-10-09 10:00", tz="UTC"), pd.Timestamp("2026-10-12 10:00", tz="UTC"))
