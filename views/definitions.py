"""Metric definitions: how every number is computed, generated from the one registry
with the dataset's settings (docs/metrics.md is generated from the same rows)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import metrics
from analytics import settings as dataset_settings
from ui.state import dataset_path, lang, t

cfg = dataset_settings.load(dataset_path())
st.title(t("def.title"))
st.write(t("def.intro"))
st.info(
    t(
        "how.sl_setting",
        formula=cfg.service.formula.text(lang()),
        T=cfg.service.answer_within_s,
        S=cfg.service.short_abandon_s,
    ),
    icon=":material/tune:",
)
st.caption(
    t("def.complaint_setting", D=f"{cfg.complaints.resolve_within_workdays:g}", calendar=cfg.complaints.calendar)
    + " "
    + t("def.targets_note")
)
rows = metrics.definition_rows(lang(), cfg)
for area in metrics.AREAS:
    st.subheader(metrics.area_label(area, lang()))
    part = [r for r in rows if metrics.REGISTRY[r["key"]].area == area]
    st.table(
        pd.DataFrame(
            {
                t("def.metric"): [r["metric"] for r in part],
                t("def.formula"): [r["formula"] for r in part],
                t("def.unit"): [r["unit"] for r in part],
                t("def.better"): [r["better"] for r in part],
                t("def.target"): [r["target"] for r in part],
            }
        ),
        hide_index=True,
        border="horizontal",
    )
    if area == "calls":
        st.caption(t("def.queue_only"))
st.subheader(t("def.sl_formulas"))
for f in metrics.SL_FORMULAS.values():
    mark = f" — **{t('def.in_use')}**" if f.key == cfg.service.sl_formula else ""
    st.markdown(f"- {f.label(lang())}: `{f.text(lang())}`{mark}")
