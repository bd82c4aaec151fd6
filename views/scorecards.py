"""Team & agent scorecards: the monthly appraisal (绩效考核) of each agent, ranked in the team."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics import audit, calls, delivery, schema, scorecard
from analytics import targets as targets_mod
from ui import charts, scorecard_format
from ui.filters import sidebar_filters
from ui.state import dataset_path, get_lake, lang, scope, t
from ui.tables import plain, table

TREND_LEGEND_MAX = 12  # teams a legend can still name readably above the plot


lk, sc = get_lake(), scope()
filters = sidebar_filters(lk, sc, grains=("month",))

st.title(t("sc.title"))
if filters is None:
    st.stop()
sc.require("individuals")
sc.require("hr")
can_edit = sc.role in ("admin", "center_manager")

# Month and teams -------------------------------------------------------------------------
months = sorted(lk.months("calls"), reverse=True)
if not months:
    st.info(t("empty.selection"))
    st.stop()
wanted = filters.end.strftime("%Y-%m")
left, right = st.columns([1, 3])
with left:
    month_text = st.selectbox(
        t("sc.month"), months, index=months.index(wanted) if wanted in months else 0, key="sc_month"
    )
month = date(int(month_text[:4]), int(month_text[5:]), 1)
team_opts = calls.filter_options(lk, sc)["teams"]
if filters.centers:
    team_opts = team_opts[team_opts["center"].isin(filters.centers)]
team_codes = team_opts["team"].tolist()
with right:
    chosen = st.multiselect(t("sc.teams"), team_codes, key="sc_teams", placeholder=t("sc.all_teams"))
teams = tuple(chosen) or (tuple(team_codes) if filters.centers else ())
teams_text = ", ".join(teams) if teams else t("sc.all_teams")
st.caption(f"{t('sc.question')} {t('sc.caption', month=month_text, teams=teams_text)}")
if sc.role == "hr":
    st.info(t("sc.readonly"), icon=":material/visibility:")

handle_targets = targets_mod.handle_targets(dataset_path())
cards = scorecard.scorecards(lk, month, sc, teams) if (teams or not filters.centers) else pd.DataFrame()
if cards.empty:
    st.info(t("sc.none", month=month_text))
    st.stop()
weight_table = scorecard.load_weights(dataset_path())


def _labels(cols) -> dict[str, str]:
    return {c: t(f"sc.col.{c}") for c in cols}


PERCENT = ("within_target_share", "fcr", "transfer_share", "attendance_rate")

# Team summary ----------------------------------------------------------------------------
st.subheader(t("sc.summary"))
summary = scorecard.team_summary(cards)
sum_cols = [
    "team",
    "agents",
    "answered",
    "answered_per_day",
    "aht_s",
    "within_target_share",
    "qa_score",
    "qa_grade",
    "csat",
    "fcr",
    "transfer_share",
    "valid_complaints",
    "attendance_rate",
    "late_count",
    "score",
]
table(
    scorecard_format.shown(summary[sum_cols]),
    f"team_summary_{month_text}",
    "sc_summary",
    labels=_labels(sum_cols),
    percent=PERCENT,
)

# Agents ------------------------------------------------------------------------------------
st.subheader(t("sc.agents"))
targets_text = ", ".join(
    f"{t(f'category.{c}')} ≤ {handle_targets[c] // 60} {t('sc.unit.min')}"
    if handle_targets[c] % 60 == 0
    else f"{t(f'category.{c}')} ≤ {handle_targets[c]} {t('unit.s')}"
    for c in schema.CATEGORIES
)
st.caption(t("sc.agents.caption", target=f"{scorecard.OUTPUT_TARGET_PER_DAY:.0f}", targets=targets_text))
agent_cols = [
    "team",
    "rank",
    "employee_id",
    "name",
    "role",
    "answered",
    "answered_per_day",
    "aht_common_s",
    "aht_complex_s",
    "within_target_share",
    "qa_score",
    "qa_grade",
    "csat",
    "fcr",
    "transferred",
    "valid_complaints",
    "attendance_rate",
    "late_count",
    "score",
    "score_change",
]


# The agents and one agent's month: a fragment, so picking a row reruns this part only (the
# team summary, components, trend and exports above and below stay as they are).
@st.fragment
def _agents_and_detail() -> None:
    picked = table(
        scorecard_format.shown(cards[agent_cols]),
        f"scorecards_{month_text}",
        "sc_agents",
        selectable=True,
        labels=_labels(agent_cols),
        percent=PERCENT,
    )

    # One agent's month -------------------------------------------------------------------------
    if picked is None:
        st.caption(t("sc.detail.pick"))
    else:
        row = cards.iloc[picked]
        agent = row["employee_id"]
        st.subheader(
            t("sc.detail", name=row["name"] if isinstance(row["name"], str) else "—", agent=agent, month=month_text)
        )
        days = scorecard.agent_days(lk, month, sc, agent)
        days["day"] = pd.to_datetime(days["day"]).dt.date  # a day, not midnight of it
        days["aht_s"] = pd.to_numeric(days["aht_s"], errors="coerce").round().astype("Int64")
        tab_days, tab_qa, tab_cmp = st.tabs([t("sc.detail.days"), t("sc.detail.qa"), t("sc.detail.complaints")])
        with tab_days:
            if days.empty:
                st.info(t("empty.chart"))
            else:
                fig = charts.bars_with_target(
                    days,
                    "day",
                    "answered",
                    scorecard.OUTPUT_TARGET_PER_DAY,
                    f"{t('target')} {scorecard.OUTPUT_TARGET_PER_DAY:.0f}",
                    t("sc.col.answered"),
                )
                charts.show(fig, key="sc_days")
                day_cols = ["day", "answered", "aht_s", "transferred", "csat", "fcr"]
                table(
                    days[day_cols],
                    f"agent_{agent}_{month_text}_days",
                    "sc_days_tbl",
                    labels=_labels(day_cols),
                    percent=("fcr",),
                )
        with tab_qa:
            ev = scorecard.agent_evaluations(lk, month, sc, agent)
            if ev.empty:
                st.info(t("sc.detail.no_qa"))
            else:
                ev["method"] = ev["method"].map(lambda m: t(f"qa.method.{m}") if isinstance(m, str) else "—")
                ev["grade"] = ev["grade"].map(lambda g: t(f"sc.grade.{g}") if isinstance(g, str) else "—")
                ev = ev.fillna({"evaluator_id": "—", "call_id": "—"})
                ev["day"] = pd.to_datetime(ev["day"]).dt.date
                ev_cols = ["day", "method", "score", "grade", "evaluator_id", "call_id"]
                table(ev[ev_cols], f"agent_{agent}_{month_text}_qa", "sc_qa_tbl", labels=_labels(ev_cols))
        with tab_cmp:
            cp = scorecard.agent_complaints(lk, month, sc, agent)
            if cp.empty:
                st.info(t("sc.detail.no_complaints"))
            else:
                cp["level"] = cp["level"].map(lambda v: t(f"cmp.level.{int(v)}") if pd.notna(v) else "—")
                codes = (("channel", "cmp.channel."), ("category", "cmp.category."), ("cause", "cmp.cause."))
                for col, prefix in codes:
                    cp[col] = cp[col].map(lambda v, p=prefix: t(p + v) if isinstance(v, str) else "—")
                cp["day"] = pd.to_datetime(cp["day"]).dt.date
                cp["valid"] = cp["valid"].map(lambda v: "—" if pd.isna(v) else t("sc.yes") if v else t("sc.no"))
                cp_cols = ["day", "level", "channel", "category", "cause", "valid"]
                table(cp[cp_cols], f"agent_{agent}_{month_text}_complaints", "sc_cmp_tbl", labels=_labels(cp_cols))


_agents_and_detail()

st.subheader(t("sc.components"))
comp_cols = ["team", "rank", "employee_id", "name"] + [f"c_{c}" for c in scorecard.COMPONENTS] + ["score"]
comp_labels = {
    **_labels(["team", "rank", "employee_id", "name", "score"]),
    **{f"c_{c}": t(f"sc.comp.{c}") for c in scorecard.COMPONENTS},
}
table(
    scorecard_format.shown(cards[comp_cols]), f"scorecard_components_{month_text}", "sc_components", labels=comp_labels
)
st.caption(t("sc.components.caption"))

# Team trend --------------------------------------------------------------------------------
st.subheader(t("sc.trend"))
trend = scorecard.team_trend(lk, month, sc, teams)
if trend.empty:
    st.info(t("empty.chart"))
else:
    charts.show(charts.team_lines(trend, t("sc.trend.y"), TREND_LEGEND_MAX), key="sc_trend")
    if trend["team"].nunique() > TREND_LEGEND_MAX:
        st.caption(t("sc.trend.many", n=trend["team"].nunique()))

# Print for the appraisal meeting -----------------------------------------------------------
st.divider()
weights = scorecard.weights_for(weight_table, "csr")
page_lang = lang()


def _page_html() -> str:
    # Written when a file is asked for, not on every run (a table of every agent, twice).
    return scorecard.render_html(cards, month, teams_text, weights, page_lang)


file_stem = f"scorecards_{month_text}"


def _audit(name: str) -> None:
    audit.record(dataset_path(), "export", name, sc, rows=len(cards))


c1, c2 = st.columns(2)
with c1:
    if st.button(t("sc.pdf.make"), icon=":material/picture_as_pdf:", key="sc_pdf_make"):
        try:
            st.session_state["sc_pdf"] = (month_text, teams, delivery.html_to_pdf(_page_html()))
        except delivery.NoChromium:
            st.warning(t("sc.pdf.no_chromium"))
        except delivery.DeliveryError as e:
            st.error(t("sc.pdf.failed", error=str(e)))
    made = st.session_state.get("sc_pdf")
    if made and made[0] == month_text and made[1] == teams:
        st.download_button(
            t("sc.pdf"),
            data=made[2],
            file_name=f"{file_stem}.pdf",
            mime="application/pdf",
            key="sc_pdf_dl",
            icon=":material/download:",
            on_click=_audit,
            args=(f"{file_stem}.pdf",),
        )
with c2:
    st.download_button(
        t("sc.html"),
        data=lambda: _page_html().encode("utf-8"),
        file_name=f"{file_stem}.html",
        mime="text/html",
        key="sc_html_dl",
        icon=":material/download:",
        on_click=_audit,
        args=(f"{file_stem}.html",),
    )

# The weights table -------------------------------------------------------------------------
with st.expander(t("sc.weights"), icon=":material/balance:"):
    st.caption(t("sc.weights.caption"))
    roles = list(weight_table)
    grid = pd.DataFrame(
        {t(f"car.role.{r}"): [weight_table[r][c] for c in scorecard.COMPONENTS] for r in roles},
        index=[t(f"sc.comp.{c}") for c in scorecard.COMPONENTS],
    )
    grid.index.name = t("sc.col.component")
    if can_edit:
        edited = st.data_editor(
            grid,
            key="sc_weights_editor",
            disabled=False,
            column_config={
                col: st.column_config.NumberColumn(col, min_value=0.0, max_value=100.0, step=1.0, format="%.0f")
                for col in grid.columns
            },
        )
        if st.button(t("sc.weights.save"), key="sc_weights_save"):
            new = {
                r: {c: float(edited.iloc[i][t(f"car.role.{r}")]) for i, c in enumerate(scorecard.COMPONENTS)}
                for r in roles
            }
            try:
                scorecard.save_weights(dataset_path(), new)
                audit.record(dataset_path(), "change_settings", "appraisal weights", sc)
                st.success(t("sc.weights.saved"))
                st.rerun()
            except ValueError as e:
                st.error(t("sc.weights.invalid", error=str(e)))
    else:
        plain(grid, "sc_weights_view", hide_index=False)
    st.markdown("\n".join(f"- **{t(f'sc.comp.{c}')}**: {t(f'sc.comp.help.{c}')}" for c in scorecard.COMPONENTS))
