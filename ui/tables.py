"""Tables with translated headers, units and a formula-safe CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import audit
from analytics.export import safe_csv
from analytics.metrics import REGISTRY
from analytics.units import UNITS
from ui.state import dataset_path, lang, scope, t


def header(col: str) -> str:
    if col in REGISTRY:
        m = REGISTRY[col]
        unit = {"%": " (%)", "s": f" ({t('unit.s')})"}.get(m.unit, "")
        return m.label(lang()) + unit
    return t(f"col.{col}")


def column_config(df: pd.DataFrame, labels: dict[str, str] | None = None,
                  percent: tuple[str, ...] = ()) -> dict:
    """Headers from the registry or the catalogue (``labels`` overrides), with units."""
    cfg = {}
    labels = labels or {}
    for col in df.columns:
        label = labels.get(col) or header(col)
        m = REGISTRY.get(col)
        if col in percent:
            cfg[col] = st.column_config.NumberColumn(label, format="percent")
        elif m is not None and m.unit == "%":
            cfg[col] = st.column_config.NumberColumn(label, format="percent", help=m.formula(lang()))
        elif m is not None and m.unit == "s":
            cfg[col] = st.column_config.NumberColumn(label, format="%.0f", help=m.formula(lang()))
        elif m is not None:
            cfg[col] = st.column_config.NumberColumn(label, format=f"%.{UNITS[m.unit].decimals}f",
                                                     help=m.formula(lang()))
        elif pd.api.types.is_float_dtype(df[col]):
            cfg[col] = st.column_config.NumberColumn(label, format="%.2f")
        else:
            cfg[col] = st.column_config.Column(label)
    return cfg


def _audit_download(file_name: str, rows: int) -> None:
    audit.record(dataset_path(), "export", file_name, scope(), rows=rows)


def table(df: pd.DataFrame, name: str, key: str, height: int | str = "auto",
          selectable: bool = False, labels: dict[str, str] | None = None,
          percent: tuple[str, ...] = ()) -> int | None:
    """Show ``df`` and offer it as CSV (UTF-8 with BOM so Excel reads Chinese correctly).

    With ``selectable`` a row can be clicked; returns the position of the selected row."""
    if df.empty:
        st.info(t("empty.chart"))
        return None
    event = st.dataframe(df, hide_index=True, column_config=column_config(df, labels, percent), height=height,
                         key=f"tbl_{key}", on_select="rerun" if selectable else "ignore",
                         selection_mode="single-row")
    st.download_button(t("download.csv"), data=("\ufeff" + safe_csv(df)).encode("utf-8"),
                       file_name=f"{name}.csv", mime="text/csv", key=f"dl_{key}", icon=":material/download:",
                       on_click=_audit_download, args=(f"{name}.csv", len(df)))
    if selectable and event is not None and event.selection.rows:
        return event.selection.rows[0]
    return None
