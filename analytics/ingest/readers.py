"""Readers: a source file in, a frame of text cells with their source line numbers out.

Every reader returns ``Source``: all cells as text (``str`` dtype, empty cells as
missing) so that validation, not the reader, decides what a bad value is and the
rejected rows keep their original values; plus ``_line``, the 1-based line (or
spreadsheet row) of each record in the source file, header = line 1.

CSV goes through DuckDB when the file is regular (one record per line), which reads
a million rows in about a second; a file with quoted line breaks, blank lines or
ragged rows falls back to Python's csv module, which knows each record's line.
Asterisk ``queue_log`` files live in ``queue_log.py``.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analytics.ingest.mapping import Mapping
from analytics.ingest.source import LINE, ReadError, Source  # noqa: F401  (the readers' API)

EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".log": "queue_log",
}


def detect_format(path: Path, mapping: Mapping) -> str:
    if mapping.format:
        return mapping.format
    name = path.name.lower()
    if name.startswith("queue_log") or name.endswith(".queue_log"):
        return "queue_log"
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(
            f"{path.name}: unknown file type {path.suffix!r}; expected .csv, .xlsx, .parquet "
            "or a queue_log (or set source.format in the mapping)"
        )
    return fmt


def detect_encoding(head: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK and GB2312, what Chinese
    Excel and most Chinese call-center systems export)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # The sample may end inside a multi-byte character: only an error before the end counts.
        if e.start >= len(head) - 3:
            return "utf-8"
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise ReadError("the file is neither UTF-8 nor GB18030/GBK text; give source.encoding in the mapping") from None


def read_source(path: Path, mapping: Mapping, *, display_name: str | None = None) -> Source:
    path = Path(path)
    fmt = detect_format(path, mapping)
    if fmt == "csv":
        return read_csv(path, mapping)
    if fmt == "excel":
        return read_excel(path, mapping)
    if fmt == "parquet":
        return read_parquet(path)
    from analytics.ingest.queue_log import read_queue_log

    return read_queue_log(path)


# --- CSV ------------------------------------------------------------------------------


def _utf8_copy(path: Path, encoding: str) -> Path:
    """A UTF-8 copy of a GBK/GB18030 file, decoded in chunks, for DuckDB (UTF-8 only)."""
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    try:
        dec = codecs.getincrementaldecoder(encoding)(errors="strict")
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                out.write(dec.decode(chunk))
            out.write(dec.decode(b"", final=True))
    except UnicodeDecodeError as e:
        os.unlink(tmp)
        raise ReadError(f"{path.name}: cannot be decoded as {encoding} near byte {e.start}") from None
    return Path(tmp)


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def read_csv(path: Path, mapping: Mapping) -> Source:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    encoding = mapping.encoding or detect_encoding(head)
    if not head.strip():
        raise ReadError(f"{path.name}: the file is empty")
    text_path = path
    if encoding.replace("_", "-").lower() not in ("utf-8", "utf8", "utf-8-sig"):
        text_path = _utf8_copy(path, encoding)
    try:
        with open(text_path, encoding="utf-8-sig", newline="") as f:
            first = f.readline()
        delim = mapping.delimiter or _sniff_delimiter(first)
        src = _read_csv_duckdb(text_path, delim)
        if src is None:
            src = _read_csv_python(text_path, delim)
    except UnicodeDecodeError as e:
        raise ReadError(f"{path.name}: not valid {encoding} text near byte {e.start}") from None
    finally:
        if text_path != path:
            os.unlink(text_path)
    src.encoding = encoding
    return src


def _count_lines(path: Path) -> tuple[int, bool]:
    """Number of line breaks, and whether the file contains a blank line or a quote."""
    n, tricky, last = 0, False, b"\n"
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            n += chunk.count(b"\n")
            tricky = (
                tricky
                or b'"' in chunk
                or b"\n\n" in chunk
                or b"\n\r\n" in chunk
                or (last == b"\n" and chunk[:1] in (b"\n", b"\r"))
                or (b"\r" in chunk and _BARE_CR.search(chunk) is not None)
            )
            last = chunk[-1:]
    return n + (0 if last == b"\n" else 1), tricky


def _read_csv_duckdb(path: Path, delim: str) -> Source | None:
    lines, tricky = _count_lines(path)
    if tricky:
        return None  # quoted fields may span lines: let the csv module count them
    con = duckdb.connect(":memory:")
    try:
        # Every cell as text (validation types them); no quotes in the file (checked above), so
        # one record is one line and record i sits on line i + 2.
        rel = con.sql(
            "SELECT * FROM read_csv(?, header = true, all_varchar = true, delim = ?, quote = '', "
            "escape = '', strict_mode = true, null_padding = false, nullstr = '', "
            "normalize_names = false)",
            params=[str(path), delim],
        )
        tbl = rel.to_arrow_table()
    except duckdb.Error:
        return None  # ragged rows and the like: the slow path reports them per line
    finally:
        con.close()
    if tbl.num_rows != lines - 1:
        return None
    columns = tbl.column_names
    df = tbl.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow") if t == pa.string() else None)
    df = df.astype("str") if len(df.columns) else df
    for c in columns:
        df[c] = df[c].str.strip().replace("", None)
    df[LINE] = pd.RangeIndex(2, 2 + len(df)).to_numpy()
    if len(columns):
        # A record of empty cells (",,,," from a spreadsheet) carries no data, as on the slow path.
        blank = df[columns].isna().all(axis=1)
        if blank.any():
            df = df[~blank].reset_index(drop=True)
    return Source(df, [str(c) for c in columns], "csv")


_BARE_CR = re.compile(rb"\r(?!\n)")
# A carriage return alone inside a line is part of a value, not a line break (Python's csv
# module would end the record there): it travels through the csv module escaped with this
# private-use character ("\ue000r") and comes back as CR, which validation then refuses as
# a control character. The escape character itself, should a file hold it, travels as
# "\ue000e", so no value is ever changed by the trip (a property test found that case).
_ESC = "\ue000"
_UNESCAPE = re.compile(_ESC + "([er])")


def _physical_lines(f):
    """Lines split on LF only, bare CRs inside them escaped (see _ESC)."""
    for line in f:
        body, end = (
            (line[:-2], "\r\n") if line.endswith("\r\n") else ((line[:-1], "\n") if line.endswith("\n") else (line, ""))
        )
        yield body.replace(_ESC, _ESC + "e").replace("\r", _ESC + "r") + end


def _unescape(cell: str) -> str:
    if _ESC not in cell:
        return cell
    return _UNESCAPE.sub(lambda m: _ESC if m.group(1) == "e" else "\r", cell)


def _read_csv_python(path: Path, delim: str) -> Source:
    problems = []
    # The csv module refuses fields over 128 KiB with an error for the whole file; let any
    # size through so that validation rejects the row ("longer than 64 characters").
    csv.field_size_limit(2**31 - 1)
    with open(path, "rb") as fb:
        head = fb.read(1 << 16)
    # A file with CRs and no LF at all is an old Mac-style file: CR ends its lines.
    cr_only = b"\r" in head and b"\n" not in head
    with open(path, encoding="utf-8-sig", newline="" if cr_only else "\n") as f:
        reader = csv.reader(f if cr_only else _physical_lines(f), delimiter=delim)
        try:
            header = next(reader)
        except StopIteration:
            raise ReadError(f"{path.name}: the file is empty") from None
        header = [h.strip() for h in header]
        rows, lines = [], []
        start = reader.line_num + 1
        for rec in reader:
            line = start
            start = reader.line_num + 1
            if not cr_only:
                rec = [_unescape(c) for c in rec]
            if not rec or all(not c.strip() for c in rec):
                continue  # blank lines carry no data
            if len(rec) != len(header):
                problems.append(
                    (line, "", "column_count", f"{len(rec)} fields where the header has {len(header)}", delim.join(rec))
                )
                continue
            rows.append([c.strip() or None for c in rec])
            lines.append(line)
    df = (
        pd.DataFrame(rows, columns=header, dtype="str")
        if rows
        else pd.DataFrame({h: pd.Series([], dtype="str") for h in header})
    )
    df[LINE] = pd.array(lines, dtype="int64") if lines else pd.Series([], dtype="int64")
    return Source(df, header, "csv", problems=problems)


# --- Excel ----------------------------------------------------------------------------


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    s = str(v).strip()
    return s or None


def read_excel(path: Path, mapping: Mapping) -> Source:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - listed in requirements.txt
        raise ReadError("reading .xlsx needs openpyxl (pip install -r requirements.txt)") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        # The formulas themselves: a workbook written by a program and never opened in Excel
        # has formula cells without a saved value, which data_only reads as empty.
        wbf = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for a file that is not a workbook
        raise ReadError(f"{path.name}: not an Excel .xlsx workbook ({type(e).__name__})") from None
    problems = []
    try:
        sheet = mapping.sheet
        try:
            ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
            wsf = wbf[ws.title]
        except (KeyError, IndexError):
            raise ReadError(f"{path.name}: no sheet {sheet!r}; the workbook has {', '.join(wb.sheetnames)}") from None
        it = zip(ws.iter_rows(values_only=True), wsf.iter_rows(values_only=True))
        header = None
        for header_row, (values, _) in enumerate(it, start=1):
            if values and any(v is not None for v in values):
                header = [_cell_text(v) or f"column{i + 1}" for i, v in enumerate(values)]
                break
        if header is None:
            raise ReadError(f"{path.name}: the sheet is empty")
        rows, lines = [], []
        for n, (values, formulas) in enumerate(it, start=header_row + 1):
            cells = [_cell_text(v) for v in values][: len(header)]
            unsaved = [
                i
                for i, (v, f) in enumerate(zip(values[: len(header)], formulas[: len(header)]))
                if v is None and f is not None
            ]
            if unsaved:
                i = unsaved[0]
                formula = str(getattr(formulas[i], "text", formulas[i]))[:60]
                reason = (
                    f"cell {_column_letter(i)}{n} holds the formula {formula} but no saved value "
                    "(the workbook was never calculated): open and save the file in Excel, "
                    "then import it again"
                )
                problems.append(
                    (n, header[i], "excel_formula_no_value", reason, ",".join("" if c is None else c for c in cells))
                )
                continue
            if not any(c is not None for c in cells):
                continue
            rows.append(cells + [None] * (len(header) - len(cells)))
            lines.append(n)
        sheets = wb.sheetnames
    finally:
        wb.close()
        wbf.close()
    df = (
        pd.DataFrame(rows, columns=header, dtype="str")
        if rows
        else pd.DataFrame({h: pd.Series([], dtype="str") for h in header})
    )
    df[LINE] = pd.array(lines, dtype="int64") if lines else pd.Series([], dtype="int64")
    notes = []
    if len(sheets) > 1:
        notes.append(("excel_sheets", {"sheet": ws.title, "sheets": ", ".join(sheets)}))
    return Source(df, header, "excel", problems=problems, notes=notes)


def _column_letter(i: int) -> str:
    """Spreadsheet column name of 0-based index i (0 -> A, 26 -> AA)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


