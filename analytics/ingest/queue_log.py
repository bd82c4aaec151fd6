"""Asterisk ``queue_log``: queue events in, one call row per queue visit out.

Each line is ``epoch|callid|queue|agent|EVENT|data1|data2|...`` (docs.asterisk.org,
"Queue Logs"). A caller's visit to a queue starts with ENTERQUEUE and ends with one
of the closing events below; the row takes its times from the events' own fields
rather than guessing:

* ENTERQUEUE(url|callerid): ``arrived_at`` = the line's time.
* CONNECT(holdtime|bridgedchanneluniqueid|ringtime): answered; ``answered_at`` =
  arrived + holdtime (so the wait is exactly holdtime), ``agent_id`` = the agent.
  Without an ENTERQUEUE line, arrived = CONNECT time − holdtime.
* COMPLETECALLER / COMPLETEAGENT(holdtime|calltime|origposition): ends an answered
  call; ``talk_s`` = calltime, ``ended_at`` = the line's time.
* TRANSFER(extension|context|holdtime|calltime|origposition), BLINDTRANSFER (same),
  ATTENDEDTRANSFER(method|...|holdtime|calltime|origposition): ends an answered call
  that was transferred; ``transferred`` = true, ``talk_s`` = calltime (the field
  before origposition, wherever the method puts it).
* ABANDON(position|origposition|waittime): caller hung up in the queue; ``ended_at``
  = arrived + waittime (so the derived wait is waittime).
* EXITWITHTIMEOUT(position|origposition|waittime), EXITWITHKEY(key|position|
  origposition|waittime), EXITEMPTY(position|origposition|waittime): the caller left
  the queue unanswered (timeout, key pressed, no agents): an unanswered call, which
  the metrics count as abandoned; ended_at = arrived + waittime.
* JOINEMPTY / JOINUNAVAIL: the caller could not even join (no members / none
  available): never in the queue, so not offered; counted in a warning.
* RINGNOANSWER, RINGCANCELED, AGENTDUMP, DID, INFO, SYSCOMPAT and the member events
  (ADDMEMBER, REMOVEMEMBER, PAUSE, PAUSEALL, UNPAUSE, UNPAUSEALL, PAUSECUSTOM,
  AGENTLOGIN, AGENTLOGOFF, AGENTCALLBACKLOGIN, AGENTCALLBACKLOGOFF, QUEUESTART,
  CONFIGRELOAD) do not change a call row; they are counted and skipped.

A visit that never closes (the log was cut, or Asterisk restarted mid-call) is a
rejected row "call never ended", never a guessed end. A callid that enters a queue
again after its visit ended gets ``<callid>#2`` and so on, so keys stay unique.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analytics.ingest.source import LINE, ReadError, Source

CLOSE_ANSWERED = {"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
CLOSE_UNANSWERED = {"ABANDON", "EXITWITHTIMEOUT", "EXITWITHKEY", "EXITEMPTY"}
JOIN_FAILED = {"JOINEMPTY", "JOINUNAVAIL"}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
IGNORED = {
    "RINGNOANSWER",
    "RINGCANCELED",
    "AGENTDUMP",
    "DID",
    "INFO",
    "SYSCOMPAT",
    "ADDMEMBER",
    "REMOVEMEMBER",
    "PAUSE",
    "PAUSEALL",
    "UNPAUSE",
    "UNPAUSEALL",
    "PAUSECUSTOM",
    "AGENTLOGIN",
    "AGENTLOGOFF",
    "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF",
    "QUEUESTART",
    "CONFIGRELOAD",
    "MIXMONITOR",
    "PENALTY",
}
COLUMNS = [
    "call_id",
    "queue",
    "arrived_at",
    "answered_at",
    "ended_at",
    "agent_id",
    "talk_s",
    "transferred",
    "direction",
]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def _num(text: str | None) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if v >= 0 else None


def _agent(member: str) -> str | None:
    """'Agent/1001', 'SIP/1001', 'PJSIP/1001-0000a' or a member name -> '1001'-like id."""
    if not member or member == "NONE":
        return None
    tail = member.split("/", 1)[-1]
    return tail.split("-", 1)[0] if member.upper().startswith(("SIP/", "PJSIP/", "IAX2/")) else tail


def read_queue_log(path: Path) -> Source:
    rows: list[dict] = []
    problems: list[tuple] = []
    open_visits: dict[str, dict] = {}
    legs: dict[str, int] = {}
    ignored = 0
    joins_failed = 0

    def new_visit(callid: str, queue: str, line: int, raw: str) -> dict:
        legs[callid] = legs.get(callid, 0) + 1
        cid = callid if legs[callid] == 1 else f"{callid}#{legs[callid]}"
        v = {
            "call_id": cid,
            "queue": queue,
            "_line": line,
            "_raw": raw,
            "arrived": None,
            "answered": None,
            "agent_id": None,
            "transferred": False,
        }
        open_visits[callid] = v
        return v

    def close(callid: str, v: dict, ended: float | None, talk: float | None, line: int) -> None:
        open_visits.pop(callid, None)
        if v["arrived"] is None or ended is None:
            problems.append(
                (
                    v["_line"],
                    "",
                    "queue_log_incomplete",
                    f"the visit closed on line {line} without a usable arrival or end time",
                    v["_raw"],
                )
            )
            return
        rows.append(
            {
                "call_id": v["call_id"],
                "queue": v["queue"],
                "arrived_at": _iso(v["arrived"]),
                "answered_at": _iso(v["answered"]) if v["answered"] is not None else None,
                "ended_at": _iso(ended),
                "agent_id": v["agent_id"],
                "talk_s": None if talk is None else repr(talk),
                "transferred": "true" if v["transferred"] else "false",
                "direction": "inbound",
                LINE: v["_line"],
            }
        )

    try:
        f = open(path, encoding="utf-8", errors="strict", newline="")
        lines = f.read().splitlines()
        f.close()
    except UnicodeDecodeError:
        raise ReadError(f"{path.name}: a queue_log is ASCII/UTF-8 text") from None
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        f = raw.split("|")
        if len(f) < 5:
            problems.append((n, "", "queue_log_malformed", "fewer than 5 |-separated fields", raw))
            continue
        ts = _num(f[0])
        if ts is None or ts < 1e8:
            problems.append((n, "", "queue_log_malformed", f"time {f[0]!r} is not a Unix epoch", raw))
            continue
        callid, queue, member, event, data = f[1], f[2], f[3], f[4].upper(), f[5:]
        if callid in ("NONE", "REALTIME", "") or event in IGNORED:
            ignored += 1
            continue
        v = open_visits.get(callid)
        if event == "ENTERQUEUE":
            if v is not None:
                problems.append(
                    (
                        v["_line"],
                        "",
                        "queue_log_unended",
                        f"call never ended: it entered queue {queue} again on line {n}",
                        v["_raw"],
                    )
                )
            v = new_visit(callid, queue, n, raw)
            v["arrived"] = ts
            continue
        if event in JOIN_FAILED:
            joins_failed += 1  # never entered the queue, so never offered to it
            continue
        if event == "CONNECT":
            hold = _num(data[0] if data else None)
            if hold is None:
                problems.append((n, "", "queue_log_malformed", "CONNECT without a holdtime (data1)", raw))
                continue
            if v is None:
                v = new_visit(callid, queue, n, raw)
            if v["arrived"] is None:
                v["arrived"] = ts - hold
            v["answered"] = v["arrived"] + hold
            v["agent_id"] = _agent(member)
            continue
        if event in CLOSE_ANSWERED:
            if v is None or v["answered"] is None:
                problems.append((n, "", "queue_log_orphan", f"{event} for a call that was never connected", raw))
                if v is not None:
                    open_visits.pop(callid, None)
                continue
            # holdtime|calltime|origposition are the last three fields of every close-answered event.
            talk = _num(data[-2]) if len(data) >= 3 else None
            if talk is None:
                problems.append((n, "", "queue_log_malformed", f"{event} without a calltime", raw))
                open_visits.pop(callid, None)
                continue
            v["transferred"] = event in TRANSFERS
            close(callid, v, ts, talk, n)
            continue
        if event in CLOSE_UNANSWERED:
            idx = {"ABANDON": 2, "EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "EXITWITHKEY": 3}[event]
            wait = _num(data[idx] if len(data) > idx else None)
            if v is None:
                v = new_visit(callid, queue, n, raw)
                v["arrived"] = ts - wait if wait is not None else None
            ended = v["arrived"] + wait if (wait is not None and v["arrived"] is not None) else ts
            close(callid, v, ended, None, n)
            continue
        ignored += 1  # an event this reader does not know: kept out of call rows, counted
    for v in open_visits.values():
        problems.append(
            (v["_line"], "", "queue_log_unended", "call never ended (no closing event in the log)", v["_raw"])
        )
    df = pd.DataFrame(rows, columns=COLUMNS + [LINE])
    for c in COLUMNS:
        df[c] = df[c].astype("str")
    df[LINE] = df[LINE].astype("int64")
    src = Source(df, list(COLUMNS), "queue_log", problems=problems)
    src.notes = [("queue_log_skipped", {"n": ignored})]
    if joins_failed:
        src.notes.append(("queue_log_join_failed", {"n": joins_failed}))
    src.encoding = "utf-8"
    return src
