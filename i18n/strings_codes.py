"""The catalogue of codes a person can see: ``code.<kind>.<code>`` -> zh / en label,
looked up by ``i18n.code_label(kind, code, lang)``; and the column headers (``col.<name>``)
of the tables that had none.

Kinds: role (job roles of the career ladder), access_role (sign-in roles), exit_type,
exit_reason, event_type, move, complaint_level, channel, complaint_category, cause,
age_band, category (call category), direction, grain, shift_pattern, education,
tenure_band, gender, marital_status, feature (attrition model features and Cox
drivers), fairness (protected attributes and their groups), model_metric, audit_action,
qa_grade, step and table (the demo generator's progress steps). Units are not codes
here: the metric registry's unit formatter names them.

Where an area file already holds a label under its own key (careers' role ladder,
complaints' levels and channels, the sign-in roles), the ``code.*`` entry reuses that
entry instead of repeating the text, so each label is written once.
"""

import re

from i18n.strings_access import STRINGS as _ACCESS
from i18n.strings_careers import ROLE_NAMES
from i18n.strings_careers import STRINGS as _CAREERS
from i18n.strings_complaints import STRINGS as _COMPLAINTS
from i18n.strings_core import STRINGS as _CORE


def _alias(kind: str, source: dict, prefix: str) -> dict:
    """``code.<kind>.<x>`` for every ``<prefix><x>`` entry of an area file."""
    return {f"code.{kind}.{k[len(prefix) :]}": v for k, v in source.items() if k.startswith(prefix)}


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "exit_type": {"voluntary": ("主动离职", "Voluntary"), "involuntary": ("被动离职", "Involuntary")},
    "exit_reason": {
        "pay": ("薪酬", "Pay"),
        "schedule": ("排班", "Schedule"),
        "misconduct": ("违纪", "Misconduct"),
        "relocation": ("搬迁", "Relocation"),
        "study": ("继续学习", "Study"),
        "no_promotion": ("缺少晋升机会", "No promotion path"),
        "personal": ("个人原因", "Personal"),
        "workload": ("工作量", "Workload"),
        "performance": ("绩效", "Performance"),
        "leader": ("与班组长相处", "Team leader"),
        "commute": ("通勤", "Commute"),
        "probation_failed": ("试用期未通过", "Failed probation"),
        "other": ("其他", "Other"),
    },
    "event_type": {
        "hire": ("入职", "Hire"),
        "promotion": ("晋升", "Promotion"),
        "lateral_move": ("横向调动", "Lateral move"),
        "demotion": ("降级", "Demotion"),
        "star_change": ("星级变动", "Star-level change"),
        "team_change": ("调组", "Team change"),
        "exit": ("离职", "Exit"),
    },
    "direction": {"inbound": ("呼入", "Inbound"), "outbound": ("外呼", "Outbound")},
    "shift_pattern": {
        "day": ("常日班", "Day shift"),
        "rotating": ("轮班", "Rotating shifts"),
        "split": ("两头班", "Split shifts"),
    },
    "education": {
        "high_school": ("高中", "High school"),
        "vocational": ("中专 / 职高", "Vocational school"),
        "associate": ("大专", "Associate degree"),
        "bachelor": ("本科", "Bachelor's degree"),
        "master": ("硕士", "Master's degree"),
    },
    "tenure_band": {
        "0-90d": ("入职 90 天内", "First 90 days"),
        "90-365d": ("90 天至 1 年", "90 days to 1 year"),
        "1-3y": ("1-3 年", "1-3 years"),
        "3y+": ("3 年以上", "Over 3 years"),
    },
    "gender": {"female": ("女", "Female"), "male": ("男", "Male")},
    "marital_status": {"single": ("未婚", "Single"), "married": ("已婚", "Married"), "divorced": ("离异", "Divorced")},
    # The attrition model's inputs (analytics.attrition.FEATURES) and the Cox model's
    # drivers (analytics.attrition.survival_covariates).
    "feature": {
        "tenure_days": ("司龄（天）", "Tenure (days)"),
        "days_in_role": ("在岗天数", "Days in role"),
        "star_level": ("星级", "Star level"),
        "pay_band": ("薪级", "Pay band"),
        "commute_km": ("通勤距离（公里）", "Commute (km)"),
        "stalled_promotion": ("晋升停滞", "Stalled promotion"),
        "engagement_last": ("最近一次敬业度", "Latest engagement score"),
        "engagement_3m": ("近 3 个月敬业度", "Engagement, last 3 months"),
        "engagement_drop": ("敬业度下降", "Drop in engagement"),
        "appraisal_score_3m": ("近 3 个月考核得分", "Appraisal score, last 3 months"),
        "attendance_3m": ("近 3 个月出勤率", "Attendance, last 3 months"),
        "late_3m": ("近 3 个月迟到次数", "Late arrivals, last 3 months"),
        "valid_complaints_3m": ("近 3 个月有效投诉", "Valid complaints, last 3 months"),
        "occupancy_3m": ("近 3 个月占用率", "Occupancy, last 3 months"),
        "team_occupancy_3m": ("班组近 3 个月占用率", "Team occupancy, last 3 months"),
        "team_voluntary_rate_12m": ("班组近 12 个月主动离职率", "Team voluntary exit rate, last 12 months"),
        "team_size": ("班组人数", "Team size"),
        "tenure_band": ("司龄段", "Tenure band"),
        "role": ("岗位", "Role"),
        "shift_pattern": ("班次", "Shift pattern"),
        "education": ("学历", "Education"),
        "pay_band_low": ("最低薪级", "Lowest pay band"),
        "shift_rotating": ("轮班", "Rotating shifts"),
        "shift_split": ("两头班", "Split shifts"),
        "long_commute": ("通勤超过 25 公里", "Commute over 25 km"),
        "low_engagement": ("敬业度低于 3 分", "Engagement below 3"),
        "high_occupancy": ("班组占用率高于中位数", "Team occupancy above the median"),
        "leaky_team": ("主动离职率最高的 15% 班组", "Team in the leakiest 15 %"),
    },
    # Protected attributes (schema.PROTECTED_COLUMNS) and their groups, for the fairness
    # audit only; birth-year bins are written by ui.tables.fairness_group_label.
    "fairness": {
        "gender": ("性别", "Gender"),
        "birth_year": ("出生年份", "Birth year"),
        "marital_status": ("婚姻状况", "Marital status"),
        "age": ("年龄", "Age"),
        "female": ("女", "Female"),
        "male": ("男", "Male"),
        "single": ("未婚", "Single"),
        "married": ("已婚", "Married"),
        "divorced": ("离异", "Divorced"),
        "missing": ("未填写", "Not given"),
    },
    "model_metric": {
        "roc_auc": ("ROC 曲线下面积（AUC）", "ROC AUC"),
        "pr_auc": ("PR 曲线下面积", "PR AUC"),
        "precision_at_10pct": ("风险最高 10% 的精确率", "Precision in the top 10 %"),
        "brier": ("Brier 分数（越低越好）", "Brier score (lower is better)"),
        "base_rate": ("实际离职率", "Actual leaver rate"),
        "n": ("人数", "People"),
        "positives": ("实际离职人数", "Leavers"),
    },
    "audit_action": {
        "sign_in": ("登录", "Sign-in"),
        "sign_in_failed": ("登录失败", "Failed sign-in"),
        "sign_out": ("退出登录", "Sign-out"),
        "view_risk_scores": ("查看风险分数", "Viewed risk scores"),
        "view_hr_records": ("查看人事记录", "Viewed HR records"),
        "export": ("导出下载", "Export"),
        "import": ("导入", "Import"),
        "change_targets": ("修改目标", "Changed targets"),
        "change_users": ("修改用户", "Changed users"),
        "change_settings": ("修改设置", "Changed settings"),
    },
    "qa_grade": {"good": ("良好", "Good"), "medium": ("中等", "Medium"), "poor": ("较差", "Poor")},
    # The demo generator's progress steps (analytics/demo), shown while the first demo builds.
    "step": {
        "simulating careers": ("模拟职业发展", "simulating careers"),
        "building rosters": ("生成排班", "building rosters"),
        "simulating calls": ("模拟通话", "simulating calls"),
        "building tables": ("生成数据表", "building tables"),
        "agent intervals": ("座席时段数据", "agent intervals"),
        "quality, complaints, appraisals": ("质检、投诉、考核", "quality, complaints, appraisals"),
        "writing": ("写入", "writing"),
        "rollups": ("汇总", "rollups"),
        "done": ("完成", "done"),
        "region": ("区域", "region"),
        "written": ("已写入", "written"),
    },
    "table": {
        "centers": ("中心", "centers"),
        "queues": ("队列", "queues"),
        "calls": ("通话", "calls"),
        "agent_intervals": ("座席时段", "agent intervals"),
        "employees": ("员工", "employees"),
        "role_events": ("岗位变动", "role events"),
        "appraisals": ("月度考核", "appraisals"),
        "complaints": ("投诉", "complaints"),
        "qa_evaluations": ("质检评分", "QA evaluations"),
        "targets": ("目标", "targets"),
    },
}

