"""Attrition: retention curves, hazard ratios and the risk of a voluntary exit.

Three parts, one per question HR asks:

- *which cohorts leak*: retention curves (``analytics.survival``: delayed entry, role and
  team as held at the time) and Cox proportional-hazards ratios (``hazard_ratios``) over
  the same episodes;
- *who is likely to leave, and why*: a calibrated model of a voluntary exit within 90
  (or 365) days, trained on month-end snapshots (``train``), with per-person drivers
  (``scores``);
- *bring your own export*: ``evaluate_table`` trains and validates on any employee table.

Leakage protocol. ``features_as_of(hr, as_of)`` reads only what was known on ``as_of``:
career events dated on or before it, appraisals and monthly activity of months that
ended on or before it, and an exit only to decide who is still employed. ``HRData.known_at``
cuts every table to what was known on a date (future exits blanked); ``leaky_columns``
compares features built from the full data with features built from the cut data, and a
difference means a feature looked into the future (the tests run it).

Protected attributes (``schema.PROTECTED_COLUMNS`` and the ones a user names) are never
features; they feed only ``fairness_audit`` (flag rates per group, four-fifths rule).
Scores support a conversation with the person, never an automated decision.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from analytics import schema
from analytics.access import Scope, scope_predicate
from analytics.lake import Lake

HORIZONS = (90, 365)
HR_TABLES = ("employees", "role_events", "appraisals", "agent_intervals", "complaints")
AGENT_ROLES = ("csr", "senior_csr", "outbound_csr")
PROTECTED = tuple(schema.PROTECTED_COLUMNS)
MODEL_VERSION = 3  # 2: fairness groups of numbers in words (1977–1993); 3: groups of ≥ 5 people, not rows
# Risk bands shown on the page: the probability of leaving within the horizon.
BANDS = ((0.0, 0.10, "low"), (0.10, 0.25, "medium"), (0.25, 1.01, "high"))
RELIABILITY_EDGES = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50, 1.0)


class LeakageError(AssertionError):
    """A feature used information from after the prediction date."""


# --- the HR data, and what was known on a date ------------------------------------------------


@dataclass
class HRData:
    employees: pd.DataFrame
    events: pd.DataFrame  # role_events
    appraisals: pd.DataFrame  # with ``known_on`` = the appraised month's last day
    activity: pd.DataFrame  # agent x month: staffed_s, handling_s, valid_complaints; ``known_on``
    data_end: date  # the last day the HR data covers
    version: dict = field(default_factory=dict)

    def known_at(self, as_of: date) -> HRData:
        """Every table cut to what was known at the end of ``as_of``: later rows dropped,
        people hired later dropped, exits after ``as_of`` blanked (not yet known)."""
        ts = pd.Timestamp(as_of)
        emp = self.employees[self.employees["hire_date"] <= ts].copy()
        later = emp["exit_date"] > ts
        emp.loc[later, "exit_date"] = pd.NaT
        emp.loc[later, ["exit_type", "exit_reason"]] = None
        return replace(
            self,
            employees=emp,
            events=self.events[self.events["event_date"] <= ts],
            appraisals=self.appraisals[self.appraisals["known_on"] <= ts],
            activity=self.activity[self.activity["known_on"] <= ts],
            data_end=min(self.data_end, as_of),
        )


def _month_end(month_start: pd.Series) -> pd.Series:
    return month_start + pd.offsets.MonthEnd(0)


def data_version(lake: Lake) -> dict:
    """The ledger batch ids of every HR table: a new batch means new data, so a new model."""
    return {t: sorted(p.name.removeprefix("batch=") for p in (lake.root / t).glob("batch=*")) for t in HR_TABLES}


def load_hr(lake: Lake) -> HRData:
    """All HR data of the dataset (the model learns from the whole organisation; what a
    user sees is cut to their scope afterwards)."""
    emp = lake.query("SELECT * EXCLUDE (_batch) FROM employees")
    for c in ("hire_date", "exit_date"):
        emp[c] = pd.to_datetime(emp[c]).astype("datetime64[us]")
    ev = lake.query(
        "SELECT employee_id, event_date, event_type, to_role, to_team, to_star FROM role_events "
        "ORDER BY employee_id, event_date"
    )
    ev["event_date"] = pd.to_datetime(ev["event_date"]).astype("datetime64[us]")
    ap = lake.query(
        "SELECT employee_id, month, engagement, score, attendance_rate, late_count, valid_complaints FROM appraisals"
    )
    ap["month"] = pd.to_datetime(ap["month"]).astype("datetime64[us]")
    ap["known_on"] = _month_end(ap["month"])
    # Months in the center's own time zone, like every other local-time bucket.
    act = lake.query("""
        WITH i AS (
          SELECT a.agent_id AS employee_id,
                 CAST(date_trunc('month', timezone(coalesce(c.timezone, 'UTC'), a.interval_start)) AS DATE) AS month,
                 sum(a.staffed_s) AS staffed_s, sum(a.handling_s) AS handling_s
          FROM agent_intervals a LEFT JOIN centers c USING (center) GROUP BY ALL),
        k AS (
          SELECT m.agent_id AS employee_id,
                 CAST(date_trunc('month', timezone(coalesce(c.timezone, 'UTC'), m.received_at)) AS DATE) AS month,
                 count(*) FILTER (WHERE m.valid) AS valid_complaints
          FROM complaints m LEFT JOIN centers c USING (center) WHERE m.agent_id IS NOT NULL GROUP BY ALL)
        SELECT employee_id, month, i.staffed_s, i.handling_s, coalesce(k.valid_complaints, 0) AS valid_complaints
        FROM i FULL JOIN k USING (employee_id, month)""")
    act["month"] = pd.to_datetime(act["month"]).astype("datetime64[us]")
    act["known_on"] = _month_end(act["month"])
    ends = [
        emp["hire_date"].max(),
        emp["exit_date"].max(),
        ev["event_date"].max(),
        ap["known_on"].max(),
        act["known_on"].max(),
    ]
    ends = [e for e in ends if pd.notna(e)]
    data_end = max(ends).date() if ends else date.today()
    return HRData(emp, ev, ap, act, data_end, data_version(lake))


# --- features as of a date -------------------------------------------------------------------

NUMERIC_FEATURES = (
    "tenure_days",
    "days_in_role",
    "star_level",
    "pay_band",
    "commute_km",
    "stalled_promotion",
    "engagement_last",
    "engagement_3m",
    "engagement_drop",
    "appraisal_score_3m",
    "attendance_3m",
    "late_3m",
    "valid_complaints_3m",
    "occupancy_3m",
    "team_occupancy_3m",
    "team_voluntary_rate_12m",
    "team_size",
)
CATEGORICAL_FEATURES = ("tenure_band", "role", "shift_pattern", "education")
FEATURES = NUMERIC_FEATURES + CATEGORICAL_FEATURES


def tenure_band(days: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([days < 90, days < 365, days <= 1095], ["0-90d", "90-365d", "1-3y"], "3y+"),
        index=days.index,
        dtype="str",
    )


def features_as_of(hr: HRData, as_of: date) -> pd.DataFrame:
    """One row per person employed at the end of ``as_of`` (index ``employee_id``) with
    ``FEATURES``, reading only rows dated on or before ``as_of``."""
    ts = pd.Timestamp(as_of)
    emp = hr.employees
    emp = emp[(emp["hire_date"] <= ts) & (emp["exit_date"].isna() | (emp["exit_date"] > ts))]
    out = emp.set_index("employee_id")[
        ["center", "team", "role", "star_level", "hire_date", "pay_band", "shift_pattern", "education", "commute_km"]
    ].copy()
    # Role, team and star as of the date come from the dated career events; the master's
    # values are today's and serve only people without events.
    ev = hr.events[(hr.events["event_date"] <= ts) & hr.events["employee_id"].isin(out.index)]
    for col, target in (("to_role", "role"), ("to_team", "team"), ("to_star", "star_level")):
        last = ev.dropna(subset=[col]).groupby("employee_id")[col].last()
        out[target] = out[target].astype("object")
        out.loc[last.index, target] = last.values
    role_change = ev[ev["event_type"].isin(("hire", "promotion", "lateral_move", "demotion"))]
    since = role_change.groupby("employee_id")["event_date"].max().reindex(out.index).fillna(out["hire_date"])
    out["tenure_days"] = (ts - out["hire_date"]).dt.days.astype("float64")
    out["days_in_role"] = (ts - since).dt.days.astype("float64")
    out["tenure_band"] = tenure_band(out["tenure_days"])
    out["star_level"] = pd.to_numeric(out["star_level"], errors="coerce").astype("float64")
    out["pay_band"] = pd.to_numeric(out["pay_band"], errors="coerce").astype("float64")

    ap = hr.appraisals[(hr.appraisals["known_on"] <= ts) & hr.appraisals["employee_id"].isin(out.index)]
    ap = ap[ap["month"] > ts - pd.DateOffset(months=6)].sort_values("month")
    g = ap.groupby("employee_id")
    out["engagement_last"] = g["engagement"].last()
    last3 = ap[ap["month"] > ts - pd.DateOffset(months=3)].groupby("employee_id")
    prev3 = ap[ap["month"] <= ts - pd.DateOffset(months=3)].groupby("employee_id")
    out["engagement_3m"] = last3["engagement"].mean()
    out["engagement_drop"] = prev3["engagement"].mean() - out["engagement_3m"]
    out["appraisal_score_3m"] = last3["score"].mean()
    out["attendance_3m"] = last3["attendance_rate"].mean()
    out["late_3m"] = last3["late_count"].sum().reindex(out.index)

    act = hr.activity[(hr.activity["known_on"] <= ts) & (hr.activity["month"] > ts - pd.DateOffset(months=3))]
    a = act.groupby("employee_id")[["staffed_s", "handling_s", "valid_complaints"]].sum()
    a = a.reindex(out.index)
    out["occupancy_3m"] = (a["handling_s"] / a["staffed_s"]).where(a["staffed_s"] > 0)
    out["valid_complaints_3m"] = a["valid_complaints"]
    team_act = a.join(out["team"]).groupby("team")[["staffed_s", "handling_s"]].sum()
    team_occ = (team_act["handling_s"] / team_act["staffed_s"]).where(team_act["staffed_s"] > 0)
    out["team_occupancy_3m"] = out["team"].map(team_occ).astype("float64")

    # CSRs long in the role with a strong appraisal: the "no visible promotion path" group.
    strong = out["appraisal_score_3m"] >= out.loc[out["role"] == "csr", "appraisal_score_3m"].quantile(0.6)
    out["stalled_promotion"] = ((out["role"] == "csr") & (out["days_in_role"] >= 540) & strong).astype("float64")

    # The team's voluntary leavers in the past year per head today: how leaky the team has
    # been under its leadership (exits up to as_of only).
    all_emp = hr.employees
    left = all_emp[
        (all_emp["exit_type"] == "voluntary")
        & (all_emp["exit_date"] <= ts)
        & (all_emp["exit_date"] > ts - pd.DateOffset(days=365))
    ]
    team_size = out.groupby("team").size()
    out["team_size"] = out["team"].map(team_size).astype("float64")
    out["team_voluntary_rate_12m"] = (out["team"].map(left.groupby("team").size()).fillna(0) / out["team_size"]).astype(
        "float64"
    )
    for c in CATEGORICAL_FEATURES:
        out[c] = out[c].astype("str").where(out[c].notna(), None).astype("str")
    for c in NUMERIC_FEATURES:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out.index.name = "employee_id"
    return out[["center", "team", *FEATURES]]


def leaky_columns(hr: HRData, as_of: date, build=features_as_of) -> list[str]:
    """Columns whose values change when everything after ``as_of`` is removed: each one
    looked into the future. Empty for a correct feature builder."""
    full = build(hr, as_of)
    cut = build(hr.known_at(as_of), as_of)
    if not full.index.equals(cut.index):
        return ["<population>"]
    bad = []
    for c in full.columns:
        a, b = full[c], cut[c]
        same = (a.isna() & b.isna()) | (a == b)
        if not bool(same.all()):
            bad.append(c)
    return bad


def check_no_leakage(hr: HRData, as_of: date, build=features_as_of) -> None:
    bad = leaky_columns(hr, as_of, build)
    if bad:
        raise LeakageError(f"features use information after {as_of}: {', '.join(bad)}")


def labels(hr: HRData, people: pd.Index, as_of: date, horizon: int) -> pd.Series:
    """1 when the person's last day is a voluntary exit within ``horizon`` days after ``as_of``."""
    emp = hr.employees.set_index("employee_id").reindex(people)
    ts = pd.Timestamp(as_of)
    hit = (
        (emp["exit_type"] == "voluntary")
        & (emp["exit_date"] > ts)
        & (emp["exit_date"] <= ts + pd.Timedelta(days=horizon))
    )
    return hit.fillna(False).astype("int64")


