"""Tables with translated headers, units, names instead of codes, a placeholder for
missing values, and a formula-safe CSV download that reads like the table on screen."""

from __future__ import annotations

import math
from functools import partial

import pandas as pd
import streamlit as st

from analytics import audit
from analytics.export import safe_csv
from analytics.metrics import REGISTRY
from analytics.units import UNITS
from i18n import CATALOGUE, code_label, translate
from ui.state import FRAME_HASH, dataset_path, get_lake, lang, scope, settings, t

MISSING = "—"

# Columns that hold a code of a catalogue kind (``code.<kind>.<value>``): shown by name.
CODE_COLUMNS = {
    "category": "category",
    "direction": "direction",
    "role": "role",
    "from_role": "role",
    "exit_type": "exit_type",
    "exit_reason": "exit_reason",
    "event_type": "event_type",
    "shift_pattern": "shift_pattern",
    "education": "education",
    "tenure_band": "tenure_band",
    "action": "audit_action",
    "driver": "feature",
    "feature": "feature",
    "max_level": "complaint_level",
}
# Columns that hold a comma-separated list of codes ("attitude, transfer_loop").
CODE_LIST_COLUMNS = {"causes": "cause", "drivers": "feature"}


def _metric(col: str):
    """The registry entry of a column named like a metric (calls, complaints, workforce), else None."""
    if col in REGISTRY:
        return REGISTRY[col]
    from analytics import report  # the other registries, until they are one

    try:
        return report.metric(col)
    except KeyError:
        return None


def _unit_suffix(unit: str | None, lang_: str) -> str:
    if unit == "%":
        return " (%)"
    if unit == "s":
        return f" ({translate('unit.s', lang_)})"
    return ""


def header(col: str, lang_: str | None = None) -> str:
    """A column's header in the user's language, with its unit."""
    lang_ = lang_ or lang()
    m = _metric(col)
    if m is not None:
        from analytics import report

        return report.label(col, lang_) + _unit_suffix(m.unit, lang_)
    if f"col.{col}" in CATALOGUE:
        return translate(f"col.{col}", lang_)
    return col


def label_codes(df: pd.DataFrame, lang_: str | None = None, names: dict[str, dict] | None = None) -> pd.DataFrame:
    """``df`` with code columns (``CODE_COLUMNS``) as their labels and, given ``names``
    ({"queue": {code: name}, "center": {...}}), queues and centers by name."""
    lang_ = lang_ or lang()
    out = df.copy()
    for col in out.columns:
        kind = CODE_COLUMNS.get(col)
        if kind is not None:
            out[col] = [code_label(kind, v, lang_) for v in out[col]]
        elif col in CODE_LIST_COLUMNS:
            sep = "、" if lang_ == "zh" else ", "
            out[col] = [
                MISSING
                if _is_missing(v) or not str(v).strip()
                else sep.join(code_label(CODE_LIST_COLUMNS[col], c.strip(), lang_) for c in str(v).split(","))
                for v in out[col]
            ]
        elif names and col in names:
            out[col] = [MISSING if _is_missing(v) else names[col].get(v, v) for v in out[col]]
    return out


def place_names(opts: dict, lang_: str | None = None) -> dict[str, dict]:
    """``calls.place_names`` in the user's language (the one home of how places are named)."""
    from analytics import calls

    return calls.place_names(opts, lang_ or lang())


def _names_for(df: pd.DataFrame) -> dict[str, dict] | None:
    """Queue and center names for a frame that has such columns (names are no secret:
    the sidebar lists them)."""
    if not {"queue", "center"} & set(df.columns):
        return None
    from analytics import calls
    from analytics.access import Scope

    return place_names(calls.filter_options(get_lake(), Scope.everything()))


def _is_missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _is_percent(col: str, percent: tuple[str, ...]) -> bool:
    m = _metric(col)
    return col in percent or (m is not None and m.unit == "%")


def _percent_label(col: str, label: str, lang_: str) -> str:
    """A percent column's header with its unit: "(%)", or percentage points for a
    change of a rate (sl_change, ar_change, *_change)."""
    if col.endswith("_change"):
        unit = translate("unit.pp", lang_)
        return label if unit in label else f"{label} ({unit})"
    return label if "%" in label else f"{label} (%)"