# Column headers of tables on the pages that had no catalogue entry.
_COLUMNS: dict[str, tuple[str, str]] = {
    "answered": ("接通量", "Answered"),
    "abandoned": ("放弃量", "Abandoned"),
    "level": ("级别", "Level"),
    "channel": ("渠道", "Channel"),
    "cause": ("原因", "Cause"),
    "share": ("占比（%）", "Share (%)"),
    "complaints": ("投诉量", "Complaints"),
    "sl_change": ("服务水平环比", "SL vs last month"),
    "ar_change": ("接通率环比", "Answer rate vs last month"),
    "direction": ("方向", "Direction"),
    "exit_type": ("离职类型", "Exit type"),
    "exit_reason": ("离职原因", "Reason"),
    "leavers": ("离职人数", "Leavers"),
    "driver": ("因素", "Driver"),
    "hazard_ratio": ("风险比", "Hazard ratio"),
    "employee_id": ("工号", "Employee id"),
    "matrix_from_role": ("原岗位 → 一年后去向（%）", "From role → a year later (%)"),
}

# Axis titles of the shared charts (ui/charts.py).
_CHART_AXES: dict[str, tuple[str, str]] = {
    "chart.hour_local": ("时刻（当地时间，时）", "Hour of day (local time)"),
    "chart.time_local": ("时间（当地时间）", "Time (local)"),
    "chart.calls_or_agents": ("呼叫数 / 座席数", "Calls / agents"),
    "chart.people": ("人数", "People"),
    "chart.complaints": ("投诉量（件）", "Complaints"),
    "chart.cause": ("投诉原因", "Cause"),
    "chart.age": ("已等待（工作日）", "Age (working days)"),
    "chart.queue": ("队列", "Queue"),
    "chart.rate": ("比率 (%)", "Rate (%)"),
    "unit.pp": ("百分点", "pp"),
    "chart.per_agent_day": ("通 / 人天", "calls"),  # en: the label says per agent-day already
    "chart.to_role": ("一年后的岗位", "Role a year later"),
    # Not axes: the two lines of ui.charts.team_lines when the teams are too many to name.
    "chart.team_lines.each": ("各班组", "Each team"),
    "chart.team_lines.median": ("班组中位数", "Median team"),
}

