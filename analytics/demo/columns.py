"""Column builders of the demo generator: typed pandas columns and frames in the
schema's column order. A module of their own so that the generator and ``extras``
(which the generator calls) both import them without importing each other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import schema


def str_col(values) -> pd.Series:
    return pd.Series(pd.array(list(values) if not isinstance(values, np.ndarray) else values, dtype="str"))


def str_take(names, codes, valid=None) -> pd.Series:
    """Strings names[codes] (NA where ``valid`` is False), built through Arrow (fast)."""
    codes = np.asarray(codes, np.int32)
    mask = None if valid is None else ~np.asarray(valid, bool)
    d = pa.DictionaryArray.from_arrays(
        pa.array(np.where(mask, 0, codes) if mask is not None else codes, mask=mask), pa.array(list(names), pa.string())
    )
    return pd.Series(pd.array(d.cast(pa.string()), dtype="str"))


def ts_col(us: np.ndarray, valid=None) -> pd.Series:
    """UTC timestamps from integer microseconds since the epoch."""
    a = np.asarray(us, np.int64).astype("datetime64[us]")
    if valid is not None:
        a = np.where(valid, a, np.datetime64("NaT", "us"))
    return pd.Series(pd.DatetimeIndex(a).tz_localize("UTC"))


def date_col(dates) -> pd.Series:
    a = np.array(
        [np.datetime64(d, "D") if d is not None else np.datetime64("NaT", "D") for d in dates], dtype="datetime64[D]"
    ).astype("datetime64[s]")
    return pd.Series(a)


def int_col(values, valid=None) -> pd.Series:
    v = np.asarray(values)
    mask = None if valid is None else ~np.asarray(valid, bool)
    if v.dtype == object:
        mask = np.array([x is None for x in v]) if mask is None else mask | np.array([x is None for x in v])
        v = np.array([0 if x is None else x for x in v])
    return pd.Series(pd.arrays.IntegerArray(v.astype(np.int32), mask if mask is not None else np.zeros(len(v), bool)))


def bool_col(values, valid=None) -> pd.Series:
    v = np.asarray(values, bool)
    mask = np.zeros(len(v), bool) if valid is None else ~np.asarray(valid, bool)
    return pd.Series(pd.arrays.BooleanArray(v, mask))


def frame(table: str, cols: dict) -> pd.DataFrame:
    names = schema.TABLES[table].column_names
    missing = set(names) ^ set(cols)
    if missing:
        raise AssertionError(f"{table}: columns differ from the schema: {sorted(missing)}")
    df = pd.DataFrame({k: cols[k] for k in names})
    return df.reset_index(drop=True)


def empty_frame(table: str) -> pd.DataFrame:
    t = schema.TABLES[table]
    make = {
        "VARCHAR": lambda: pd.Series([], dtype="str"),
        "DOUBLE": lambda: pd.Series([], dtype="float64"),
        "DATE": lambda: pd.Series([], dtype="datetime64[s]"),
        "TIMESTAMPTZ": lambda: pd.Series([], dtype="datetime64[us, UTC]"),
        "INTEGER": lambda: pd.Series([], dtype="Int32"),
        "BOOLEAN": lambda: pd.Series([], dtype="boolean"),
    }
    return pd.DataFrame({c.name: make[c.dtype]() for c in t.columns})
