"""settings.json has one owner: validated, loaded once per version, saved without losing
what other parts of the product keep in it."""

from __future__ import annotations

import json

import pytest

from analytics import complaints, metrics
from analytics import settings as ds
from analytics.ingest import importer


def _write(root, data) -> None:
    (root / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def test_no_file_gives_the_defaults(tmp_path):
    s = ds.load(tmp_path)
    assert s.service == ds.ServiceSettings() and s.complaints == ds.ComplaintSettings()
    assert s.section("import") == {}


def test_one_file_feeds_every_reader(tmp_path):
    _write(
        tmp_path,
        {
            "answer_within_s": 15,
            "sl_formula": "answered_only",
            "workday_calendar": "us",
            "complaint_resolve_within_workdays": 3,
            "import": {"clock_skew_s": 7},
        },
    )
    assert metrics.load_settings(tmp_path) == ds.ServiceSettings(answer_within_s=15, sl_formula="answered_only")
    # the calendar code is upper-cased, as the old complaint reader did
    assert complaints.load_settings(tmp_path) == ds.ComplaintSettings(calendar="US", resolve_within_workdays=3)
    assert ds.load(tmp_path).section("import") == {"clock_skew_s": 7}
    # the importer reads its own section through the owner
    assert importer._settings(tmp_path).clock_skew_s == 7


def test_save_keeps_unknown_sections_and_keys(tmp_path):
    _write(tmp_path, {"import": {"clock_skew_s": 7}, "someone_elses": [1, 2], "short_abandon_s": 3})
    ds.save(tmp_path, service=ds.ServiceSettings(answer_within_s=30, short_abandon_s=3))
    data = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))
    assert data["import"] == {"clock_skew_s": 7} and data["someone_elses"] == [1, 2]
    assert data["answer_within_s"] == 30 and data["short_abandon_s"] == 3
    # the complaint keys were not given, so they are not written
    assert "workday_calendar" not in data
    ds.save(
        tmp_path,
        complaints=ds.ComplaintSettings(calendar="CN", resolve_within_workdays=1.5),
        sections={"import": {"clock_skew_s": 9}},
    )
    again = ds.load(tmp_path)
    assert again.service.answer_within_s == 30
    assert again.complaints.resolve_within_workdays == 1.5
    assert again.section("import") == {"clock_skew_s": 9}
    assert json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))["someone_elses"] == [1, 2]


def test_a_changed_file_is_read_again(tmp_path):
    _write(tmp_path, {"answer_within_s": 15})
    assert ds.load(tmp_path).service.answer_within_s == 15
    _write(tmp_path, {"answer_within_s": 25, "short_abandon_s": 10})  # another size: a new version
    assert ds.load(tmp_path).service.answer_within_s == 25


@pytest.mark.parametrize(
    "data, key",
    [
        ({"sl_formula": "best_guess"}, "service-level formula"),
        ({"answer_within_s": "20"}, "answer_within_s"),
        ({"answer_within_s": -1}, "answer_within_s"),
        ({"answer_within_s": True}, "answer_within_s"),
        ({"complaint_resolve_within_workdays": 0}, "complaint_resolve_within_workdays"),
        ({"workday_calendar": "China"}, "workday_calendar"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(tmp_path, data, key):
    _write(tmp_path, data)
    with pytest.raises(ds.SettingsError, match=key):
        ds.load(tmp_path)


def test_bad_json_and_a_non_object_are_refused(tmp_path):
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ds.SettingsError, match="JSON"):
        ds.load(tmp_path)
    _write(tmp_path, [1, 2])
    with pytest.raises(ds.SettingsError, match="object"):
        ds.load(tmp_path)


def test_save_refuses_an_invalid_document_and_leaves_the_file(tmp_path):
    _write(tmp_path, {"import": {"a": 1}})
    with pytest.raises(ds.SettingsError):
        ds.save(tmp_path, sections={"sl_formula": {"x": 1}})
    assert json.loads((tmp_path / "settings.json").read_text(encoding="utf-8")) == {"import": {"a": 1}}
