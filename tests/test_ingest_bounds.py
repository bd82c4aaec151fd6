"""Bad inputs that are built at test time (binary formats, huge values, upload names):
each ends as accepted rows plus rejected rows with file, line, column and reason, or as
one clear file-level error, never a traceback. An import that accepts nothing says why
(first reasons and counts by reason), on the command line as for a partial import.

CLASSES lists every class with what the person is told and the rows accepted/rejected;
the report table of issue 15 is printed from it (python tests/test_ingest_bounds.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics.export import neutralise, safe_csv
from analytics.ingest.importer import check_upload, import_file, import_upload
from analytics.ingest.mapping import parse_mapping
from analytics.ingest.validate import ImportSettings
from tests.conftest import ROOT

NOW = ImportSettings(now=pd.Timestamp("2026-11-23T00:00:00Z"))
HEAD = ["call_id", "queue", "arrived_at", "answered_at", "ended_at"]
GOOD = ["c1", "Q1", "2026-10-01 09:00:00", "2026-10-01 09:00:10", "2026-10-01 09:02:10"]


def _csv(path: Path, rows: list[list[str]], head=HEAD) -> Path:
    pd.DataFrame(rows, columns=head).to_csv(path, index=False)
    return path


# --- builders: one per class -----------------------------------------------------------------


def excel_formula_without_value(tmp: Path) -> Path:
    """Written by a program (openpyxl), never opened in Excel: formulas have no saved value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD + ["talk_min", "talk_s"])
    ws.append(GOOD + [2, "=F2*60"])
    ws.append(["c2", "Q1", "2026-10-01 09:10:00", "2026-10-01 09:10:10", "2026-10-01 09:12:10", 1, 60])
    f = tmp / "formulas.xlsx"
    wb.save(f)
    return f


def excel_cover_sheet(tmp: Path) -> Path:
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Monthly call export"])
    cover.append(["Prepared by the ACD team"])
    data = wb.create_sheet("Calls")
    data.append(HEAD)
    data.append(GOOD)
    f = tmp / "cover.xlsx"
    wb.save(f)
    return f


def parquet_invalid_utf8(tmp: Path) -> Path:
    t = pa.table(
        {
            "call_id": pa.array([b"c1", b"\xff\xfe"], pa.binary()),
            **{h: pa.array([GOOD[i]] * 2) for i, h in enumerate(HEAD) if h != "call_id"},
        }
    )
    pq.write_table(t, tmp / "binary.parquet")
    return tmp / "binary.parquet"


def parquet_list_column(tmp: Path) -> Path:
    t = pa.table({**{h: pa.array([GOOD[i]]) for i, h in enumerate(HEAD)}, "tags": pa.array([["a", "b"]])})
    pq.write_table(t, tmp / "list.parquet")
    return tmp / "list.parquet"


def parquet_nulls(tmp: Path) -> Path:
    t = pa.table(
        {
            "call_id": pa.array([None, None], pa.string()),
            "queue": ["Q1", "Q1"],
            "arrived_at": pa.array([pd.Timestamp("2026-10-01 01:00:00", tz="UTC")] * 2),
            "answered_at": pa.array([None, None], pa.timestamp("us", tz="UTC")),
            "ended_at": pa.array([pd.Timestamp("2026-10-01 01:01:00", tz="UTC")] * 2),
        }
    )
    pq.write_table(t, tmp / "nulls.parquet")
    return tmp / "nulls.parquet"


