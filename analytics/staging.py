"""Names of files that are still being written. A batch or a rollup is written under a
name starting with ``TMP_PREFIX`` and renamed into place when complete; readers of the
lake skip such names. A module of its own so that the lake (which reads) and the
importer (which writes) share it without the lake importing the importer."""

TMP_PREFIX = ".tmp-"
