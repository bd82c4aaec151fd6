"""Shared fixtures: a tiny hand-made dataset builder and the small demo dataset."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from analytics import schema
from analytics.ingest import ingest_frames

ROOT = Path(__file__).resolve().parents[1]


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical frame of ``table`` from row dicts; absent columns are empty."""
    t = schema.TABLES[table]
    df = pd.DataFrame(rows, columns=t.column_names)
    for c in t.columns:
        if c.dtype == "TIMESTAMPTZ":
            df[c.name] = pd.to_datetime(df[c.name], utc=True)
        elif c.dtype == "DATE":
            df[c.name] = pd.to_datetime(df[c.name])
    return df


def build_dataset(root: Path, **tables: list[dict]) -> Path:
    """Write hand-made rows through the real batch path (and rollups) into ``root``."""
    frames = {name: frame(name, rows) for name, rows in tables.items()}
    frames.setdefault(
        "centers",
        frame(
            "centers", [{"center": "C1", "name_zh": "测试中心", "name_en": "Test center", "timezone": "Asia/Shanghai"}]
        ),
    )
    frames.setdefault(
        "queues",
        frame(
            "queues",
            [
                {
                    "queue": "Q1",
                    "center": "C1",
                    "direction": "inbound",
                    "service_level_seconds": 20,
                    "service_level_target": 0.8,
                }
            ],
        ),
    )
    ingest_frames(root, frames, source="test")
    return root


@pytest.fixture(scope="session")
def demo_dataset(tmp_path_factory) -> Path:
    """The small demo dataset, generated once per test session (or reused from
    CALLCENTER_TEST_DATASET when a developer points it at one)."""
    given = os.environ.get("CALLCENTER_TEST_DATASET")
    if given:
        return Path(given)
    from analytics.commands.demo import build_demo

    out = tmp_path_factory.mktemp("demo") / "small"
    build_demo(out, scale="small", seed=7)
    return out


@pytest.fixture()
def app(demo_dataset, monkeypatch):
    """A factory of AppTests of app.py on the small demo, in a language."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CALLCENTER_DATASET", str(demo_dataset))
    monkeypatch.chdir(ROOT)

    def make(lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = lang
        return at

    return make


# Tests on the generated demo dataset, through the app (AppTest), a real browser or a
# subprocess of the command line are "slow": `pytest -m "not slow"` leaves them out and
# runs the hand-made-table tests in under a minute. A test can also be marked by hand.
_SLOW_FIXTURES = {"demo_dataset", "app"}
# Measured over 3 s each on the 2-core machine: generators, command-line subprocesses,
# kill-and-rerun imports, model training, AppTest runs.
_SLOW_NODES = (
    "tests/test_browser.py",
    "tests/test_engine_parity.py",
    "tests/test_demo.py",
    "tests/test_attrition_cli.py",
    "tests/test_signin.py::test_users_command",
    "tests/test_staffing.py::test_python_m_analytics_staffing",
    "tests/test_staffing.py::test_command_in_a_process",
    "tests/test_ingest.py::test_an_import_killed",
    "tests/test_ingest.py::test_a_file_of_calls_alone",
    "tests/test_ingest.py::test_cli_report_and_exit_codes",
    "tests/test_ingest.py::test_data_page_shows",
    "tests/test_attrition.py::test_protected_columns_never_reach",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.nodeid.startswith(_SLOW_NODES):
            item.add_marker(pytest.mark.slow)
