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
        {"on": on, "center": center},
    )
    for r in rows.itertuples():
        if r.metric in out:
            out[r.metric] = float(r.target)
    return out


# --- handle-time targets per call category ------------------------------------------------

# A common issue is handled within 5 minutes (seed 000, 第四篇); a non-common issue that
# runs longer goes to the specialist line (问题专线), so its own target is longer. Both are
# settings (settings.json "handle_targets_s": {"complex": 600}); "common" follows the
# service settings' handle_target_s so the two can never disagree.
DEFAULT_NON_COMMON_HANDLE_TARGET_S = 600


def handle_targets(dataset) -> dict[str, int]:
    """Category -> handle-time target in seconds, for every category of the schema."""
    import json
    from pathlib import Path

    from analytics import metrics, schema

    common = metrics.load_settings(Path(dataset)).handle_target_s
    f = Path(dataset) / "settings.json"
    data = json.loads(f.read_text(encoding="utf-8")) if f.is_file() else {}
    configured = data.get("handle_targets_s") or {}
    if not isinstance(configured, dict):
        raise TypeError("settings.json handle_targets_s must map a category to seconds")
    out = {}
    for cat in schema.CATEGORIES:
        value = common if cat == "common" else configured.get(cat, DEFAULT_NON_COMMON_HANDLE_TARGET_S)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"handle target of {cat!r} must be a whole number of seconds > 0, got {value!r}")
        out[cat] = value
    return out