# --- Parquet --------------------------------------------------------------------------


def read_parquet(path: Path) -> Source:
    """Parquet carries types; they become text here so one validator serves every format.
    There is no header line, so record n is reported as line n + 1, like a CSV with a header.

    A column whose type has no text form (lists, structs, maps) or whose bytes are not
    UTF-8 text refuses the whole file, naming the column and its type."""
    try:
        tbl = pq.read_table(path)
    except Exception as e:
        raise ReadError(f"{path.name}: not a Parquet file ({type(e).__name__})") from None
    cols = {}
    for name in tbl.column_names:
        arr = tbl.column(name)
        if pa.types.is_nested(arr.type) or pa.types.is_dictionary(arr.type) and pa.types.is_nested(arr.type.value_type):
            raise ReadError(
                f"{path.name}: column {name!r} has type {arr.type}, which cannot be imported "
                "(one plain value per cell is needed: text, number, date or time)"
            )
        try:
            if pa.types.is_timestamp(arr.type):
                # Through Python datetimes: pandas' nanosecond range ends in 2262, a file may not.
                text = pd.Series(arr.to_pylist(), dtype=object).map(
                    lambda v: None if v is None else v.isoformat(), na_action="ignore"
                )
            elif pa.types.is_date(arr.type):
                text = pd.Series(arr.to_pylist(), dtype=object).map(lambda v: None if v is None else v.isoformat())
            else:
                text = pd.Series(arr.cast(pa.string()).to_pylist(), dtype=object)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError, OverflowError) as e:
            what = (
                "bytes that are not UTF-8 text"
                if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type)
                else str(e).splitlines()[0][:120]
            )
            raise ReadError(
                f"{path.name}: column {name!r} of type {arr.type} cannot be read as text ({what})"
            ) from None
        cols[name] = text.astype("str").str.strip().replace("", None)
    df = pd.DataFrame(cols, index=pd.RangeIndex(tbl.num_rows))
    df[LINE] = pd.RangeIndex(2, 2 + tbl.num_rows).to_numpy()
    return Source(df, list(tbl.column_names), "parquet")


def read_text_sample(data: bytes, n: int = 20) -> str:
    """The first lines of an upload, decoded as detect_encoding guesses (for previews)."""
    enc = detect_encoding(data[: 1 << 16])
    return io.TextIOWrapper(io.BytesIO(data[: 1 << 16]), encoding=enc, errors="replace").read()
