"""Targets in force: the registry's defaults, overridden by the dataset's targets table."""

from __future__ import annotations

from datetime import date

from analytics.lake import Lake
from analytics.metrics import REGISTRY


def current_targets(lake: Lake, on: date, center: str | None = None) -> dict[str, float | None]:
    """metric key -> target on a day: the newest global row, then the center's, else the
    registry's default. Every metric of the registry (calls, complaints, workforce,
    staffing...) can be given a target in the targets table."""
    out = {k: m.default_target for k, m in REGISTRY.items()}
    rows = lake.query(
        "SELECT metric, scope_type, target FROM targets "
        "WHERE (valid_from IS NULL OR valid_from <= $on) "
        "AND (scope_type = 'global' OR (scope_type = 'center' AND scope_value = $center)) "
        "ORDER BY CASE scope_type WHEN 'global' THEN 0 ELSE 1 END, valid_from NULLS FIRST",
        {"on": on, "center": center})
    for r in rows.itertuples():
        if r.metric in out:
            out[r.metric] = float(r.target)
    return out
