"""Exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

# A cell starting with one of these is run as a formula by Excel, LibreOffice and
# Google Sheets (CSV injection); such text gets a leading apostrophe. Spreadsheets also
# skip leading blanks (spaces, line breaks, the no-break space U+00A0, the ideographic
# space U+3000) and some read the full-width signs (＝ ＋ － ＠) as the ASCII ones, so
# those count too.
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CONTROL_START = ("\t", "\r", "\n")


def neutralise(value):
    if isinstance(value, str) and (value.startswith(_CONTROL_START) or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def safe_csv(df: pd.DataFrame) -> str:
    """CSV text (UTF-8, with a BOM added by callers writing files for Excel) with formulas neutralised."""
    return safe_frame(df).to_csv(index=False)
