"""Data: import files into the dataset, read the validation report, download rejected
rows, and see the ledger of past batches. For administrators.

Everything about files, validation and the lake lives in analytics.ingest; this page
only gathers choices, shows progress and draws the results.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import schema
from analytics.ingest.batch import read_ledger
from analytics.ingest.importer import (
    MAX_UPLOAD_MB,
    UPLOAD_TYPES,
    available_mappings,
    check_upload,
    import_upload,
    load_upload_mapping,
    preview_upload,
    read_rejects,
    repaired_lines,
)
from analytics.ingest.mapping import MappingError
from analytics.ingest.readers import ReadError
from ui.auth import after_demo_import, demo_import_gate
from ui.state import dataset_path, is_demo, scope, seed_choice, t
from ui.tables import plain, table

ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "UTC",
)
PREVIEW_ROWS = 20


def _height(rows: int) -> int | str:
    """Fit a short table; scroll a long one instead of stretching the page."""
    return "auto" if rows <= 10 else 400


root = dataset_path()
st.title(t("data.title"))
st.caption(t("data.question"))
# Say plainly where an import writes; the demo dataset is allowed but flagged.
if is_demo():
    st.warning(t("data.target", path=str(root.resolve())) + "  \n" + t("data.target.demo"), icon=":material/science:")
else:
    st.info(t("data.target", path=str(root.resolve())) + "  \n" + t("data.target.imported"), icon=":material/database:")

# Choices ---------------------------------------------------------------------------------
up = st.file_uploader(
    t("data.upload"),
    type=list(UPLOAD_TYPES),
    max_upload_size=MAX_UPLOAD_MB,
    help=t("data.upload.help", mb=MAX_UPLOAD_MB),
    key="data_upload",
)
c1, c2 = st.columns(2)
with c1:
    seed_choice("data_table", schema.IMPORT_ORDER)
    tname = st.selectbox(
        t("data.table"), schema.IMPORT_ORDER, format_func=lambda k: t(f"data.table.{k}"), key="data_table"
    )
    center = st.text_input(t("data.center"), key="data_center", max_chars=40).strip() or None
with c2:
    shipped = available_mappings()
    seed_choice("data_mapping", [None, *shipped])
    choice = st.selectbox(
        t("data.mapping"),
        [None, *shipped],
        help=t("data.mapping.help"),
        format_func=lambda k: t("data.mapping.none") if k is None else k,
        key="data_mapping",
    )
    own = st.file_uploader(t("data.mapping.upload"), type=["toml"], max_upload_size=1, key="data_mapping_upload")
    zone = st.selectbox(t("data.timezone"), ZONES, help=t("data.timezone.help"), key="data_zone")

mapping = None
try:
    mapping = load_upload_mapping(choice, own.getvalue() if own is not None else None, tname)
except MappingError as e:
    st.error(t("data.mapping.error", error=str(e)))

# Preview ---------------------------------------------------------------------------------
if up is not None and mapping is not None:
    data = up.getvalue()
    problem = check_upload(up.name, len(data))
    if problem:
        st.error(t(f"data.upload.bad_{problem}", mb=MAX_UPLOAD_MB))
    else:
        try:
            pv = preview_upload(up.name, data, mapping, tname, rows=PREVIEW_ROWS)
        except (ReadError, MappingError) as e:
            pv = None
            st.error(t("data.preview.error", error=str(e)))
        if pv is not None:
            st.subheader(t("data.preview", n=PREVIEW_ROWS))
            st.caption(t("data.preview.format", format=pv.format, encoding=pv.encoding or "—"))
            plain(pv.frame, "data_preview")
            with st.expander(t("data.preview.columns"), expanded=bool(pv.missing)):
                cols = pd.DataFrame(
                    {
                        t("data.preview.source"): list(pv.columns),
                        t("data.preview.canonical"): [v or t("data.preview.ignored") for v in pv.columns.values()],
                    }
                )
                plain(cols, "data_preview_columns")
            if pv.missing:
                st.warning(t("data.preview.missing", cols=", ".join(pv.missing)))
            # Into the demo: say that demo mode ends for everyone and make sure an administrator can sign in.
            into_demo = is_demo()
            may_import = demo_import_gate(scope()) if into_demo else True
            if st.button(
                t("data.import"), type="primary", icon=":material/upload:", key="data_go", disabled=not may_import
            ):
                bar = st.progress(0.0, text=t("data.progress"))

                def step(f: float, msg: str) -> None:
                    # Steps arrive as "reading", "rollups 2026-10"...: translate the word, keep the month.
                    word, _, rest = msg.partition(" ")
                    bar.progress(min(1.0, f), text=f"{t('data.progress')} {t('data.step.' + word)} {rest}".rstrip())

                st.session_state["data_report"] = import_upload(
                    root,
                    tname,
                    up.name,
                    data,
                    mapping=mapping,
                    timezone=zone,
                    center=center,
                    progress=step,
                    actor=scope().user or "app",
                )
                bar.empty()
                if into_demo:
                    after_demo_import()

# Report ----------------------------------------------------------------------------------
report = st.session_state.get("data_report")
if report is not None:
    st.subheader(t("data.report"))
    st.caption(t("data.report.file", file=report.file, table=t(f"data.table.{report.table}")))
    for line in repaired_lines(report.repaired):
        st.info(t("data.report.repaired", what=line), icon=":material/build:")
    if report.skipped_as_duplicate:
        st.info(t("data.report.duplicate", batch=report.batch_id, rows=report.rows_accepted))
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric(t("data.report.read"), f"{report.rows_read:,}")
        m2.metric(t("data.report.accepted"), f"{report.rows_accepted:,}")
        m3.metric(t("data.report.rejected"), f"{report.rows_rejected:,}")
        if report.error:
            # Nothing accepted: the first reasons right here (file:line [column] reason), the
            # counts by reason and every rejected row below, as for a partial import.
            first = (
                []
                if report.rejects is None
                else [f"- {r.file}:{r.line} [{r.column}] {r.reason}" for r in report.rejects.head(5).itertuples()]
            )
            st.error(
                "\n".join(
                    [t("data.report.error", error=report.error)]
                    + ([t("data.report.first_reasons"), *first] if first else [])
                )
            )
        else:
            st.success(
                t("data.report.success", n=f"{report.rows_accepted:,}")
                + " "
                + t("data.report.batch", batch=report.batch_id)
            )
        for code, values in report.warnings:
            st.caption(":material/info: " + t(f"data.warning.{code}", **values))
        if report.rejected_by_reason:
            st.markdown(f"**{t('data.report.by_reason')}**")
            by = pd.DataFrame(
                {
                    "reject_problem": [t(f"data.reason.{k}") for k in report.rejected_by_reason],
                    "reject_rows": list(report.rejected_by_reason.values()),
                }
            )
            table(by, "rejected_by_reason", "data_by_reason")
        if report.rejects is not None and len(report.rejects):
            st.markdown(f"**{t('data.report.rejects')}**")
            st.caption(t("data.report.rejects.caption"))
            rj = report.rejects
            shown = pd.DataFrame(
                {
                    "reject_file": rj["file"],
                    "reject_line": rj["line"],
                    "reject_column": rj["column"],
                    "reject_problem": [t(f"data.reason.{c}") for c in rj["code"]],
                    "reject_reason": rj["reason"],
                    "reject_values": rj["values"],
                }
            )
            table(shown, f"rejects_{report.batch_id or 'none'}", "data_rejects", height=_height(len(shown)))

# Ledger ----------------------------------------------------------------------------------
st.subheader(t("data.ledger"))
st.caption(t("data.ledger.caption"))
led = read_ledger(root)
if led.empty:
    st.info(t("empty.chart"))
else:
    led = led.iloc[::-1]
    shown = pd.DataFrame(
        {
            "ledger_batch": led["batch_id"],
            "ledger_table": [t(f"data.table.{x}") for x in led["table"]],
            "ledger_source": led["file_name"].fillna(led["source"]) if "file_name" in led else led["source"],
            # Batches written by the demo or created for new centers/queues have no "rows read".
            "ledger_read": (led["rows_read"] if "rows_read" in led else pd.Series(pd.NA, index=led.index)).astype(
                "Int64"
            ),
            "ledger_accepted": led["rows_accepted"],
            "ledger_rejected": led["rows_rejected"],
            "ledger_months": [", ".join(m) if isinstance(m, (list, tuple)) else "" for m in led["months"]],
            "ledger_written": led["written_at"].str.slice(0, 19).str.replace("T", " "),
        }
    )
    table(shown, "import_ledger", "data_ledger")
    with_rejects = led.loc[led["rows_rejected"] > 0, "batch_id"].tolist()
    if with_rejects:
        seed_choice("data_ledger_pick", [None, *with_rejects])
        pick = st.selectbox(
            t("data.ledger.rejects"),
            [None, *with_rejects],
            key="data_ledger_pick",
            format_func=lambda b: t("data.ledger.none") if b is None else b,
        )
        if pick:
            rj = read_rejects(root, pick)
            past = pd.DataFrame(
                {
                    "reject_file": rj["file"],
                    "reject_line": rj["line"],
                    "reject_column": rj["column"],
                    "reject_problem": [t(f"data.reason.{c}") for c in rj["code"]],
                    "reject_reason": rj["reason"],
                    "reject_values": rj["values"],
                }
            )
            table(past, f"rejects_{pick}", "data_past_rejects", height=_height(len(past)))
