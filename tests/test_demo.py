"""The demo generator (``small`` scale): schema conformance, determinism and every
realism claim, each computed independently from the frames with plain pandas in
local time (Asia/Shanghai)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analytics import schema, workdays
from analytics.demo import ATTRITION_DRIVERS, SCALES, generate

TZ = "Asia/Shanghai"


@pytest.fixture(scope="module")
def data():
    return generate("small", seed=3)


@pytest.fixture(scope="module")
def inbound(data):
    c = data["calls"]
    c = c[c["direction"] == "inbound"].copy()
    c["local"] = c["arrived_at"].dt.tz_convert(TZ)
    c["date"] = c["local"].dt.date
    c["answered"] = c["answered_at"].notna()
    c["wait"] = (c["answered_at"] - c["arrived_at"]).dt.total_seconds()
    c["handle"] = c["talk_s"] + c["hold_s"] + c["acw_s"]
    return c


# --- API and schema ------------------------------------------------------------------------
def test_scales_and_large_not_implemented():
    assert {"small", "default", "large"} <= set(SCALES)
    with pytest.raises(ValueError, match="region by region"):
        generate("large")  # too big for frames: written straight into a lake instead


def test_large_is_accepted(tmp_path):
    # A tiny override (two regions of the small scale, no rollups): the real one is ~52 M calls.
    from analytics.demo.large import build_large
    from analytics.lake import Lake

    info = build_large(tmp_path / "d", base="small", regions=2, rollups=False)
    lake = Lake(tmp_path / "d", lock_down=False)
    centers = set(lake.query("SELECT center FROM centers")["center"])
    assert centers == {"SH", "HZ", "SH02", "HZ02"}
    assert lake.count("calls") == info["rows"]["calls"]
    assert (
        lake.query(
            "SELECT count(*) AS n FROM calls c LEFT JOIN employees e ON e.employee_id = c.agent_id "
            "WHERE c.agent_id IS NOT NULL AND (e.center IS NULL OR e.center <> c.center)"
        )["n"][0]
        == 0
    )


def test_determinism(data):
    again = generate("small", seed=3)
    for name in schema.TABLES:
        assert_frame_equal(data[name], again[name], obj=name)
    other = generate("small", seed=4)
    assert not data["calls"]["arrived_at"].equals(other["calls"]["arrived_at"])


def test_progress_reports_until_one():
    seen = []
    generate("small", seed=5, progress=lambda f, m: seen.append((f, m)))
    assert seen[-1][0] == 1.0 and all(isinstance(m, str) for _, m in seen)
    assert all(0.0 <= f <= 1.0 for f, _ in seen)


EXPECTED_DTYPES = {
    "VARCHAR": "str",
    "DOUBLE": "float64",
    "DATE": "datetime64[s]",
    "TIMESTAMPTZ": "datetime64[us, UTC]",
    "BOOLEAN": "boolean",
}


@pytest.mark.parametrize("name", list(schema.TABLES))
def test_schema_conformance(data, name):
    t = schema.TABLES[name]
    df = data[name]
    assert list(df.columns) == t.column_names
    for c in t.columns:
        s = df[c.name]
        if c.dtype == "INTEGER":
            assert str(s.dtype) in ("Int32", "int32", "int64", "Int64"), (c.name, s.dtype)
        else:
            assert str(s.dtype) == EXPECTED_DTYPES[c.dtype], (name, c.name, s.dtype)
        if c.required:
            assert s.notna().all(), f"{name}.{c.name} has nulls"
        if c.allowed:
            assert set(s.dropna().unique()) <= set(c.allowed), (name, c.name)
    if name != "targets":
        assert len(df) > 0
        assert not df.duplicated(list(t.key)).any(), f"{name}: duplicate keys"


def test_dates_are_midnight(data):
    for name, col in (("employees", "hire_date"), ("role_events", "event_date"), ("appraisals", "month")):
        s = data[name][col].dropna()
        assert (s == s.dt.normalize()).all()
    assert (data["appraisals"]["month"].dt.day == 1).all()


def test_reference_integrity(data):
    emp = set(data["employees"]["employee_id"])
    queues = set(data["queues"]["queue"])
    c = data["calls"]
    assert set(c["queue"]) <= queues
    assert set(c["agent_id"].dropna()) <= emp
    assert set(data["agent_intervals"]["agent_id"]) <= emp
    assert set(data["role_events"]["employee_id"]) == emp
    assert set(data["centers"]["center"]) == {"SH", "HZ"}
    assert (data["centers"]["timezone"] == TZ).all()
    assert len(queues) >= 6
    assert (c["answered_at"].isna() | (c["answered_at"] >= c["arrived_at"])).all()
    assert (c["ended_at"] >= c["arrived_at"]).all()


def test_protected_attributes_filled(data):
    e = data["employees"]
    for col in ("gender", "birth_year", "marital_status", "pay_band", "shift_pattern", "education", "commute_km"):
        assert e[col].notna().all(), col
    assert set(e["shift_pattern"]) <= {"day", "rotating", "split"}
    assert e["pay_band"].between(1, 5).all()


# --- arrivals ------------------------------------------------------------------------------
def test_intraday_two_peaks_with_lunch_dip(inbound):
    h = inbound["local"].dt.hour.value_counts()
    morning = h.loc[[9, 10]].mean()
    afternoon = h.loc[[14, 15]].mean()
    assert h.loc[12] < 0.75 * morning and h.loc[12] < 0.75 * afternoon
    assert h.loc[[2, 3, 4]].mean() < 0.02 * morning  # a trickle at night
    assert h.loc[list(range(8, 20))].sum() / h.sum() > 0.95  # open 08:00-20:00


def _daily(inbound):
    d = inbound.groupby("date").size()
    kinds = pd.Series({x: workdays.day_kind(x) for x in d.index})
    return d, kinds


def test_zhengqi_busier(inbound):
    d, kinds = _daily(inbound)
    work = kinds == "workday"
    early = pd.Series([x.day <= 15 for x in d.index], index=d.index)
    assert d[work & early].mean() >= 1.3 * d[work & ~early].mean()


def test_holidays_quiet(inbound):
    d, kinds = _daily(inbound)
    assert (kinds == "holiday").sum() >= 7  # 国庆 2026-10-01..07 (+ 中秋)
    assert d[kinds == "holiday"].mean() < 0.3 * d[kinds == "workday"].mean()
    # 调休 working Saturday 2026-10-10 behaves like a working day
    import datetime as dt

    assert d[dt.date(2026, 10, 10)] > 2 * d[kinds == "weekend"].mean()


def test_monday_busier_than_saturday(inbound):
    d, kinds = _daily(inbound)
    wd = pd.Series([x.weekday() for x in d.index], index=d.index)
    assert d[(wd == 0) & (kinds == "workday")].mean() > 2 * d[(wd == 5) & (kinds == "weekend")].mean()


# --- service -------------------------------------------------------------------------------
def test_answer_rate_and_service_level(inbound):
    rate = inbound["answered"].mean()
    assert 0.85 <= rate <= 0.95
    sl = ((inbound["wait"] <= 20) & inbound["answered"]).mean()
    assert 0.65 <= sl <= 0.9
    ab = inbound[~inbound["answered"]]
    assert ab["agent_id"].isna().all() and ab["talk_s"].isna().all()
    short = ((ab["ended_at"] - ab["arrived_at"]).dt.total_seconds() < 5).mean()
    assert 0 < short < 0.5


def test_load_per_agent_drives_service(data, inbound):
    ai = data["agent_intervals"]
    staffed = ai.groupby(["queue", "interval_start"])["staffed_s"].sum() / 900
    x = inbound.assign(interval_start=inbound["arrived_at"].dt.floor("15min"))
    x["sl"] = (x["wait"] <= 20) & x["answered"]
    g = x.groupby(["queue", "interval_start"]).agg(
        offered=("call_id", "size"), sl=("sl", "sum"), ans=("answered", "sum")
    )
    g = g.join(staffed.rename("agents"), how="inner")
    g = g[g["agents"] >= 0.5]
    g["load"] = g["offered"] / g["agents"]
    lo, hi = g["load"].quantile([0.25, 0.75])
    top, bottom = g[g["load"] >= hi], g[g["load"] <= lo]
    assert top["sl"].sum() / top["offered"].sum() < bottom["sl"].sum() / bottom["offered"].sum()
    ab_top = 1 - top["ans"].sum() / top["offered"].sum()
    ab_bottom = 1 - bottom["ans"].sum() / bottom["offered"].sum()
    assert ab_top > ab_bottom


def test_handle_times(inbound):
    com = inbound[inbound["answered"] & (inbound["category"] == "common")]
    assert 90 <= com["handle"].median() <= 200
    assert (com["handle"] <= 300).mean() > 0.7
    sd = np.log(com["talk_s"]).std()
    assert 0.7 <= sd <= 1.3
    cx = inbound[inbound["answered"] & (inbound["category"] == "complex")]
    assert cx["handle"].median() > com["handle"].median()
    assert (inbound.loc[inbound["answered"], "acw_s"].between(0, 90)).all()


def test_transfers_go_to_the_specialist_line(data):
    c = data["calls"]
    tr = c[c["transferred"].fillna(False).astype(bool)]
    assert len(tr) > 0
    assert (tr["category"] == "complex").all()
    assert not tr["queue"].str.endswith("SPEC").any()
    follow = c.set_index("call_id").reindex(tr["call_id"] + "-T")
    assert follow["queue"].notna().all()
    assert follow["queue"].str.endswith("SPEC").all()
    assert (follow["queue"].str[:2].to_numpy() == tr["queue"].str[:2].to_numpy()).all()
    ended = tr["answered_at"] + pd.to_timedelta(tr["talk_s"] + tr["hold_s"], unit="s")
    gap = (follow["arrived_at"].reset_index(drop=True) - ended.reset_index(drop=True)).dt.total_seconds()
    assert gap.abs().max() < 1e-3


def test_outbound(data):
    o = data["calls"][data["calls"]["queue"] == "SH-OUT"]
    assert (o["direction"] == "outbound").all()
    ans = o["answered_at"].notna()
    assert 0.65 < ans.mean() < 0.85
    ring = (o.loc[ans, "answered_at"] - o.loc[ans, "arrived_at"]).dt.total_seconds()
    assert ring.between(5, 25).all()


def test_answered_per_agent_day(inbound):
    a = inbound[inbound["answered"]]
    per = a.groupby([a["agent_id"], a["date"]]).size()
    assert 55 <= per.median() <= 75


def test_csat_and_fcr(inbound):
    a = inbound[inbound["answered"]]
    share = a["csat"].notna().mean()
    assert 0.15 < share < 0.25
    long_wait = a[a["wait"] > 60]["csat"].mean()
    short_wait = a[a["wait"] <= 5]["csat"].mean()
    assert long_wait < short_wait
    com = a[a["category"] == "common"]
    assert com["resolved_first_contact"].astype(bool).mean() > 0.8


def test_call_ids(data):
    c = data["calls"]
    assert c["call_id"].is_unique
    assert c["call_id"].str.match(r"^(SH|HZ)-\d{8}-\d{7}(-T)?$").all()
    assert (c["call_id"].str[:2] == c["center"]).all()


# --- agent intervals -----------------------------------------------------------------------
def test_agent_intervals_bounds(data):
    ai = data["agent_intervals"]
    assert (ai["staffed_s"] <= 900 + 1e-6).all() and (ai["staffed_s"] > 0).all()
    assert (ai["handling_s"] <= ai["staffed_s"] + 1e-6).all()
    assert (ai["available_s"] >= -1e-6).all() and (ai["handling_s"] >= 0).all()
    aux = ai["staffed_s"] - ai["handling_s"] - ai["available_s"]
    assert (aux >= -1e-6).all()
    assert 0.01 < aux.sum() / ai["staffed_s"].sum() < 0.12


def test_handling_matches_calls(data, inbound):
    """Handle time is attributed to the interval a call was answered in; what exceeds
    the 900 s of an interval is carried into the next interval(s). So: per agent-day the
    sums match exactly, and in intervals without carry the values match one by one."""
    c = data["calls"]
    a = c[c["answered_at"].notna()].copy()
    a["interval_start"] = a["answered_at"].dt.floor("15min")
    a["h"] = a["talk_s"] + a["hold_s"] + a["acw_s"]
    per_int = a.groupby(["agent_id", "interval_start"])["h"].sum()
    ai = data["agent_intervals"].set_index(["agent_id", "interval_start"])
    j = ai.join(per_int.rename("calls_h"), how="left").fillna({"calls_h": 0.0})
    j["day"] = j.index.get_level_values(1).tz_convert(TZ).date
    per_day = j.groupby([j.index.get_level_values(0), "day"])[["handling_s", "calls_h"]].sum()
    assert np.allclose(per_day["handling_s"], per_day["calls_h"], atol=1e-3)
    assert set(per_int.index) <= set(ai.index)
    # no carry: the agent's previous interval did not overflow and this one does not either
    j = j.sort_index()
    prev_full = j.groupby(level=0)["handling_s"].shift(1).fillna(0) >= 900 - 1e-6
    clean = ~prev_full & (j["calls_h"] < 900) & (j["handling_s"] < 900 - 1e-6)
    assert clean.mean() > 0.8
    assert np.allclose(j.loc[clean, "handling_s"], j.loc[clean, "calls_h"], atol=1e-3)


def test_no_work_outside_employment(data):
    ai = data["agent_intervals"]
    e = data["employees"].set_index("employee_id")
    day = pd.to_datetime(ai["interval_start"].dt.tz_convert(TZ).dt.date).astype("datetime64[s]")
    hire = e.loc[ai["agent_id"], "hire_date"].to_numpy()
    exit_ = e.loc[ai["agent_id"], "exit_date"].to_numpy()
    assert (day.to_numpy() >= hire + np.timedelta64(14, "D")).all()  # 2 weeks of training
    assert ((day.to_numpy() <= exit_) | pd.isna(exit_)).all()


def test_new_agents_slower(data, inbound):
    e = data["employees"].set_index("employee_id")
    a = inbound[inbound["answered"] & (inbound["category"] == "common") & ~inbound["queue"].str.endswith("SPEC")]
    hire = pd.to_datetime(e.loc[a["agent_id"], "hire_date"].to_numpy())
    tenure = (pd.to_datetime(a["date"]).to_numpy() - hire.to_numpy()) / np.timedelta64(1, "D")
    new = tenure < 60
    if new.sum() > 200:
        assert a.loc[new, "handle"].median() > a.loc[~new, "handle"].median()


# --- HR ------------------------------------------------------------------------------------
def test_employees_match_last_role_event(data):
    e = data["employees"].set_index("employee_id")
    ev = data["role_events"].sort_values(["employee_id", "event_date"], kind="stable")
    assert (data["role_events"]["event_type"] == "hire").groupby(data["role_events"]["employee_id"]).sum().eq(1).all()
    hires = ev[ev["event_type"] == "hire"].set_index("employee_id")["event_date"]
    assert (hires.reindex(e.index) == e["hire_date"]).all()
    exits = ev[ev["event_type"] == "exit"].set_index("employee_id")["event_date"]
    assert (exits == e.loc[exits.index, "exit_date"]).all()
    assert e["exit_date"].notna().sum() == len(exits)
    last = ev[ev["to_role"].notna()].groupby("employee_id").tail(1).set_index("employee_id")
    assert (last["to_role"] == e.loc[last.index, "role"]).all()
    types = set(ev["event_type"])
    assert {"hire", "exit", "promotion", "star_change"} <= types


def test_headcount_and_structure(data):
    e = data["employees"]
    for m in pd.date_range("2026-07-01", "2026-10-01", freq="MS"):
        active = (e["hire_date"] <= m) & (e["exit_date"].isna() | (e["exit_date"] >= m))
        assert 50 <= active.sum() <= 75
    assert e["hire_date"].min() < pd.Timestamp("2020-01-01")  # tenures vary


def test_attrition_early_tenure_hazard(data):
    e = data["employees"]
    ev = data["role_events"]
    agents = ("csr", "senior_csr", "outbound_csr", "complaint_specialist")
    exits = e[e["exit_date"].notna()]
    assert len(exits) > 0
    assert set(exits["exit_type"]) <= {"voluntary", "involuntary"}
    assert (exits["exit_type"] == "voluntary").mean() > 0.6
    # monthly exit rate in the first 90 days of tenure vs later (whole history)
    end = pd.Timestamp("2026-10-31")
    ag = e[e["employee_id"].isin(ev.loc[ev["event_type"] == "hire", "employee_id"]) & e["role"].isin(agents)]
    stop = ag["exit_date"].fillna(end)
    days = (stop - ag["hire_date"]).dt.days.clip(lower=0)
    early_exp = days.clip(upper=90).sum()
    late_exp = (days - 90).clip(lower=0).sum()
    left = ag["exit_date"].notna()
    early_n = (left & (days < 90)).sum()
    late_n = (left & (days >= 90)).sum()
    assert early_n / early_exp > late_n / late_exp


def test_attrition_drivers_constant():
    assert ATTRITION_DRIVERS["pay_band_low"] > 1 and ATTRITION_DRIVERS["tenure_0_90d"] > 1
    assert all(v > 0 for v in ATTRITION_DRIVERS.values())


# --- appraisals, complaints, QA --------------------------------------------------------------
def test_appraisals_match_calls(data):
    c = data["calls"]
    a = c[c["answered_at"].notna()]
    month = a["answered_at"].dt.tz_convert(TZ).dt.strftime("%Y-%m")
    n = a.groupby([a["agent_id"], month]).size()
    ap = data["appraisals"]
    key = ap["month"].dt.strftime("%Y-%m")
    got = pd.Series(ap["calls_handled"].to_numpy(), index=pd.MultiIndex.from_arrays([ap["employee_id"], key]))
    assert (got.reindex(n.index) == n).all()
    assert got.sum() == n.sum()
    assert set(ap["rating"]) <= {"A", "B", "C", "D"} and ap["score"].between(0, 100).all()
    assert ap["engagement"].between(1, 5).all()


def test_valid_complaints_in_appraisals(data):
    cp = data["complaints"]
    v = cp[cp["valid"].fillna(False).astype(bool) & cp["agent_id"].notna()]
    n = v.groupby([v["agent_id"], v["received_at"].dt.tz_convert(TZ).dt.strftime("%Y-%m")]).size()
    ap = data["appraisals"]
    got = pd.Series(
        ap["valid_complaints"].to_numpy(),
        index=pd.MultiIndex.from_arrays([ap["employee_id"], ap["month"].dt.strftime("%Y-%m")]),
    )
    assert (got.reindex(n.index).fillna(0) == n).all()


def test_complaints(data):
    cp = data["complaints"]
    rate = len(cp) / len(data["calls"]) * 1e4
    assert 3 <= rate <= 8
    assert cp["level"].value_counts(normalize=True)[1] > 0.7
    phone = cp[cp["channel"] == "phone"]
    assert phone["call_id"].notna().all() and phone["agent_id"].notna().all() and phone["team"].notna().all()
    assert 0.4 < cp["valid"].astype(bool).mean() < 0.8
    assert (cp["first_response_at"].dropna() >= cp.loc[cp["first_response_at"].notna(), "received_at"]).all()
    done = cp[cp["closed_at"].notna()]
    assert (done["closed_at"] >= done["callback_at"]).all() and (done["callback_at"] >= done["resolved_at"]).all()
    assert cp["resolved_at"].isna().any()  # the newest are still open
    assert cp["customer_id"].duplicated().any()  # repeat complainers
    # worse service attracts complaints: complained-about calls waited longer
    calls = data["calls"].set_index("call_id")
    w = (calls["answered_at"] - calls["arrived_at"]).dt.total_seconds()
    assert w.reindex(phone["call_id"]).mean() > w.mean()


def test_complaints_resolved_within_two_working_days_mostly(data):
    cp = data["complaints"].dropna(subset=["resolved_at"])
    r = cp["received_at"].dt.tz_convert(TZ).dt.date
    s = cp["resolved_at"].dt.tz_convert(TZ).dt.date
    import datetime as dt

    def wd_between(a, b):
        n, d = 0, a
        while d < b:
            d += dt.timedelta(days=1)
            n += workdays.is_workday(d)
        return n

    n = pd.Series([wd_between(a, b) for a, b in zip(r, s)])
    assert (n <= 2).mean() > 0.75 and (n > 2).any()


def test_qa(data, inbound):
    q = data["qa_evaluations"]
    e = data["employees"].set_index("employee_id")
    assert set(e.loc[q["evaluator_id"].unique(), "role"]) <= {
        "quality_inspector",
        "team_leader",
        "supervisor",
        "operations_manager",
        "csr",
        "senior_csr",
        "trainer",
        "wfm_analyst",
        "complaint_specialist",
        "outbound_csr",
    }
    g = np.where(q["score"] >= 85, "good", np.where(q["score"] >= 70, "medium", "poor"))
    assert (q["grade"].to_numpy() == g).all()
    assert set(q["method"]) <= {"realtime", "sampled", "sales_review", "side_by_side"}
    per = q.groupby([q["evaluator_id"], q["evaluated_at"].dt.tz_convert(TZ).dt.date]).size()
    assert 30 <= per.median() <= 80
    calls = data["calls"].set_index("call_id")
    assert (calls.loc[q["call_id"], "agent_id"].to_numpy() == q["agent_id"].to_numpy()).all()
    # new agents score lower
    hire = pd.to_datetime(e.loc[q["agent_id"], "hire_date"].to_numpy())
    ten = (q["evaluated_at"].dt.tz_localize(None).to_numpy() - hire.to_numpy()) / np.timedelta64(1, "D")
    if (ten < 45).sum() > 30:
        assert q.loc[ten < 45, "score"].mean() < q.loc[ten >= 90, "score"].mean()
    ap = data["appraisals"]
    call_month = calls.loc[q["call_id"], "arrived_at"].dt.tz_convert(TZ).dt.strftime("%Y-%m").to_numpy()
    qm = q.groupby([q["agent_id"], call_month])["score"].mean()
    assert ap["qa_score"].notna().any()
    # An appraisal's QA score is the mean score of the evaluated calls the person took that month.
    scored = ap.dropna(subset=["qa_score"])
    keyed = pd.Series(
        scored["qa_score"].to_numpy(),
        index=pd.MultiIndex.from_arrays([scored["employee_id"], scored["month"].dt.strftime("%Y-%m")]),
    )
    common = keyed.index.intersection(qm.index)
    assert len(common) > 0
    np.testing.assert_allclose(keyed.loc[common].to_numpy(), qm.loc[common].to_numpy(), atol=0.051)