def snapshot_months(hr: HRData, horizon: int) -> list[date]:
    """Month ends whose outcome over ``horizon`` days is fully observed. The months with
    appraisals when there are at least six of them; otherwise the last 24 months."""
    last = pd.Timestamp(hr.data_end) - pd.Timedelta(days=horizon)
    first_hire = hr.employees["hire_date"].min()
    if pd.isna(first_hire) or last < first_hire:
        return []
    ends = pd.date_range(first_hire + pd.offsets.MonthEnd(0), last, freq="ME")
    with_appraisals = [e for e in ends if len(hr.appraisals) and e >= hr.appraisals["known_on"].min()]
    chosen = with_appraisals if len(with_appraisals) >= 6 else list(ends[-24:])
    return [e.date() for e in chosen]


def panel(hr: HRData, months: list[date], horizon: int) -> pd.DataFrame:
    parts = []
    for m in months:
        f = features_as_of(hr, m)
        f["as_of"] = pd.Timestamp(m)
        f["left"] = labels(hr, f.index, m, horizon)
        parts.append(f.reset_index())
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# --- pipelines and metrics ------------------------------------------------------------------------


def make_pipeline(numeric: list[str], categorical: list[str], estimator=None) -> Pipeline:
    pre = ColumnTransformer(
        [
            (
                "num",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
                        ("scale", StandardScaler()),
                    ]
                ),
                list(numeric),
            ),
            (
                "cat",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                        (
                            "onehot",
                            OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, sparse_output=False),
                        ),
                    ]
                ),
                list(categorical),
            ),
        ],
        verbose_feature_names_out=True,
    )
    return Pipeline(
        [("prepare", pre), ("model", estimator if estimator is not None else LogisticRegression(C=0.3, max_iter=2000))]
    )


