"""Metric definitions: how every number is computed, from the registry."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.metrics import REGISTRY, SL_FORMULAS
from ui.format import fmt_value
from ui.state import lang, settings, t

cfg = settings()
st.title(t("def.title"))
st.write(t("def.intro"))
formula = SL_FORMULAS[cfg.sl_formula]
st.info(t("how.sl_setting", formula=formula.text_zh if lang() == "zh" else formula.text_en,
          T=cfg.answer_within_s, S=cfg.short_abandon_s), icon=":material/tune:")
rows = [{t("def.metric"): m.label(lang()), t("def.formula"): m.formula(lang(), cfg), t("def.unit"): m.unit,
         t("def.better"): {True: t("yes"), False: t("no"), None: "—"}[m.higher_is_better],
         t("def.target"): fmt_value(m, m.default_target, lang()) if m.default_target is not None else "—"}
        for m in REGISTRY.values()]
st.dataframe(pd.DataFrame(rows), hide_index=True)
st.caption(t("def.queue_only"))
st.subheader(t("def.sl_formulas"))
for f in SL_FORMULAS.values():
    label = f.label_zh if lang() == "zh" else f.label_en
    text = f.text_zh if lang() == "zh" else f.text_en
    mark = f" — **{t('def.in_use')}**" if f.key == cfg.sl_formula else ""
    st.markdown(f"- {label}: `{text}`{mark}")
