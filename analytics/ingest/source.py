"""What a reader hands on: ``Source`` (text cells with their line numbers), the
``_line`` column name and ``ReadError``. A module of their own so that the readers
(``readers.py``) and the Asterisk ``queue_log`` reader, which the readers dispatch to,
both import them without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

LINE = "_line"


@dataclass
class Source:
    frame: pd.DataFrame  # text cells + _line
    columns: list[str]  # the source's own headers, in order
    format: str
    encoding: str | None = None
    # Records the reader itself could not turn into rows: (line, column, code, reason, raw text)
    problems: list[tuple] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)  # (warning code, values) for the report


class ReadError(ValueError):
    """The file as a whole cannot be read (wrong format, undecodable, no header)."""