def precision_at(y, p, share: float = 0.10) -> float:
    """Share of leavers among the ``share`` of people with the highest scores (at least one)."""
    y, p = np.asarray(y), np.asarray(p)
    k = max(1, int(math.ceil(share * len(y))))
    top = np.argsort(-p, kind="stable")[:k]
    return float(y[top].mean())


def reliability(y, p, edges=RELIABILITY_EDGES) -> pd.DataFrame:
    """Predicted band against the rate that actually left."""
    df = pd.DataFrame({"y": np.asarray(y, dtype=float), "p": np.asarray(p, dtype=float)})
    df["band"] = pd.cut(df["p"], list(edges), include_lowest=True, right=False)
    out = (
        df.groupby("band", observed=False)
        .agg(people=("y", "size"), predicted=("p", "mean"), actual=("y", "mean"))
        .reset_index()
    )
    out["band"] = out["band"].astype("str")
    return out


def metrics(y, p) -> dict:
    y, p = np.asarray(y), np.asarray(p)
    both = len(np.unique(y)) == 2
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, p)) if both else None,
        "pr_auc": float(average_precision_score(y, p)) if both else None,
        "precision_at_10pct": precision_at(y, p, 0.10) if len(y) else None,
        "brier": float(brier_score_loss(y, p)) if len(y) else None,
        "base_rate": float(y.mean()) if len(y) else None,
    }


