"""The one owner of a dataset's ``settings.json``: loaded once, validated, saved without
losing what other parts of the product keep in it.

The file is a JSON object. Its top-level keys are the definitions an administrator
chooses (printed next to the numbers they change); other parts of the product keep
their own objects in it (``"import"``: column tolerances of the importer). Only this
module reads or writes the file:

- ``load(dataset)`` parses and validates it once per version of the file (cached on
  its path, modification time and size) and returns ``DatasetSettings``;
- ``save(dataset, ...)`` changes only the keys it is given and writes the whole object
  back atomically, so keys and sections it does not know survive.

A value of the wrong type or out of range raises ``SettingsError`` naming the file and
the key: a mistyped setting must not silently fall back to a default and change the
numbers the pages print.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from analytics import workdays

FILE_NAME = "settings.json"


class SettingsError(ValueError):
    """settings.json cannot be used as it is; the message names the file and the key."""


# --- service-level formulas: the choices an administrator has --------------------------------


@dataclass(frozen=True)
class SlFormula:
    """One service-level definition, declared once as sums of ``metrics.SUM_COLUMNS`` so
    that pandas (``metrics.service_level``) and SQL (``metrics.service_level_sql``)
    compute the same thing."""

    key: str
    label_zh: str
    label_en: str
    text_zh: str
    text_en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    minus: tuple[str, ...] = ()  # subtracted from the denominator

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def text(self, lang: str) -> str:
        return self.text_zh if lang == "zh" else self.text_en


SL_FORMULAS = {
    f.key: f
    for f in (
        SlFormula(
            "excl_short_abandons",
            "剔除短放弃（默认）",
            "Short abandons excluded (default)",
            "T 秒内接通 ÷ (进线 − 短放弃)",
            "answered within T / (offered − short abandons)",
            ("answered_within_t",),
            ("offered",),
            ("short_abandoned",),
        ),
        SlFormula(
            "abandons_count_against",
            "放弃计入分母",
            "Abandons count against",
            "T 秒内接通 ÷ 进线",
            "answered within T / offered",
            ("answered_within_t",),
            ("offered",),
        ),
        SlFormula(
            "abandons_within_t_count_for",
            "T 内放弃视为达标（Amazon Connect）",
            "Abandons within T count for (Amazon Connect)",
            "(T 秒内接通 + T 秒内放弃) ÷ 进线",
            "(answered within T + abandoned within T) / offered",
            ("answered_within_t", "abandoned_within_t"),
            ("offered",),
        ),
        SlFormula(
            "answered_only",
            "仅按接通计算（Asterisk）",
            "Answered calls only (Asterisk)",
            "T 秒内接通 ÷ 接通",
            "answered within T / answered",
            ("answered_within_t",),
            ("answered",),
        ),
    )
}


# --- the sections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSettings:
    """Call-metric definitions an administrator chooses; printed next to the numbers they change."""

    answer_within_s: int = 20  # T of the service level
    short_abandon_s: int = 5  # abandons within this many seconds are "short"
    sl_formula: str = "excl_short_abandons"
    handle_target_s: int = 300  # handle-time target for a common issue (5 min)

    def __post_init__(self):
        if self.sl_formula not in SL_FORMULAS:
            raise ValueError(f"unknown service-level formula {self.sl_formula!r}; choose one of {sorted(SL_FORMULAS)}")
        for name in ("answer_within_s", "short_abandon_s", "handle_target_s"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{name} must be a whole number of seconds >= 0, got {v!r}")

    def with_(self, **changes) -> ServiceSettings:
        return replace(self, **changes)

    @property
    def formula(self) -> SlFormula:
        return SL_FORMULAS[self.sl_formula]


@dataclass(frozen=True)
class ComplaintSettings:
    calendar: str = workdays.DEFAULT_COUNTRY  # "CN" statutory calendar, or another ISO country code
    resolve_within_workdays: float = 2.0  # DOMAIN.md: 投诉处理不超过 2 个工作日

    def __post_init__(self):
        if not isinstance(self.calendar, str) or not self.calendar.isalpha() or len(self.calendar) != 2:
            raise ValueError(f"workday_calendar must be a two-letter country code, got {self.calendar!r}")
        if (
            isinstance(self.resolve_within_workdays, bool)
            or not isinstance(self.resolve_within_workdays, (int, float))
            or not self.resolve_within_workdays > 0
        ):
            raise ValueError("complaint_resolve_within_workdays must be a positive number of working days")


# JSON key -> (section, field). The service keys are the dataclass's own names; the
# complaint keys were named for the file before the dataclass existed.
_SERVICE_KEYS = {f.name: f.name for f in fields(ServiceSettings)}
_COMPLAINT_KEYS = {"workday_calendar": "calendar", "complaint_resolve_within_workdays": "resolve_within_workdays"}


@dataclass(frozen=True)
class DatasetSettings:
    """Everything settings.json says, validated. ``document`` is the whole object as JSON
    text (immutable, hashable and picklable: pages cache what they compute with it), so
    ``section`` can hand other parts of the product their own objects."""

    service: ServiceSettings = field(default_factory=ServiceSettings)
    complaints: ComplaintSettings = field(default_factory=ComplaintSettings)
    document: str = "{}"

    def section(self, name: str) -> dict:
        """A copy of the object kept under ``name`` (e.g. ``"import"``), {} when absent."""
        value = json.loads(self.document).get(name, {})
        if not isinstance(value, dict):
            raise SettingsError(f"{FILE_NAME}: {name!r} must be an object, got {type(value).__name__}")
        return value


def _path(dataset: Path | str) -> Path:
    return Path(dataset) / FILE_NAME


def _read_document(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SettingsError(f"{path}: not readable as JSON ({e})") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: must hold a JSON object, not {type(data).__name__}")
    return data


def _parse(path: Path, data: dict) -> DatasetSettings:
    try:
        service = ServiceSettings(**{f: data[k] for k, f in _SERVICE_KEYS.items() if k in data})
        comp = {f: data[k] for k, f in _COMPLAINT_KEYS.items() if k in data}
        if isinstance(comp.get("calendar"), str):
            comp["calendar"] = comp["calendar"].upper()
        complaints = ComplaintSettings(**comp)
    except (TypeError, ValueError) as e:
        raise SettingsError(f"{path}: {e}") from None
    return DatasetSettings(service=service, complaints=complaints, document=json.dumps(data, sort_keys=True))


@lru_cache(maxsize=32)
def _load_version(path: str, mtime_ns: int, size: int) -> DatasetSettings:
    p = Path(path)
    return _parse(p, _read_document(p))


def load(dataset: Path | str) -> DatasetSettings:
    """The dataset's settings, validated; defaults where the file says nothing (or there
    is no file). Parsed once per version of the file."""
    path = _path(dataset).resolve()
    try:
        st = path.stat()
    except FileNotFoundError:
        return DatasetSettings()
    return _load_version(str(path), st.st_mtime_ns, st.st_size)


def load_service(dataset: Path | str) -> ServiceSettings:
    return load(dataset).service


def load_complaints(dataset: Path | str) -> ComplaintSettings:
    return load(dataset).complaints


def save(
    dataset: Path | str,
    *,
    service: ServiceSettings | None = None,
    complaints: ComplaintSettings | None = None,
    sections: dict[str, dict] | None = None,
) -> DatasetSettings:
    """Write the given parts into settings.json, keeping every other key and section as
    it is. The new document is validated before it replaces the old one (atomically, so a
    reader never sees half a file). Returns the settings now in force."""
    path = _path(dataset)
    data = dict(_read_document(path))
    if service is not None:
        data.update({k: getattr(service, f) for k, f in _SERVICE_KEYS.items()})
    if complaints is not None:
        data.update({k: getattr(complaints, f) for k, f in _COMPLAINT_KEYS.items()})
    for name, value in (sections or {}).items():
        if name in _SERVICE_KEYS or name in _COMPLAINT_KEYS:
            raise SettingsError(f"{name!r} is a setting, not a section; pass it as service= or complaints=")
        data[name] = value
    result = _parse(path, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result