STRINGS: dict[str, dict[str, str]] = {
    f"code.{kind}.{code}": {"zh": zh, "en": en} for kind, labels in _LABELS.items() for code, (zh, en) in labels.items()
}
STRINGS.update({k: {"zh": zh, "en": en} for k, (zh, en) in _CHART_AXES.items()})
STRINGS.update({f"col.{name}": {"zh": zh, "en": en} for name, (zh, en) in _COLUMNS.items()})
STRINGS.update({f"code.role.{r}": {"zh": zh, "en": en} for r, (zh, en) in ROLE_NAMES.items()})
STRINGS.update(_alias("access_role", _ACCESS, "role."))
STRINGS.update(_alias("move", _CAREERS, "car.move."))
STRINGS.update(_alias("complaint_level", _COMPLAINTS, "cmp.level."))
STRINGS.update(_alias("channel", _COMPLAINTS, "cmp.channel."))
STRINGS.update(_alias("complaint_category", _COMPLAINTS, "cmp.category."))
STRINGS.update(_alias("cause", _COMPLAINTS, "cmp.cause."))
STRINGS.update(_alias("age_band", _COMPLAINTS, "cmp.age."))
STRINGS.update(_alias("category", _CORE, "category."))
STRINGS.update(_alias("grain", _CORE, "grain."))


_REGION_STEP = re.compile(r"^region (\d+)/(\d+)(?:: (.*)| (written))$")


def step_label(message: str, lang: str) -> str:
    """A demo-generator progress message ("simulating calls", "writing employees",
    "rollups 2026-07", "region 2/8: simulating calls") in ``lang``; an unknown step
    comes back as it is (it is progress text, never data)."""
    from i18n import code_label

    m = _REGION_STEP.match(message)
    if m:
        rest = step_label(m.group(3), lang) if m.group(3) else code_label("step", "written", lang)
        return f"{code_label('step', 'region', lang)} {m.group(1)}/{m.group(2)}: {rest}"
    head, _, tail = message.partition(" ")
    if head == "writing" and tail:
        return f"{code_label('step', 'writing', lang)} {code_label('table', tail, lang)}"
    if head == "rollups" and tail:
        return f"{code_label('step', 'rollups', lang)} {tail}"
    return code_label("step", message, lang)