# A fairness group is shown only with at least this many different people: every role that
# opens the attrition page sees the table, and a group of one person observed in several
# month-end snapshots would show that person's flags (their risk) to roles that may not see
# risk scores, and to users whose scope does not include them.
FAIRNESS_MIN_PEOPLE = 5


def fairness_audit(flags, groups: pd.DataFrame, people=None) -> dict:
    """Flag rate per group of each protected column and the ratio of the lowest to the
    highest rate (four-fifths rule: below 0.8 needs a look). ``people`` names the person
    of each row (snapshots repeat a person); without it each row is a person. Groups of
    fewer than ``FAIRNESS_MIN_PEOPLE`` different people are left out; ``people`` in the
    result counts people, ``rows`` the rows."""
    flags = pd.Series(np.asarray(flags, dtype=bool), index=groups.index)
    who = pd.Series(np.arange(len(groups)) if people is None else np.asarray(people), index=groups.index)
    out = {}
    for col in groups.columns:
        g = groups[col]
        if col in ("birth_year", "age", "DOB") or (pd.api.types.is_numeric_dtype(g) and g.nunique() > 10):
            num = pd.to_numeric(g, errors="coerce")
            bins = pd.qcut(num, 3, duplicates="drop")
            # '(1976.999, 1993.0]' means 1977-1993 for whole numbers: say it that way
            whole = bool((num.dropna() == num.dropna().round()).all())
            g = bins.map(
                lambda b, whole=whole: (
                    f"{math.floor(b.left) + 1}–{math.floor(b.right)}" if whole else f"{b.left:.3g}–{b.right:.3g}"
                )
            )
            g = g.astype("str").where(num.notna(), "missing")
        g = g.astype("str").fillna("missing")
        rates = flags.groupby(g).agg(["size", "mean"])
        rates["people"] = who.groupby(g).nunique()
        rates = rates[rates["people"] >= FAIRNESS_MIN_PEOPLE]  # tiny groups: no stable rate, and a person shows
        hi = rates["mean"].max() if len(rates) else 0.0
        lo = rates["mean"].min() if len(rates) else 0.0
        ratio = float(lo / hi) if hi > 0 else None
        out[col] = {
            "groups": {
                str(k): {"people": int(v["people"]), "rows": int(v["size"]), "flag_rate": float(v["mean"])}
                for k, v in rates.iterrows()
            },
            "ratio": ratio,
            "passes_four_fifths": ratio is None or ratio >= 0.8,
        }
    return out


def _calibrate(pipe, X, y):
    """Platt scaling on the validation slice; isotonic once there are enough leavers."""
    method = "isotonic" if int(np.sum(y)) >= 60 else "sigmoid"
    cal = CalibratedClassifierCV(FrozenEstimator(pipe), method=method)
    cal.fit(X, y)
    return cal, method


def _split_months(months: list) -> tuple[list, list, list]:
    """Out of time: the earliest months train, the next calibrate, the latest test."""
    n = len(months)
    n_test = max(1, round(n * 0.25))
    n_cal = max(1, round(n * 0.20))
    n_train = n - n_test - n_cal
    if n_train < 1:
        raise ValueError(f"too few months with known outcomes to train and test out of time ({n})")
    return months[:n_train], months[n_train : n_train + n_cal], months[n_train + n_cal :]


# --- the model on the lake ------------------------------------------------------------------------