def column_config(df: pd.DataFrame, labels: dict[str, str] | None = None, percent: tuple[str, ...] = ()) -> dict:
    """Headers from the registry or the catalogue (``labels`` overrides), with units."""
    cfg = {}
    labels = labels or {}
    for col in df.columns:
        label = labels.get(col) or header(col)
        m = _metric(col)
        # With the dataset's settings, so the help names the formula in use, not "{sl_formula}".
        help_ = m.formula(lang(), settings()) if m is not None and col in REGISTRY else None
        if _is_percent(col, percent):
            label = _percent_label(col, label, lang())
            # table() shows percent columns × 100: "87.1" under "… (%)", one decimal on every row
            # (Streamlit's "percent" format drops trailing zeros: 87.07% next to 87.2%).
            cfg[col] = st.column_config.NumberColumn(label, format="%.1f", help=help_)
        elif m is not None and m.unit == "s":
            cfg[col] = st.column_config.NumberColumn(label, format="%.0f", help=help_)
        elif m is not None:
            cfg[col] = st.column_config.NumberColumn(label, format=f"%.{UNITS[m.unit].decimals}f", help=help_)
        elif pd.api.types.is_integer_dtype(df[col]):
            cfg[col] = st.column_config.NumberColumn(label, format="%d")
        elif pd.api.types.is_float_dtype(df[col]):
            cfg[col] = st.column_config.NumberColumn(label, format="%.2f")
        elif pd.api.types.is_datetime64_any_dtype(df[col]):
            cfg[col] = st.column_config.DatetimeColumn(label, format=_datetime_format(df[col]))
        else:
            cfg[col] = st.column_config.Column(label)
    return cfg


def _datetime_format(s: pd.Series) -> str:
    """A day column without times reads as a date; anything else to the minute."""
    v = s.dropna()
    try:
        is_day = len(v) and bool((v == v.dt.normalize()).all())
    except (AttributeError, TypeError):
        is_day = False
    return "YYYY-MM-DD" if is_day else "YYYY-MM-DD HH:mm"


def _csv_value(v, kind: str, lang_: str):
    if _is_missing(v):
        return ""
    if kind == "percent":
        return round(float(v) * 100, 1)
    if kind == "int":
        return int(round(float(v)))
    if kind == "s":
        return round(float(v))
    if kind == "float1":
        return round(float(v), 1)
    if kind == "float2":
        return round(float(v), 2)
    if kind == "day":
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if kind == "minute":
        return pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")
    if isinstance(v, bool):
        return translate("yes" if v else "no", lang_)
    return v


def csv_frame(
    df: pd.DataFrame, labels: dict[str, str] | None = None, percent: tuple[str, ...] = (), lang_: str | None = None
) -> pd.DataFrame:
    """The table as it reads on screen, for a CSV file: headers in the user's language
    with units (a percent column holds 85.8 under "… (%)"), numbers rounded as shown,
    missing values empty."""
    lang_ = lang_ or lang()
    labels = labels or {}
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        name = labels.get(col) or header(col, lang_)
        m = _metric(col)
        if _is_percent(col, percent):
            kind = "percent"
            name = _percent_label(col, name, lang_)
        elif m is not None and m.unit == "s":
            kind = "s"
        elif m is not None and m.unit in ("calls", "complaints", "people"):
            kind = "int"
        elif m is not None:
            kind = "float1"
        elif pd.api.types.is_bool_dtype(s):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(s):
            kind = "int"
        elif pd.api.types.is_float_dtype(s):
            kind = "float2"
        elif pd.api.types.is_datetime64_any_dtype(s):
            kind = "day" if _datetime_format(s) == "YYYY-MM-DD" else "minute"
        else:
            kind = "text"
        out[name] = [_csv_value(v, kind, lang_) for v in s]
    return out.reset_index(drop=True)


def csv_bytes(named: pd.DataFrame, labels: dict[str, str] | None, percent: tuple[str, ...], lang_: str) -> bytes:
    """The CSV file of a table (UTF-8 with BOM so Excel reads Chinese correctly)."""
    return ("\ufeff" + safe_csv(csv_frame(named, labels, percent, lang_))).encode("utf-8")


