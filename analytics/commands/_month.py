"""``--month YYYY-MM`` or ``--month last`` for the commands that work on one month."""

from __future__ import annotations

from datetime import date


def resolve_month(text: str | None, today: date | None = None) -> date:
    """The first day of the month named by ``text``.

    ``last`` is the calendar month before ``today`` (the month a report sent on the 1st
    is about); it is not "the newest month with data", so a late import is noticed
    instead of last month's report silently repeating an older one.
    """
    if text == "last":
        today = today or date.today()
        return date(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1, 1)
    try:
        if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
            raise ValueError
        return date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise ValueError(f"--month {text!r} is not a month in the form YYYY-MM (or 'last')") from None