@dataclass
class AttritionModel:
    horizon: int
    pipeline: Pipeline  # the logistic model (its coefficients explain each score)
    calibrated: object  # calibrated probabilities
    meta: dict

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.calibrated.predict_proba(X[list(FEATURES)])[:, 1]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each feature's push on the log-odds against the average training person
        (coefficient × (value − training mean), summed over a feature's columns)."""
        pre = self.pipeline.named_steps["prepare"]
        Z = pre.transform(X[list(FEATURES)])
        names = pre.get_feature_names_out()
        coef = self.pipeline.named_steps["model"].coef_[0]
        centre = np.asarray(self.meta["transformed_means"])
        push = (Z - centre) * coef
        owner = [_owner(n) for n in names]
        df = pd.DataFrame(push, columns=names, index=X.index)
        return df.T.groupby(owner).sum().T


def _owner(transformed_name: str) -> str:
    """The input feature a transformed column comes from."""
    part = transformed_name.split("__", 1)[1]
    if part.startswith("missingindicator_"):
        return part.removeprefix("missingindicator_")
    for c in CATEGORICAL_FEATURES:
        if part.startswith(c + "_"):
            return c
    return part


def _baseline_rates(train: pd.DataFrame) -> dict:
    return train.groupby("tenure_band")["left"].mean().to_dict() | {"_all": float(train["left"].mean())}


def train(hr: HRData, horizon: int = 90) -> AttritionModel:
    """Fit on the earliest snapshot months, calibrate on the next, test on the latest."""
    months = snapshot_months(hr, horizon)
    tr_m, cal_m, te_m = _split_months(months)
    data = panel(hr, months, horizon)
    # Only people in the agent roles are modelled: leaders leave rarely and for other reasons.
    data = data[data["role"].isin(AGENT_ROLES)]
    part = {
        name: data[data["as_of"].isin(pd.to_datetime(ms))]
        for name, ms in (("train", tr_m), ("calibrate", cal_m), ("test", te_m))
    }
    if part["train"]["left"].nunique() < 2:
        raise ValueError("the training months hold no voluntary leaver; the model cannot learn")
    pipe = make_pipeline(list(NUMERIC_FEATURES), list(CATEGORICAL_FEATURES))
    pipe.fit(part["train"][list(FEATURES)], part["train"]["left"])
    cal, method = _calibrate(pipe, part["calibrate"][list(FEATURES)], part["calibrate"]["left"])
    test = part["test"]
    p_test = cal.predict_proba(test[list(FEATURES)])[:, 1]
    # Baseline: the training months' voluntary-exit rate per tenure band.
    rates = _baseline_rates(part["train"])
    p_base = test["tenure_band"].map(rates).fillna(rates["_all"]).to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imp = (
            permutation_importance(
                cal, test[list(FEATURES)], test["left"], scoring="roc_auc", n_repeats=3, random_state=0
            )
            if test["left"].nunique() == 2
            else None
        )
    importance = {f: float(v) for f, v in zip(FEATURES, imp.importances_mean)} if imp is not None else {}
    Z = pipe.named_steps["prepare"].transform(part["train"][list(FEATURES)])
    names = list(pipe.named_steps["prepare"].get_feature_names_out())
    coef = pipe.named_steps["model"].coef_[0]
    # Odds ratios per one standard deviation (numeric) or against the average (categories).
    odds = {n: float(math.exp(c)) for n, c in zip(names, coef)}
    threshold = float(np.quantile(p_test, 0.9)) if len(p_test) else 0.5
    meta = {
        "model_version": MODEL_VERSION,
        "horizon_days": horizon,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_version": hr.version,
        "data_end": str(hr.data_end),
        "protocol": "out-of-time: train on the earliest month ends, calibrate on the next, test on the latest",
        "months": {
            "train": [str(m) for m in tr_m],
            "calibrate": [str(m) for m in cal_m],
            "test": [str(m) for m in te_m],
        },
        "rows": {k: int(len(v)) for k, v in part.items()},
        "population": "employees in the agent roles (" + ", ".join(AGENT_ROLES) + ") at each month end",
        "target": f"voluntary exit within {horizon} days after the month end",
        "calibration": method,
        "model": "logistic regression (L2, C=0.3) on standardised features, calibrated on a later slice",
        "features": list(FEATURES),
        "excluded": list(PROTECTED),
        "metrics": metrics(test["left"], p_test),
        "baseline": metrics(test["left"], p_base),
        "baseline_name": "voluntary-exit rate of the training months per tenure band",
        "reliability": reliability(test["left"], p_test).to_dict("records"),
        "baseline_reliability": reliability(test["left"], p_base).to_dict("records"),
        "importance": importance,
        "odds_ratios": odds,
        "flag_threshold": threshold,
        "transformed_means": Z.mean(axis=0).tolist(),
    }
    emp = hr.employees.set_index("employee_id")
    prot = emp.reindex(test["employee_id"])[[c for c in PROTECTED if c in emp.columns]].reset_index(drop=True)
    meta["fairness"] = fairness_audit(p_test >= threshold, prot, test["employee_id"].to_numpy())
    return AttritionModel(horizon, pipe, cal, meta)


def _model_paths(root: Path, horizon: int) -> tuple[Path, Path]:
    folder = Path(root) / "_models"
    return folder / f"attrition_{horizon}d.joblib", folder / f"attrition_{horizon}d.json"


def get_model(lake: Lake, horizon: int = 90, hr: HRData | None = None, retrain: bool = False) -> AttritionModel:
    """The saved model when it was fitted on the same data (ledger batch ids), else a new one
    (saved with its metadata under ``<dataset>/_models/``)."""
    blob, card = _model_paths(lake.root, horizon)
    version = data_version(lake)
    if not retrain and blob.is_file() and card.is_file():
        try:
            meta = json.loads(card.read_text(encoding="utf-8"))
            if meta.get("data_version") == version and meta.get("model_version") == MODEL_VERSION:
                # The file is the app's own output in the dataset folder, trusted like the data.
                return joblib.load(blob)
        except Exception:  # a damaged or older file: fit again
            pass
    hr = hr or load_hr(lake)
    model = train(hr, horizon)
    blob.parent.mkdir(parents=True, exist_ok=True)
    tmp = blob.with_suffix(".tmp")
    joblib.dump(model, tmp)
    tmp.replace(blob)
    card.write_text(json.dumps(model.meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return model


def _band(p: float) -> str:
    for lo, hi, name in BANDS:
        if lo <= p < hi:
            return name
    return "high"


def people_in_scope(lake: Lake, scope: Scope, on: date | None = None) -> pd.Index:
    """Employee ids the scope may see, selected in SQL by ``access.scope_predicate`` on the
    person's center and the team held on ``on`` (the features' date; None: the team held
    now), from the same team periods as the HR figures (``workforce.TEAM_PERIODS_SQL``). The
    model's features are built over the whole organisation (team sizes, the promotion-stall
    threshold and the talent medians must not change with the viewer), and only these
    people leave the functions below."""
    from analytics.workforce import TEAM_PERIODS_SQL, held_on  # (the module's import lines are shared)

    pred, params = scope_predicate(scope, center="p.center", team="p.team")
    sql = (
        "SELECT DISTINCT employee_id FROM ("
        + TEAM_PERIODS_SQL
        + ") p WHERE (CASE WHEN $on::DATE IS NULL THEN p.valid_to IS NULL ELSE "
        + held_on("$on::DATE")
        + " END) AND "
        + pred
    )
    ids = lake.query(sql, {**params, "on": on})["employee_id"]
    return pd.Index(ids.astype("str"))


def _in_scope(df: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    return df[df.index.isin(ids)]


def scores(lake: Lake, scope: Scope, horizon: int = 90, top: int = 3, hr: HRData | None = None) -> pd.DataFrame:
    """Current agents in the scope with ``risk`` (probability of a voluntary exit within
    ``horizon`` days), ``band`` and ``drivers`` (the features pushing the score up most).
    Individual scores: the caller writes the view to the audit log."""
    scope.require("risk_scores")
    scope.require("individuals")
    hr = hr or load_hr(lake)
    model = get_model(lake, horizon, hr)
    X = features_as_of(hr, hr.data_end)
    X = _in_scope(X[X["role"].isin(AGENT_ROLES)], people_in_scope(lake, scope, hr.data_end))
    if X.empty:
        return pd.DataFrame(
            columns=["employee_id", "name", "center", "team", "role", "tenure_days", "risk", "band", "drivers"]
        )
    p = model.predict(X)
    push = model.contributions(X)
    drivers = [
        ", ".join(k for k, v in row.sort_values(ascending=False).head(top).items() if v > 0)
        for _, row in push.iterrows()
    ]
    names = hr.employees.set_index("employee_id")["name"]
    out = pd.DataFrame(
        {
            "employee_id": X.index,
            "name": names.reindex(X.index).astype("str").values,
            "center": X["center"].values,
            "team": X["team"].values,
            "role": X["role"].values,
            "tenure_days": X["tenure_days"].astype("int64").values,
            "risk": p,
            "band": [_band(v) for v in p],
            "drivers": drivers,
        }
    )
    return out.sort_values("risk", ascending=False, ignore_index=True)


def expected_leavers(risk: pd.DataFrame, by: str = "team", min_group: int = 1, z: float = 1.96) -> pd.DataFrame:
    """Expected voluntary leavers per group: the sum of the probabilities, with an interval
    from the normal approximation of the Poisson-binomial (variance Σ p(1 − p))."""
    g = risk.groupby(by)["risk"]
    out = pd.DataFrame({"people": g.size(), "expected": g.sum(), "var": g.apply(lambda p: float((p * (1 - p)).sum()))})
    sd = np.sqrt(out["var"])
    out["low"] = (out["expected"] - z * sd).clip(lower=0)
    out["high"] = np.minimum(out["expected"] + z * sd, out["people"])
    out = out[out["people"] >= min_group].drop(columns="var").reset_index()
    return out.sort_values("expected", ascending=False, ignore_index=True)


def expected_leavers_for_scope(
    lake: Lake, scope: Scope, horizon: int = 90, by: str = "team", hr: HRData | None = None
) -> pd.DataFrame:
    """Aggregate expected leavers (no individual scores leave this function), for roles
    that see HR aggregates; groups smaller than ``scope.min_group`` are left out."""
    scope.require("hr")
    hr = hr or load_hr(lake)
    model = get_model(lake, horizon, hr)
    X = features_as_of(hr, hr.data_end)
    X = _in_scope(X[X["role"].isin(AGENT_ROLES)], people_in_scope(lake, scope, hr.data_end))
    risk = pd.DataFrame({by: X[by].values, "risk": model.predict(X) if len(X) else []})
    return expected_leavers(risk, by, scope.min_group)


# --- talent matrix ----------------------------------------------------------------------------------

TALENT_TYPES = ("I", "II", "III", "IV")


def talent_matrix(lake: Lake, scope: Scope, hr: HRData | None = None) -> pd.DataFrame:
    """Current agents placed by enthusiasm (engagement survey, last 3 months) × ability
    (appraisal score, last 3 months), split at the medians: I high/high, II low
    enthusiasm / high ability, III high enthusiasm / low ability, IV low/low."""
    scope.require("individuals")
    scope.require("hr")
    hr = hr or load_hr(lake)
    X = features_as_of(hr, hr.data_end)
    X = X[X["role"].isin(AGENT_ROLES)].dropna(subset=["engagement_3m", "appraisal_score_3m"])
    # The split is at the organisation's medians, so the same person lands in the same box for every viewer.
    e_mid, a_mid = X["engagement_3m"].median(), X["appraisal_score_3m"].median()
    X = _in_scope(X, people_in_scope(lake, scope, hr.data_end))
    high_e, high_a = X["engagement_3m"] >= e_mid, X["appraisal_score_3m"] >= a_mid
    kind = np.select([high_e & high_a, ~high_e & high_a, high_e & ~high_a], ["I", "II", "III"], "IV")
    names = hr.employees.set_index("employee_id")["name"]
    return pd.DataFrame(
        {
            "employee_id": X.index,
            "name": names.reindex(X.index).astype("str").values,
            "team": X["team"].values,
            "enthusiasm": X["engagement_3m"].values,
            "ability": X["appraisal_score_3m"].values,
            "talent_type": kind,
            "enthusiasm_split": e_mid,
            "ability_split": a_mid,
        }
    ).reset_index(drop=True)


# --- survival: hazard ratios on time-varying episodes -------------------------------------------------
# Retention curves and the Cox fit live in analytics.survival (delayed entry, role and team
# as held at the time); here are the drivers the HR page compares with the demo's.


def survival_covariates(hr: HRData, ep: pd.DataFrame) -> pd.DataFrame:
    """Covariates per episode (``analytics.survival.episodes``) for the Cox model, named
    like the drivers of the demo's ``ATTRITION_DRIVERS`` so the two can be compared.
    Person attributes come from the HR master; team attributes (occupancy, how leaky)
    follow the team held in the episode, and ``senior_role`` the role held then."""
    emp = hr.employees.set_index("employee_id").reindex(ep["employee_id"])
    eng = hr.appraisals.groupby("employee_id")["engagement"].mean().reindex(ep["employee_id"])
    # Team occupancy over the months the activity covers, by the person's team at the time
    # of each month (the activity rows are per person; the episode says which team then).
    occ_people = hr.activity.groupby("employee_id")[["staffed_s", "handling_s"]].sum()
    last_team = ep.sort_values("stop").groupby("employee_id")["team"].last()
    team_occ = occ_people.join(last_team.rename("team")).groupby("team")[["staffed_s", "handling_s"]].sum()
    team_occ = (team_occ["handling_s"] / team_occ["staffed_s"]).where(team_occ["staffed_s"] > 0)
    occ = ep["team"].map(team_occ)
    # How leaky a team is: voluntary exits per year of time spent in it.
    years = (ep["stop"] - ep["start"]).groupby(ep["team"]).sum() / 365.25
    team_vol = ep.groupby("team")["left_voluntary"].sum() / years.where(years > 0)
    leaky = team_vol >= team_vol.quantile(0.85)
    X = pd.DataFrame(
        {
            "pay_band_low": (emp["pay_band"] == 1).to_numpy(dtype=float),
            "shift_rotating": (emp["shift_pattern"] == "rotating").to_numpy(dtype=float),
            "shift_split": (emp["shift_pattern"] == "split").to_numpy(dtype=float),
            "long_commute": (emp["commute_km"] > 25).to_numpy(dtype=float),
            "low_engagement": (eng < 3.0).to_numpy(dtype=float),
            "high_occupancy": (occ > occ.median()).to_numpy(dtype=float),
            "leaky_team": ep["team"].map(leaky).fillna(False).to_numpy(dtype=float),
            "senior_role": (ep["role"] == "senior_csr").to_numpy(dtype=float),
        },
        index=ep.index,
    )
    return X


def hazard_ratios(
    ep: pd.DataFrame, X: pd.DataFrame, event: str = "left_voluntary", alpha: float = 0.01
) -> pd.DataFrame:
    """Cox proportional-hazards ratios on the (start, stop] episodes (delayed entry and
    time-varying covariates), with a small ridge penalty ``alpha`` that keeps rare
    covariates finite: ``driver``, ``hazard_ratio``, its 95 % interval ``low`` - ``high``
    and ``share`` (the share of time at risk with the driver present). The concordance
    on its own data is in ``attrs``."""
    from analytics import survival

    fit = survival.cox(ep["start"], ep["stop"], ep[event], X, alpha=alpha)
    out = fit.table()
    time_at_risk = (ep["stop"] - ep["start"]).to_numpy(dtype=float)
    out["share"] = [float((X[c].to_numpy() * time_at_risk).sum() / time_at_risk.sum()) for c in out["driver"]]
    out = out[["driver", "hazard_ratio", "low", "high", "share"]]
    out.attrs["concordance"] = fit.concordance
    return out.sort_values("hazard_ratio", ascending=False, ignore_index=True)


# --- bring your own HR export ------------------------------------------------------------------------


def read_table(path: Path) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    return read_text(path.read_bytes(), str(path))


def read_text(raw: bytes, name: str = "the file") -> pd.DataFrame:
    """A CSV export as a table, in whichever of UTF-8, GB18030 or Latin-1 it was written."""
    import io

    for enc in ("utf-8-sig", "gb18030", "latin-1"):
        try:
            return pd.read_csv(io.BytesIO(raw), encoding=enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"cannot read {name} as text")


def _target_values(col: pd.Series, positive) -> np.ndarray:
    if positive is not None:
        return (col.astype("str").str.strip() == str(positive)).to_numpy(dtype=int)
    values = set(col.dropna().unique())
    if values <= {0, 1}:
        return col.fillna(0).astype(int).to_numpy()
    raise ValueError(f"target has values {sorted(map(str, values))[:5]}...; name the leaving one with --positive")


def evaluate_table(
    df: pd.DataFrame,
    target: str,
    positive=None,
    id_col: str | None = None,
    date_col: str | None = None,
    exclude=(),
    protected=(),
    folds: int = 5,
    seed: int = 0,
) -> dict:
    """Train and validate on any employee table. Numeric and text columns are prepared by
    a ColumnTransformer; protected columns feed only the fairness audit. Out of time
    (latest 25 % by ``date_col`` for testing) when a date column is given, else stratified
    ``folds``-fold cross-validation. Beside the model, a tuned logistic regression on the
    same folds is the reference it must match."""
    for c in [target, id_col, date_col, *exclude, *protected]:
        if c is not None and c not in df.columns:
            raise ValueError(f"no column {c!r} in the table (columns: {', '.join(map(str, df.columns[:30]))})")
    df = df[df[target].notna()].reset_index(drop=True)
    y = _target_values(df[target], positive)
    if len(np.unique(y)) < 2:
        raise ValueError(f"target {target!r} has a single class; nothing to learn")
    protected = [c for c in dict.fromkeys([*protected, *[c for c in PROTECTED if c in df.columns]])]
    dropped = {target, *(c for c in (id_col, date_col) if c), *exclude, *protected}
    X = df[[c for c in df.columns if c not in dropped]].copy()
    numeric, categorical, ignored = [], [], []
    for c in X.columns:
        s = X[c]
        if pd.api.types.is_bool_dtype(s):
            X[c] = s.astype(float)
            numeric.append(c)
        elif pd.api.types.is_numeric_dtype(s):
            numeric.append(c)
        else:
            s = s.astype("str").where(s.notna(), None).astype("str")
            # Free text or identifiers (almost one value per row) carry no pattern to learn.
            if s.nunique() > max(50, 0.5 * len(s)):
                ignored.append(c)
                continue
            X[c] = s
            categorical.append(c)
    X = X[numeric + categorical]
    if X.shape[1] == 0:
        raise ValueError("no usable feature columns left after the exclusions")

    def model():
        # L2 logistic regression at the default strength: on both public tables it matched or
        # beat a strength tuned by inner cross-validation (which overfits the inner folds).
        return make_pipeline(numeric, categorical, LogisticRegression(C=1.0, max_iter=3000))

    def reference():
        # The well-regularised reference, fitted on the same folds, so any lift is visible.
        return make_pipeline(numeric, categorical, LogisticRegression(C=1.0, max_iter=3000))

    p_model, p_ref = np.zeros(len(y)), np.zeros(len(y))
    if date_col:
        when = pd.to_datetime(df[date_col], errors="coerce")
        if when.isna().all():
            raise ValueError(f"--date column {date_col!r} holds no dates")
        cut = when.quantile(0.75)
        test = (when > cut).to_numpy()
        splits = [(np.where(~test)[0], np.where(test)[0])]
        protocol = f"out-of-time: trained on rows dated up to {cut.date()}, tested on later rows"
    else:
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))
        protocol = f"stratified {folds}-fold cross-validation"
    for tr, te in splits:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipe = model().fit(X.iloc[tr], y[tr])
            ref = reference().fit(X.iloc[tr], y[tr])
        p_model[te] = pipe.predict_proba(X.iloc[te])[:, 1]
        p_ref[te] = ref.predict_proba(X.iloc[te])[:, 1]
    test_idx = np.concatenate([te for _, te in splits])
    res = metrics(y[test_idx], p_model[test_idx])
    ref_metrics = metrics(y[test_idx], p_ref[test_idx])
    # The final pipeline on all rows: its feature names prove what the model saw.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        final = model().fit(X, y)
    threshold = float(np.quantile(p_model[test_idx], 0.9))
    audit = fairness_audit(p_model[test_idx] >= threshold, df.loc[test_idx, protected]) if protected else {}
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "protocol": protocol,
        "test_rows": int(len(test_idx)),
        **{k: res[k] for k in ("roc_auc", "pr_auc", "brier", "precision_at_10pct")},
        "model": "L2 logistic regression (C=1) on standardised numbers and one-hot text",
        "reference_logistic_regression": {
            k: ref_metrics[k] for k in ("roc_auc", "pr_auc", "brier", "precision_at_10pct")
        },
        "features_used": numeric + categorical,
        "ignored_text_columns": ignored,
        "excluded": sorted(c for c in dropped if c != target),
        "protected": protected,
        "model_inputs": [str(n) for n in final.named_steps["prepare"].get_feature_names_out()],
        "flag_threshold": threshold,
        "fairness": audit,
    }