def parquet_year_9999(tmp: Path) -> Path:
    t = pa.table(
        {
            "call_id": ["c1", "c2"],
            "queue": ["Q1", "Q1"],
            "arrived_at": pa.array(
                [
                    pd.Timestamp("2026-10-01 01:00:00", tz="UTC").to_pydatetime(),
                    pd.Timestamp("9999-12-31 23:00:00").tz_localize("UTC").to_pydatetime(),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "answered_at": pa.array([None, None], pa.timestamp("us", tz="UTC")),
            "ended_at": pa.array(
                [pd.Timestamp("2026-10-01 01:01:00", tz="UTC").to_pydatetime()] * 2, pa.timestamp("us", tz="UTC")
            ),
        }
    )
    pq.write_table(t, tmp / "y9999.parquet")
    return tmp / "y9999.parquet"


def epoch_seconds(tmp: Path) -> Path:
    return _csv(
        tmp / "epoch.csv",
        [["c1", "Q1", "1790816400", "1790816410", "1790816530"], ["c2", "Q1", "1790816500", "", "1790816530"]],
    )


def huge_id(tmp: Path) -> Path:
    return _csv(tmp / "huge.csv", [["x" * 1_000_000, "Q" * 1_000_000] + GOOD[2:], GOOD])


def int_overflow(tmp: Path) -> Path:
    return _csv(
        tmp / "appraisals.csv",
        [["A1", "2026-10-01", "99999999999"], ["A2", "2026-10-01", "300"]],
        head=["employee_id", "month", "calls_handled"],
    )


# (class, builder, table, import options, expected): expected is ("rows", accepted, rejected,
# {reason code: rows}) or ("file", words of the file-level error).
CLASSES = [
    (
        "Excel formula cell without a saved value",
        excel_formula_without_value,
        "calls",
        {},
        ("rows", 1, 1, {"excel_formula_no_value": 1}),
    ),
    (
        "Excel workbook whose first sheet is a cover page",
        excel_cover_sheet,
        "calls",
        {},
        ("rows", 0, 1, {"missing_column": 1}),
    ),
    (
        "Parquet binary column with invalid UTF-8",
        parquet_invalid_utf8,
        "calls",
        {},
        ("file", "column 'call_id' of type binary cannot be read as text (bytes that are not UTF-8 text)"),
    ),
    (
        "Parquet list column",
        parquet_list_column,
        "calls",
        {},
        ("file", "column 'tags' has type list<element: string>, which cannot be imported"),
    ),
    ("Parquet with nulls in a required column", parquet_nulls, "calls", {}, ("rows", 0, 2, {"required_empty": 2})),
    ("Parquet timestamp in year 9999", parquet_year_9999, "calls", {}, ("rows", 1, 1, {"out_of_window": 1})),
    ("Epoch-second timestamps without a mapping", epoch_seconds, "calls", {}, ("rows", 0, 2, {"not_a_timestamp": 2})),
    ("A 10^6-character call id and queue code", huge_id, "calls", {}, ("rows", 1, 1, {"too_long": 1})),
    ("A whole number beyond 32 bits", int_overflow, "appraisals", {}, ("rows", 1, 1, {"out_of_range": 1})),
]


@pytest.mark.parametrize("name,build,table,kw,expected", CLASSES, ids=[c[0] for c in CLASSES])
def test_each_class_ends_in_rows_or_one_clear_error(tmp_path, name, build, table, kw, expected):
    f = build(tmp_path)
    r = import_file(tmp_path / "ds", table, f, center="C1", timezone="Asia/Shanghai", settings=NOW, **kw)
    text = "\n".join(r.lines())
    if expected[0] == "file":
        assert r.error and expected[1] in r.error, r.error
        assert r.rows_accepted == 0 and "Traceback" not in text
        return
    _, accepted, rejected, by_reason = expected
    assert (r.rows_accepted, r.rows_rejected) == (accepted, rejected), text
    assert r.rejected_by_reason == by_reason
    # Every rejected row names file, line and column, and the text report quotes the first ones.
    rej = r.rejects
    assert (rej["file"] == f.name).all() and (rej["line"] >= 2).all() and (rej["column"] != "").all()
    first = rej.iloc[0]
    assert f"{first['file']}:{first['line']} [{first['column']}]" in text
    for code, k in by_reason.items():
        assert f"rejected {code}: {k}" in text
    if accepted == 0:
        assert not r.ok and "no row could be accepted" in text


def test_formula_reason_says_to_open_and_save_in_excel(tmp_path):
    r = import_file(
        tmp_path / "ds",
        "calls",
        excel_formula_without_value(tmp_path),
        center="C1",
        timezone="Asia/Shanghai",
        settings=NOW,
    )
    bad = r.rejects.iloc[0]
    assert (bad["line"], bad["column"]) == (2, "talk_s")
    assert "cell G2 holds the formula =F2*60" in bad["reason"] and "open and save the file in Excel" in bad["reason"]


def test_cover_sheet_names_the_other_sheets(tmp_path):
    r = import_file(
        tmp_path / "ds", "calls", excel_cover_sheet(tmp_path), center="C1", timezone="Asia/Shanghai", settings=NOW
    )
    assert dict(r.warnings)["excel_sheets"] == {"sheet": "Cover", "sheets": "Cover, Calls"}
    assert "headers: Monthly call export" in r.rejects.iloc[0]["reason"]
    # Pointing the mapping at the data sheet imports it.
    m = parse_mapping({"source": {"sheet": "Calls"}}, b"[source]\nsheet='Calls'", "m.toml", "calls")
    ok = import_file(
        tmp_path / "ds",
        "calls",
        excel_cover_sheet(tmp_path),
        mapping=m,
        center="C1",
        timezone="Asia/Shanghai",
        settings=NOW,
    )
    assert ok.ok and ok.rows_accepted == 1


def test_epoch_seconds_with_the_mapping_land(tmp_path):
    m = parse_mapping({"times": {"format": "epoch"}}, b"[times]\nformat='epoch'", "m.toml", "calls")
    r = import_file(
        tmp_path / "ds",
        "calls",
        epoch_seconds(tmp_path),
        mapping=m,
        center="C1",
        timezone="Asia/Shanghai",
        settings=NOW,
    )
    assert r.ok and (r.rows_accepted, r.rows_rejected) == (2, 0)


def test_huge_values_are_quoted_short_in_the_reason(tmp_path):
    r = import_file(tmp_path / "ds", "calls", huge_id(tmp_path), center="C1", timezone="Asia/Shanghai", settings=NOW)
    assert set(r.rejects["column"]) == {"call_id", "queue"} and r.rejects["reason"].str.len().max() < 200
    assert "longer than 64 characters" in r.rejects["reason"].iloc[0]


def test_nothing_accepted_on_the_command_line_prints_reasons_and_counts(tmp_path):
    f = epoch_seconds(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "analytics",
            "ingest",
            "calls",
            str(f),
            "--dataset",
            str(tmp_path / "ds"),
            "--center",
            "C1",
            "--timezone",
            "Asia/Shanghai",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1
    assert "error: no row could be accepted" in out.stdout
    assert "rows read 2, accepted 0, rejected 2" in out.stdout
    assert "rejected not_a_timestamp: 2" in out.stdout
    assert "epoch.csv:2 [arrived_at] value '1790816400' is not a date and time" in out.stdout
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("name", ["..", ".", "a" * 300 + ".csv", "../../etc/passwd.csv", "x\x00.csv", "dir/x.csv"])
def test_bad_upload_names_get_a_clear_error(tmp_path, name):
    data = "\n".join([",".join(HEAD), ",".join(GOOD)]).encode()
    assert check_upload(name, len(data)) == "name"
    r = import_upload(tmp_path / "ds", "calls", name, data, center="C1", timezone="Asia/Shanghai")
    assert r.error and "file name" in r.error and not (tmp_path / "ds").exists()


def test_an_odd_but_plain_upload_name_imports_under_its_own_name(tmp_path):
    data = "\n".join([",".join(HEAD), ",".join(GOOD)]).encode()
    name = "通话 2026-10 (1) ..csv"
    assert check_upload(name, len(data)) is None
    r = import_upload(tmp_path / "ds", "calls", name, data, center="C1", timezone="Asia/Shanghai", settings=NOW)
    assert r.ok and r.file == name


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        " =1+1",
        "\n=1+1",
        " \r\n=cmd",
        "\u00a0=1+1",
        "\uff1dSUM(A1)",
        "\u3000+1",
        "\uff20x",
        "@SUM(A1)",
        "\t=1",
        "-2+3",
    ],
)
def test_csv_export_neutralises_formulas_behind_blanks_and_full_width_signs(value):
    assert neutralise(value) == "'" + value
    text = safe_csv(pd.DataFrame({"v": [value]}))
    assert ("\n'" in text) or ("\"'" in text)


@pytest.mark.parametrize("value", ["abc", "a=b", " a", "1.5", "呼叫", ""])
def test_csv_export_leaves_plain_text_alone(value):
    assert neutralise(value) == value


if __name__ == "__main__":  # the report table: class | told | accepted | rejected
    import tempfile

    for name, build, table, kw, _ in CLASSES:
        with tempfile.TemporaryDirectory() as d:
            r = import_file(
                Path(d) / "ds", table, build(Path(d)), center="C1", timezone="Asia/Shanghai", settings=NOW, **kw
            )
            told = (
                r.error
                if r.error and not r.rows_read
                else (r.rejects.iloc[0]["reason"][:110] if len(r.rejects) else "; ".join(c for c, _ in r.warnings))
            )
            print(f"| {name} | {told} | {r.rows_accepted} | {r.rows_rejected} |")


def test_data_page_shows_why_nothing_was_accepted(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from analytics import users

    ds = tmp_path / "ds"
    ok = _csv(tmp_path / "ok.csv", [["ok1", *GOOD[1:]]])
    assert import_file(ds, "calls", ok, center="C1", timezone="Asia/Shanghai", settings=NOW).ok
    bad = import_file(ds, "calls", epoch_seconds(tmp_path), center="C1", settings=NOW)
    users.add(ds, "admin1", "admin", "admin-pass-123")
    monkeypatch.setenv("CALLCENTER_DATASET", str(ds))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.session_state["auth_user"] = "admin1"
    at.run()
    at.switch_page("views/data.py")
    at.session_state["data_report"] = bad
    at.run()
    assert not at.exception, at.exception
    error = next(e.value for e in at.error if "No row was accepted" in e.value)
    assert "First reasons:" in error and "epoch.csv:2 [answered_at]" in error
    by_reason = next(
        e.value for e in at.dataframe if "reject_problem" in e.value.columns and "reject_rows" in e.value.columns
    )
    assert by_reason["reject_rows"].tolist() == [2]
