"""Builds the staffing month precomputed at import (``analytics.coverage_month``: what it
holds, when readers use it) from the month's published rollups with ``analytics.coverage``'s
own live computation, and publishes it. Registered with the lake on import (``lake.DERIVED``):
``lake.rebuild_rollups`` calls ``rebuild`` after publishing the rollups it rebuilt, and
``lake.repair`` rebuilds ``stale_months``."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from analytics import coverage, metrics
from analytics import lake as lake_mod
from analytics.access import Scope
from analytics.coverage_month import (
    CHECK,
    COVERAGE_COLUMNS,
    LOAD_COLUMNS,
    PROFILE,
    PROJECTION,
    ROLLUP,
    ROLLUPS,
    VERSION,
    _projection_depends,
    fingerprint,
    load_fingerprint,
)
from analytics.filters import Filters
from analytics.targets import current_targets


def page_settings(lake, month: date):
    """The service and coverage settings the staffing page opens with for ``month``."""
    settings = metrics.load_settings(lake.root)
    target = current_targets(lake, coverage._month_end(month)).get("service_level")
    return settings, coverage.CoverageSettings(target_sl=float(target or 0.8))


# --- building ----------------------------------------------------------------------------------


def build_month(lake, month: date, settings, cov) -> tuple[dict | None, bool]:
    """A month's tables (rollup -> Arrow table; None without inbound load) and whether every
    queue is in one center, computed live by ``analytics.coverage`` for the whole organisation."""
    whole = Filters(start=month, end=coverage._month_end(month))
    everything = Scope.everything()
    load = coverage.interval_load(lake, whole, everything, settings)
    if load.empty:
        return None, True
    cov_df = coverage.coverage(lake, whole, everything, settings, cov)
    extra = [c for c in COVERAGE_COLUMNS if c not in LOAD_COLUMNS]
    out = load.merge(cov_df[["interval15", "queue", *extra]], on=["interval15", "queue"], how="left")
    out["model"] = out["model"].astype(object)
    centers = coverage.queue_centers(lake, whole, everything, settings)
    out["center"] = out["queue"].map({q: c[0] for q, c in centers.items() if len(c) == 1}).astype(object)
    single = all(len(c) == 1 for c in centers.values()) and out["center"].notna().all()
    out = out.sort_values(["interval15", "queue"], ignore_index=True)
    sums, _ = coverage.profile_sums(load)
    sums["center"] = sums["queue"].map(dict(zip(out["queue"], out["center"]))).astype(object)
    tables = {ROLLUP: pa.Table.from_pandas(out, preserve_index=False)}
    tables[PROFILE] = pa.Table.from_pandas(sums, preserve_index=False)
    proj = coverage.attrition_projection(lake, whole.end, everything, settings, coverage.ProjectionSettings())
    if not proj.empty:  # the projection's own ``month`` would clash with the partition column
        proj = proj.rename(columns={"month": "proj_month"}).assign(_row=np.arange(len(proj)))
        tables[PROJECTION] = pa.Table.from_pandas(proj, preserve_index=False)
    check = coverage.model_check(lake, month, everything, settings)
    if not check.empty:
        tables[CHECK] = pa.Table.from_pandas(check.assign(_row=np.arange(len(check))), preserve_index=False)
    return tables, bool(single)


def rebuild(root: Path, months, generation: int) -> list[str]:
    """Compute ``months`` ('YYYY-MM') from the published rollups, write them as files of
    ``generation`` and publish them with the rest of the manifest as it stands. Called
    under the import lock (``lake.rebuild_rollups``, ``lake.repair``)."""
    root = Path(root).resolve()
    months = sorted(set(months))
    if not months:
        return []
    with lake_mod.import_lock(root):
        manifest = lake_mod.read_published(root)
        if manifest is None:
            return []
        published = manifest.get("rollups", {})
        qi_files = published.get("queue_interval", {})
        old = manifest.get(ROLLUP) or {}
        entries = dict(old.get("months", {})) if old.get("version") == VERSION else {}
        files = {r: dict(published.get(r, {})) if entries else {} for r in ROLLUPS}
        try:
            lake = lake_mod.Lake(root, lock_down=False)
        except duckdb.IOException as e:  # a published file is missing: readers compute live
            logging.getLogger(__name__).warning("%s: staffing months not precomputed (%s); run repair", root, e)
            return []
        try:
            for m in months:
                for r in files:
                    files[r].pop(m, None)
                entries.pop(m, None)
                if m not in qi_files:
                    continue
                month = date.fromisoformat(m + "-01")
                settings, cov = page_settings(lake, month)
                tables, single = build_month(lake, month, settings, cov)
                entry = {
                    "fingerprint": fingerprint(settings, cov, coverage.model_constants()),
                    "load_fingerprint": load_fingerprint(settings, coverage.model_constants()),
                    "queue_interval": qi_files[m],
                    "single_center": single,
                    "empty": tables is None,
                    "projection": _projection_depends(manifest, month),
                }
                if tables is not None:
                    for r, rel in lake_mod.write_month_rollups(root, m, tables, generation).items():
                        files[r][m] = rel
                entries[m] = entry
        finally:
            lake.con.close()
        entries = {m: e for m, e in entries.items() if m in qi_files}
        rollups = dict(published)
        for r, by_month in files.items():
            rollups[r] = {m: f for m, f in by_month.items() if m in entries}
            if not rollups[r]:
                rollups.pop(r)
        extra = {k: v for k, v in manifest.items() if k not in ("generation", "published_at", "batches", "rollups")}
        extra[ROLLUP] = {"version": VERSION, "months": entries}
        lake_mod.publish(root, rollups, generation, extra)
    return months


def stale_months(root: Path, published: dict | None = None) -> list[str]:
    """Months of calls whose precomputed staffing month is missing, was computed from
    another queue_interval file, other HR batches or season months (the projection), or at
    settings other than the page's now."""
    root = Path(root).resolve()
    published = lake_mod.read_published(root) if published is None else published
    if not published:
        return []
    qi_files = published.get("rollups", {}).get("queue_interval", {})
    if not qi_files:
        return []
    meta = published.get(ROLLUP) or {}
    entries = meta.get("months", {}) if meta.get("version") == VERSION else {}
    files = [published.get("rollups", {}).get(r, {}) for r in (ROLLUP, PROFILE)]
    out = []
    lake = None
    try:
        for m, qi in sorted(qi_files.items()):
            e = entries.get(m)
            lost = not e or (not e.get("empty") and any(m not in f or not (root / f[m]).is_file() for f in files))
            month = date.fromisoformat(m + "-01")
            if lost or e.get("queue_interval") != qi or e.get("projection") != _projection_depends(published, month):
                out.append(m)
                continue
            if lake is None:
                lake = lake_mod.Lake(root, lock_down=False)
            settings, cov = page_settings(lake, month)
            if e.get("fingerprint") != fingerprint(settings, cov, coverage.model_constants()):
                out.append(m)
    finally:
        if lake is not None:
            lake.con.close()
    return out


def _register() -> None:
    if sys.modules[__name__] not in lake_mod.DERIVED:
        lake_mod.DERIVED.append(sys.modules[__name__])


_register()  # lake.rebuild_rollups and lake.repair call rebuild and stale_months
