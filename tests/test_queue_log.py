"""Asterisk queue_log: answered and abandoned counts worked out by hand from the fixture."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analytics import calls, lake
from analytics.access import Scope
from analytics.filters import Filters
from analytics.ingest.importer import import_file
from analytics.ingest.mapping import load_mapping
from analytics.ingest.queue_log import read_queue_log
from analytics.metrics import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "tests" / "fixtures" / "ingest" / "queue_log"

# What each line of the fixture is there for (line: why):
#  1 QUEUESTART, callid NONE: engine event, skipped
#  2 ADDMEMBER: member event, skipped
#  3-6 c1: enters sales, a ring goes unanswered (skipped), CONNECT after holdtime 12 s,
#      COMPLETECALLER with calltime 180 -> answered, wait 12, talk 180
#  7-8 c2: ABANDON after waittime 45 -> abandoned
#  9-10 c3: ABANDON after 3 s -> abandoned, a short abandon (< 5 s)
# 11-13 c4: support, CONNECT holdtime 20, BLINDTRANSFER calltime 100 -> answered, transferred
# 14-15 c5: EXITWITHTIMEOUT after 60 s -> unanswered (counts as abandoned)
# 16-17 c6: EXITWITHKEY (key 1) after 10 s -> unanswered
# 18-20 c7: CONNECT holdtime 5, COMPLETEAGENT calltime 60 -> answered
# 21-23 c8: CONNECT holdtime 8, ATTENDEDTRANSFER (BRIDGE) calltime 92 -> answered, transferred
# 24-25 c9: connected but never completed -> rejected "call never ended" at line 24
# 26    c10: entered, nothing else -> rejected "call never ended" at line 26
# 27    c11: JOINEMPTY: never entered the queue -> not offered, no row
# 28    garbage -> rejected, malformed
# 29-30 c12: EXITEMPTY after 30 s -> unanswered
# 31-32 c13: ABANDON after 10 s -> abandoned (call_id c13)
# 33-35 c13 again, into support: CONNECT holdtime 5, COMPLETECALLER 95 -> answered (call_id c13#2)
# 36    PAUSE: member event, skipped
# Offered 11 (c1-c8, c12, c13, c13#2); answered 5 (c1, c4, c7, c8, c13#2); abandoned 6;
# short abandons 1 (c3); ASA = (12 + 20 + 5 + 8 + 5) / 5 = 10 s; AHT = (180+100+60+92+95) / 5 = 105.4 s;
# answered within 20 s: all 5 -> service level 5 / (11 - 1) = 50 %; transferred 2 of 5 handled.


def test_reader_builds_one_row_per_queue_visit():
    src = read_queue_log(LOG)
    df = src.frame.set_index("call_id")
    assert sorted(df.index) == sorted(["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c12", "c13", "c13#2"])
    assert df.loc["c1", "agent_id"] == "1002" and df.loc["c4", "agent_id"] == "2001"  # PJSIP/1002, Agent/2001
    assert df.loc["c4", "transferred"] == "true" and df.loc["c1", "transferred"] == "false"
    assert df.loc["c8", "talk_s"] == "92.0"
    assert df.loc["c2", "answered_at"] is None or pd.isna(df.loc["c2", "answered_at"])
    assert df.loc["c1", "_line"] == 3 and df.loc["c13#2", "_line"] == 33
    assert sorted((p[0], p[2]) for p in src.problems) == [
        (24, "queue_log_unended"),
        (26, "queue_log_unended"),
        (28, "queue_log_malformed"),
    ]


def test_counts_match_the_hand_worked_numbers(tmp_path):
    r = import_file(
        tmp_path,
        "calls",
        LOG,
        mapping=load_mapping(ROOT / "mappings" / "queue_log.toml", "calls"),
        center="PBX",
        timezone="Asia/Shanghai",
    )
    assert r.ok and (r.rows_read, r.rows_accepted, r.rows_rejected) == (14, 11, 3)
    assert r.rejected_by_reason == {"queue_log_malformed": 1, "queue_log_unended": 2}
    assert "call never ended" in r.rejects[r.rejects["line"] == 24]["reason"].iloc[0]
    lk = lake.Lake(tmp_path)
    f = Filters(start=pd.Timestamp("2026-09-21").date(), end=pd.Timestamp("2026-09-22").date())
    tot = calls.metrics(lk, f, Scope.everything(), (), ServiceSettings()).iloc[0]
    assert (tot["offered"], tot["answered"], tot["abandoned"], tot["short_abandoned"]) == (11, 5, 6, 1)
    assert tot["asa_s"] == pytest.approx(10.0) and tot["aht_s"] == pytest.approx(105.4)
    assert tot["service_level"] == pytest.approx(0.5) and tot["transfer_rate"] == pytest.approx(0.4)