def _audit_download(file_name: str, rows: int) -> None:
    audit.record(dataset_path(), "export", file_name, scope(), rows=rows)


# Once per (table, language, data version, settings): names for codes, percent columns × 100
# and the headers ran on every rerun of a page, a fifth of a cached rerun (service level).
# Shared between runs and sessions: nothing below changes the frames it returns.
@st.cache_resource(show_spinner=False, max_entries=500, hash_funcs=FRAME_HASH)
def _prepared(
    df: pd.DataFrame, lang_: str, labels: dict | None, percent: tuple, version, settings_key: str
) -> tuple[pd.DataFrame, object, dict]:
    named = label_codes(df, lang_, _names_for(df))
    shown = named.copy()
    for col in shown.columns:
        if _is_percent(col, percent) and pd.api.types.is_numeric_dtype(shown[col]):
            shown[col] = shown[col].astype("float64") * 100
    # As Arrow, converted the way st.dataframe converts a frame (its fixes for mixed columns):
    # the conversion was a quarter of a cached rerun of the handle-time page.
    try:
        from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

        shown = convert_pandas_df_to_arrow_table(shown)
    except ImportError:  # another Streamlit: st.dataframe converts the frame itself
        pass
    return named, shown, column_config(df, labels, percent)


_ROW_PX = 35  # st.dataframe's row (and header) height in pixels


def table(
    df: pd.DataFrame,
    name: str,
    key: str,
    height: int | str = "auto",
    selectable: bool = False,
    labels: dict[str, str] | None = None,
    percent: tuple[str, ...] = (),
) -> int | None:
    """Show ``df`` and offer it as CSV (UTF-8 with BOM so Excel reads Chinese correctly).

    With ``selectable`` a row can be clicked; returns the position of the selected row."""
    if df.empty:
        st.info(t("empty.chart"))
        return None
    # Streamlit hashes a frame of 50,000 rows or more by a sample of its rows: no cache key.
    prepare = _prepared.__wrapped__ if len(df) >= 50_000 else _prepared
    if isinstance(height, int) and (len(df) + 1) * _ROW_PX + 3 <= height:
        height = "auto"  # a fixed height for few rows drew empty grid lines below them
    named, shown, config = prepare(df, lang(), labels, percent, get_lake().data_version, repr(settings()))
    event = st.dataframe(
        shown,
        hide_index=True,
        column_config={col: dict(c) for col, c in config.items()},
        height=height,
        key=f"tbl_{key}",
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row",
        placeholder=MISSING,
    )
    st.download_button(
        t("download.csv"),
        # Deferred: the file is written when the button is clicked (on another thread, so the
        # language travels with it), not on every run of the page: on a cached rerun the CSV
        # of every table was a fifth of the server's time.
        data=partial(csv_bytes, named, labels, percent, lang()),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"dl_{key}",
        icon=":material/download:",
        on_click=_audit_download,
        args=(f"{name}.csv", len(df)),
    )
    if selectable and event is not None and event.selection.rows:
        return event.selection.rows[0]
    return None


def plain(df: pd.DataFrame, key: str, hide_index: bool = True) -> None:
    """A small table already in the person's words, with no CSV download: a preview of the
    person's own upload (its values as the file holds them), a what-if result, the read-only
    weights grid. Missing values show as everywhere else."""
    if df.empty:
        st.info(t("empty.chart"))
        return
    st.dataframe(df, hide_index=hide_index, key=f"plain_{key}", placeholder=MISSING)


def fairness_group_label(column: str, group: str, lang_: str) -> str:
    """A fairness-audit group as a person reads it: "性别：女", "出生年份：1977–1993".

    ``group`` is the audit's text: a category code, "missing", or a pandas interval
    "(1976.999, 1993.0]" for the thirds of a numeric attribute (the right end included)."""
    attr = code_label("fairness", column, lang_)
    text = str(group)
    if text.startswith("(") and text.endswith("]") and ", " in text:
        lo, hi = (float(x) for x in text[1:-1].split(", "))
        lo_i = math.floor(lo) + 1  # (1976.999, ...] starts at 1977
        text = f"{lo_i}–{math.floor(hi)}"
    else:
        text = code_label("fairness", text, lang_)
    return f"{attr}：{text}" if lang_ == "zh" else f"{attr}: {text}"
