"""The one catalogue of user-facing strings, in Chinese (zh) and English (en).

Each area keeps its strings in ``i18n/strings_<area>.py`` (a ``STRINGS`` dict); they
are merged here, and a key defined twice is an error. Metric names and formulas live
in the metric registry (analytics/metrics.py). This package is plain Python so that
both the pages (ui/) and the report writer (analytics/report.py) can use it.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")
DEFAULT_LANG = os.environ.get("CALLCENTER_LANG", "zh") if os.environ.get("CALLCENTER_LANG", "zh") in LANGS else "zh"

CATALOGUE: dict[str, dict[str, str]] = {}


def _merge_area_catalogues() -> None:
    """Merge every i18n/strings_<area>.py; a key defined twice is an error."""
    import importlib
    import pkgutil

    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("strings_")):
        strings = importlib.import_module(f"{__name__}.{mod}").STRINGS
        clash = set(strings) & set(CATALOGUE)
        if clash:
            raise KeyError(f"i18n/{mod}.py redefines catalogue keys {sorted(clash)}")
        CATALOGUE.update(strings)


_merge_area_catalogues()


def translate(key: str, lang: str, **values) -> str:
    entry = CATALOGUE.get(key)
    if entry is None:
        return key  # a visible key beats a crash; tests check the catalogue is complete
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def code_label(kind: str, code, lang: str) -> str:
    """The label of a code a person can see (an exit type, a channel, a role, a model
    feature...), kept in the catalogue as ``code.<kind>.<code>``; "—" for a missing value.

    An unknown code comes back as itself so nothing crashes; the page tests fail on it.
    """
    if code is None or (isinstance(code, float) and code != code):
        return "—"
    entry = CATALOGUE.get(f"code.{kind}.{code}")
    return (entry.get(lang) or entry["en"]) if entry else str(code)
