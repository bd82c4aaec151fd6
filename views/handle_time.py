"""Handle time: are calls taking as long as they should?"""

from __future__ import annotations

import streamlit as st

from analytics import calls
from analytics import targets as _targets
from analytics.lake import HANDLE_TOP_S
from analytics.metrics import REGISTRY
from ui import charts
from ui.filters import sidebar_filters
from ui.kpi import kpi_section
from ui.state import dataset_path as _dataset_path
from ui.state import get_lake, lang, scope, settings, t
from ui.tables import table

lk, sc, cfg = get_lake(), scope(), settings()
filters = sidebar_filters(lk, sc, grains=("day", "week", "month"))

st.title(t("ht.title"))
if filters is None:
    st.stop()
st.caption(f"{t('ht.question')} {t('ht.caption', start=filters.start, end=filters.end, H=cfg.handle_target_s)}")

kpis = ["aht_s", "within_handle_target", "answered_per_agent_day", "occupancy", "transfer_rate"]
# The page's call tables (totals now and before, the trend, per team) read together, one
# statement per rollup; the KPI row and the sections below find them in the lake's cache.
calls.metrics_many(lk, calls.handle_time_requests(filters), sc, cfg)
targets = kpi_section(lk, filters, sc, cfg, kpis, require="answered")

# AHT trend and parts ---------------------------------------------------------------------
st.subheader(t("ht.trend"))
trend = calls.metrics(lk, filters, sc, (filters.grain,), cfg)
charts.show(
    charts.stacked_parts(
        trend,
        filters.grain,
        {p: t(f"part.{p}") for p in ("talk_s", "hold_s", "acw_s")},
        targets.get("aht_s"),
        f"{t('target')} {targets['aht_s']:.0f} {t('unit.s')}" if targets.get("aht_s") is not None else "",
        f"{REGISTRY['aht_s'].label(lang())} ({t('unit.s')})",
    ),
    key="ht_trend",
)

# Distribution and categories ---------------------------------------------------------------
# Half and half: at 3 : 2 the category table's last column was cut off at 1440 px.
left, right = st.columns(2)
with left:
    st.subheader(t("ht.distribution"))
    dist = calls.handle_time_distribution(lk, filters, sc, cfg)
    if dist.empty:
        st.info(t("empty.chart"))
    else:
        cats = {c: t(f"category.{c}") for c in dist["category"].unique()}
        charts.show(
            charts.histogram(
                dist,
                "bin_s",
                "calls",
                "category",
                cats,
                cfg.handle_target_s,
                f"{cfg.handle_target_s} {t('unit.s')}",
                t("col.bin_s"),
                t("col.calls"),
            ),
            key="ht_hist",
            share=1 / 2,
        )
        st.caption(t("ht.distribution.caption", top=HANDLE_TOP_S, H=cfg.handle_target_s))
with right:
    st.subheader(t("ht.by_category"))
    cat = calls.by_category(lk, filters, sc, cfg)
    cat["category"] = cat["category"].map(lambda c: t(f"category.{c}"))
    table(cat, f"handle_time_by_category_{filters.start}_{filters.end}", "by_category")

# Calls per agent-day by team --------------------------------------------------------------
st.subheader(t("ht.per_agent_day"))
per_team = calls.metrics(lk, filters, sc, ("team",), cfg)
per_team = per_team[per_team["answered"].fillna(0) > 0]
target_apd = targets.get("answered_per_agent_day")
if per_team.empty:
    st.info(t("empty.chart"))
else:
    # Many teams: those with the fewest calls per agent-day, furthest below the target.
    shown = charts.chart_rows(per_team, ["answered_per_agent_day", "team"], [True, True])
    charts.show(
        charts.bars_with_target(
            shown,
            "team",
            "answered_per_agent_day",
            target_apd,
            f"{t('target')} {target_apd:.0f}" if target_apd is not None else "",
            f"{REGISTRY['answered_per_agent_day'].label(lang())} ({t('chart.per_agent_day')})",
        ),
        key="ht_team",
    )
    if target_apd is not None:
        st.caption(t("ht.per_agent_day.caption", target=f"{target_apd:.0f}"))
    if len(shown) < len(per_team):
        st.caption(t("ht.per_agent_day.top", n=len(shown), total=len(per_team)))
    table(
        per_team[["team", "answered", "answered_per_agent_day", "aht_s", "within_handle_target", "occupancy"]],
        f"teams_{filters.start}_{filters.end}",
        "teams",
    )

# Agents to review -----------------------------------------------------------------------
st.subheader(t("ht.review"))
st.caption(t("ht.review.caption"))
if sc.individuals:
    review = calls.agents_to_review(lk, filters, sc, cfg)
    if review.empty:
        st.info(t("ht.review.none"))
    else:
        review["reasons"] = review["reasons"].map(lambda r: "; ".join(t(f"reason.{x}") for x in r.split(",") if x))
        table(
            review[
                [
                    "agent",
                    "name",
                    "team",
                    "tenure_days",
                    "handled",
                    "aht_s",
                    "team_aht_s",
                    "aht_vs_team",
                    "output_swing",
                    "reasons",
                ]
            ].head(50),
            f"agents_to_review_{filters.start}_{filters.end}",
            "review",
        )

# Per-category handle-time targets and transfers to the specialist line (issue 17) ----------

st.subheader(t("htcat.title"))
_cat_targets = _targets.handle_targets(_dataset_path())
st.caption(
    t(
        "htcat.caption",
        common=_cat_targets["common"],
        other=", ".join(str(v) for k, v in _cat_targets.items() if k != "common"),
    )
)
_per_cat = calls.by_category_targets(lk, filters, sc, _cat_targets, cfg)
_per_cat["category"] = _per_cat["category"].map(lambda c: t(f"category.{c}") if isinstance(c, str) else "—")
_per_cat["aht_s"] = _per_cat["aht_s"].round()
_cols = ["category", "handled", "aht_s", "target_s", "within_category_target", "transferred", "transfer_rate"]
table(
    _per_cat[_cols],
    f"handle_targets_by_category_{filters.start}_{filters.end}",
    "by_category_targets",
    labels={c: t(f"htcat.col.{c}") for c in _cols},
    percent=("within_category_target", "transfer_rate"),
)
