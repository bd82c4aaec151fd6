"""Targets in force: the registry's defaults, overridden by the dataset's targets table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from analytics.lake import Lake
from analytics.metrics import REGISTRY, Metric


def current_targets(lake: Lake, on: date, center: str | None = None,
                    extra: Iterable[dict[str, Metric]] = ()) -> dict[str, float | None]:
    """metric key -> target on a day: the newest global row, then the center's, else the
    default. ``extra`` adds other registries (complaints, workforce) so their targets can be
    set in the targets table too."""
    out = {k: m.default_target for k, m in REGISTRY.items()}
    for registry in extra:
        out.update({k: m.default_target for k, m in registry.items()})
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
