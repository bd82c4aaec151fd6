"""Column mappings: how a source file's columns and codes become the canonical ones.

A mapping is a small TOML file (read with the standard ``tomllib``) so that an
administrator can describe an export once and reuse it every night::

    table = "calls"                      # optional: the table this export fills
    [source]
    format = "csv"                       # csv | excel | parquet | queue_log (default: by extension)
    encoding = "gb18030"                 # default: detected (UTF-8, UTF-8 with BOM, GB18030)
    delimiter = ","                      # default: detected
    sheet = "Sheet1"                     # Excel only; default: the first sheet
    [columns]                            # source header = canonical column
    "呼叫编号" = "call_id"
    [values.category]                    # canonical column -> {source value = canonical value}
    "常见" = "common"
    [times]
    format = "%Y/%m/%d %H:%M:%S"          # strptime format, "ISO8601" (default) or "epoch"
    timezone = "Asia/Shanghai"           # zone of naive times when the center is new
    [times.formats]                      # per-column formats win over times.format
    hire_date = "%Y年%m月%d日"
    [defaults]                           # constant values for columns the file lacks
    center = "SH"

The mapping's bytes join the source file's bytes in the content hash, so the same file
imported under a corrected mapping is a new batch, and the same pair twice is a no-op.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from analytics import schema

FORMATS = ("csv", "excel", "parquet", "queue_log")


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the key at fault."""


@dataclass(frozen=True)
class Mapping:
    table: str | None = None
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    time_format: str | None = None
    time_formats: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None
    defaults: dict[str, object] = field(default_factory=dict)
    text: bytes = b""  # the file's bytes, part of the content hash
    name: str = ""

    def time_format_for(self, column: str) -> str | None:
        return self.time_formats.get(column, self.time_format)

    def rename(self, source_columns: list[str]) -> dict[str, str]:
        """Source header -> canonical name, for the headers this file has.

        Headers are compared after trimming spaces (exports often pad them); a header
        that is already a canonical name maps to itself."""
        wanted = {k.strip(): v for k, v in self.columns.items()}
        out = {}
        for col in source_columns:
            key = str(col).strip()
            if key in wanted:
                out[col] = wanted[key]
            elif self.table and key in schema.TABLES[self.table].column_names:
                out[col] = key
        return out


def load_mapping(path: Path | str | None, table: str | None = None) -> Mapping:
    """Read and check a TOML mapping; None gives the identity mapping for ``table``."""
    if path is None:
        return Mapping(table=table)
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MappingError(f"{path.name}: not valid TOML: {e}") from None
    return parse_mapping(data, raw, path.name, table)


def parse_mapping(data: dict, raw: bytes = b"", name: str = "", table: str | None = None) -> Mapping:
    tname = table or data.get("table")
    if data.get("table") and table and data["table"] != table:
        raise MappingError(f"{name}: mapping is for table {data['table']!r}, not {table!r}")
    if tname is not None and tname not in schema.TABLES:
        raise MappingError(f"{name}: unknown table {tname!r}")
    src = data.get("source", {})
    fmt = src.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(f"{name}: source.format must be one of {FORMATS}, not {fmt!r}")
    columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
    values = {str(k): {str(a): str(b) for a, b in v.items()} for k, v in data.get("values", {}).items()}
    times = data.get("times", {})
    defaults = dict(data.get("defaults", {}))
    if tname is not None:
        known = set(schema.TABLES[tname].column_names)
        for where, names in (
            ("columns", columns.values()),
            ("values", values),
            ("defaults", defaults),
            ("times.formats", times.get("formats", {})),
        ):
            bad = sorted(set(names) - known)
            if bad:
                raise MappingError(f"{name}: [{where}] names columns {bad} that {tname} does not have")
    delim = src.get("delimiter")
    if delim is not None and len(delim) != 1:
        raise MappingError(f"{name}: source.delimiter must be one character")
    return Mapping(
        table=tname,
        format=fmt,
        encoding=src.get("encoding"),
        delimiter=delim,
        sheet=src.get("sheet"),
        columns=columns,
        values=values,
        time_format=times.get("format"),
        time_formats=dict(times.get("formats", {})),
        timezone=times.get("timezone"),
        defaults=defaults,
        text=raw,
        name=name,
    )
