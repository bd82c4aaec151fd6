"""Names of files that are still being written. A batch or a rollup is written under a
name starting with ``TMP_PREFIX`` and renamed into place when complete; readers of the
lake skip such names. A module of its own so that the lake (which reads and publishes rollups) and the
importer (which writes batches) share it without the lake importing the importer."""

from __future__ import annotations

import os
from pathlib import Path

TMP_PREFIX = ".tmp-"


def fsync_file(path: Path) -> None:
    """Flush a finished file to disk before it is renamed into place, so a crash after the
    rename never leaves a name pointing at a file whose bytes were lost."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
