"""Number formats with units."""

from __future__ import annotations

import math

from analytics.metrics import Metric


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_value(metric: Metric, value, lang: str) -> str:
    if is_missing(value):
        return "—"
    if metric.unit == "%":
        return f"{value * 100:.1f} %"
    if metric.unit == "s":
        return f"{value:,.0f} {'秒' if lang == 'zh' else 's'}"
    if metric.unit == "calls":
        return f"{int(value):,}"
    if metric.unit == "calls/agent-day":
        return f"{value:.1f}"
    return f"{value:,.2f}"


def fmt_delta(metric: Metric, now, before, lang: str) -> str | None:
    """Change against the previous period: percentage points for rates, units otherwise."""
    if is_missing(now) or is_missing(before):
        return None
    d = now - before
    if metric.unit == "%":
        return f"{d * 100:+.1f} {'个百分点' if lang == 'zh' else 'pp'}"
    if metric.unit == "s":
        return f"{d:+,.0f} {'秒' if lang == 'zh' else 's'}"
    if metric.unit == "calls":
        pct = f" ({d / before:+.0%})" if before else ""
        return f"{int(d):+,}{pct}"
    return f"{d:+.1f}"
