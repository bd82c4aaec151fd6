"""Strings of the attrition page."""

STRINGS = {
    "page.attrition": {"zh": "流失风险", "en": "Attrition risk"},
    "att.title": {"zh": "流失风险", "en": "Attrition risk"},
    "att.question": {"zh": "谁可能离职？为什么？会走多少人？", "en": "Who is likely to leave, why, and how many?"},
    "att.decision_support": {
        "zh": "风险分数用于支持与员工的沟通，绝不用于自动决策。性别、年龄、婚姻状况等受保护属性从不作为模型特征，仅用于公平性审计。",
        "en": "Scores support a conversation with the person, never an automated decision. Gender, age, marital status and other protected attributes are never model features; they serve only the fairness audit.",
    },
    "att.no_hr": {"zh": "您的角色无权查看人事数据。", "en": "Your role may not see HR data."},
    "att.turnover": {"zh": "近 12 个月流失率", "en": "Turnover, last 12 months"},
    "att.by": {"zh": "分组", "en": "Break down by"},
    "att.by.center": {"zh": "中心", "en": "Center"},
    "att.by.team": {"zh": "班组", "en": "Team"},
    "att.by.role": {"zh": "岗位", "en": "Role"},
    "att.by.team_leader": {"zh": "班组长", "en": "Team leader"},
    "att.by.tenure_band": {"zh": "司龄段", "en": "Tenure band"},
    "att.by.hire_cohort": {"zh": "入职年份", "en": "Hire cohort"},
    "att.turnover.top": {
        "zh": "图中为年化流失率最高的 {n} 个{group}（共 {total} 个）；表格列出全部。",
        "en": "The chart shows the {n} with the highest annualised turnover (of {total}, by {group}); "
        "the table lists them all.",
    },
    "att.turnover.caption": {
        "zh": "年化流失率 = 离职人数 ÷ 平均在职人数 × 365 ÷ 天数。班组按当时所属：离职算离职当天所在班组，"
        "期初、期末人数算当天所在班组；净调入 = 调入 − 调出。",
        "en": "Annualised turnover = leavers / average headcount × 365 / days. Teams as held at the time: "
        "a leaver counts to the team of their last day, opening and closing headcount to the team held "
        "that day; net transfers = moves in − moves out.",
    },
    "att.turnover.suppressed": {"zh": "少于 {n} 人的组不显示。", "en": "Groups under {n} people are not shown."},
    "att.reasons": {"zh": "离职原因", "en": "Reasons for leaving"},
    "att.retention": {
        "zh": "留存曲线（乘积极限估计，计入延迟进入）",
        "en": "Retention curves (product-limit, with delayed entry)",
    },
    "att.retention.caption": {
        "zh": "纵轴为仍在职的比例；虚线为入职 90 天和 365 天。人事记录开始前入职的人，从记录开始之日按当时的司龄进入风险集；每段时间计入当时所在的岗位和班组，离职计入最后所在的岗位和班组。",
        "en": "Share still employed; dotted lines at 90 and 365 days. People hired before the HR "
        "records begin enter the risk set on that day, at the tenure they had then; each "
        "stretch of time counts toward the role and team held then, and an exit toward "
        "the last role and team.",
    },
    "att.days": {"zh": "入职天数", "en": "Days since hire"},
    "att.retained": {"zh": "留存比例", "en": "Share retained"},
    "att.first90": {"zh": "入职 90 天留存率", "en": "Retained at 90 days"},
    "att.hazard": {"zh": "风险比（Cox 比例风险模型）", "en": "Hazard ratios (Cox proportional hazards)"},
    "att.hazard.caption": {
        "zh": "座席岗位的主动离职；大于 1 表示离职更快，区间为 95% 置信区间；班组因素和岗位按当时所在的班组和岗位计；计入延迟进入（Cox 计数过程）。一致性指数 {c}。",
        "en": "Agents' voluntary exits. Above 1 means people leave sooner; the interval is 95 %. "
        "Team drivers and the role follow the team and role held at the time; delayed entry "
        "counts (Cox, counting process). Concordance {c}.",
    },
    "att.hazard.too_few": {
        "zh": "主动离职太少，无法估计风险比。",
        "en": "Too few voluntary exits to estimate hazard ratios.",
    },
    "att.model": {"zh": "模型表现（时间外检验）", "en": "Model performance (out-of-time test)"},
    "att.horizon": {"zh": "预测期", "en": "Horizon"},
    "att.horizon.days": {"zh": "{d} 天", "en": "{d} days"},
    "att.metric": {"zh": "指标", "en": "Metric"},
    "att.model_col": {"zh": "模型", "en": "Model"},
    "att.baseline_col": {"zh": "基线（按司龄段的历史离职率）", "en": "Baseline (past rate per tenure band)"},
    "att.reliability": {"zh": "校准：预测区间与实际离职率", "en": "Calibration: predicted band vs actual rate"},
    "att.importance": {"zh": "全局驱动因素（置换重要性）", "en": "Global drivers (permutation importance)"},
    "att.risk_list": {"zh": "风险名单", "en": "Risk list"},
    "att.risk_list.caption": {"zh": "每次查看都会记入审计日志。", "en": "Every view is written to the audit log."},
    "att.no_scores": {"zh": "您的角色无权查看个人风险分数。", "en": "Your role may not see individual risk scores."},
    "att.expected": {"zh": "未来 90 天预计离职人数（按班组）", "en": "Expected leavers in the next 90 days per team"},
    "att.expected.caption": {
        "zh": "预计 = 各人概率之和；区间为 95% 正态近似。单人替换成本 {cost}，预计成本合计 {total}。",
        "en": "Expected = sum of the probabilities; interval: 95 % normal approximation. Replacement cost per leaver {cost}; expected total {total}.",
    },
    "att.cost": {"zh": "单人替换成本（招聘+培训，元）", "en": "Replacement cost per leaver (hiring + training, CNY)"},
    "att.talent": {"zh": "人才矩阵（意愿 × 能力）", "en": "Talent matrix (enthusiasm × ability)"},
    "att.talent.caption": {
        "zh": "意愿 = 近 3 个月敬业度调查；能力 = 近 3 个月考核得分；以中位数划分。",
        "en": "Enthusiasm = engagement survey, last 3 months; ability = appraisal score, last 3 months; split at the medians.",
    },
    "att.talent.I": {"zh": "I 类 高意愿高能力：委以重任", "en": "I high/high: give responsibility"},
    "att.talent.II": {
        "zh": "II 类 低意愿高能力：激励或放手",
        "en": "II low enthusiasm, high ability: engage or let go",
    },
    "att.talent.III": {"zh": "III 类 高意愿低能力：培训", "en": "III high enthusiasm, low ability: train"},
    "att.talent.IV": {"zh": "IV 类 低意愿低能力：有限投入", "en": "IV low/low: limited investment"},
    "att.fairness": {"zh": "公平性审计（标记率，五分之四规则）", "en": "Fairness audit (flag rates, four-fifths rule)"},
    "att.fairness.caption": {
        "zh": "阈值：测试期风险最高的 10%（{thr}）。比值低于 0.8 需要复核。不足 {n} 人的组不显示（同一人的多个月末快照只算一人）。",
        "en": "Threshold: the top 10 % of the test period ({thr}). A ratio below 0.8 needs a look. "
        "Groups of fewer than {n} people are not shown (a person's month-end snapshots count once).",
    },
    "att.card": {"zh": "模型卡", "en": "Model card"},
    "att.empty": {"zh": "数据不足，无法训练模型：{why}", "en": "Not enough data to train the model: {why}"},
    "att.col.group": {"zh": "组", "en": "Group"},
    "att.col.people": {"zh": "人数", "en": "People"},
    "att.col.transfers_net": {"zh": "净调入（人）", "en": "Net transfers in (people)"},
    "att.col.flag_rate": {"zh": "标记率", "en": "Flag rate"},
    "att.col.ratio": {"zh": "最低/最高", "en": "Lowest / highest"},
    "att.window": {
        "zh": "人事记录覆盖 {start} 至 {end}（起始日{how}）。此前入职的人从 {start} 起计入留存曲线。",
        "en": "HR records cover {start} to {end} (start {how}). People hired earlier enter the retention "
        "curves on {start}.",
    },
    "att.window.declared": {"zh": "由数据集声明", "en": "declared by the dataset"},
    "att.window.inferred": {"zh": "按最早的离职记录推断", "en": "inferred from the earliest recorded exit"},
    "att.turnover.axis": {"zh": "年化流失率", "en": "Annualised turnover"},
    "att.ret.by.all": {"zh": "全体", "en": "Everyone"},
    "att.ret.by.cohort": {"zh": "入职年份", "en": "Hire year"},
    "att.ret.by.team": {"zh": "班组（当时）", "en": "Team (at the time)"},
    "att.ret.by.role": {"zh": "岗位（当时）", "en": "Role (at the time)"},
    "att.ret.by.center": {"zh": "中心", "en": "Center"},
    "att.ret.all": {"zh": "全体", "en": "Everyone"},
    "att.ret.event": {"zh": "离职类型", "en": "Exits counted"},
    "att.ret.event.any": {"zh": "全部离职", "en": "Any exit"},
    "att.ret.event.voluntary": {"zh": "仅主动离职", "en": "Voluntary only"},
    "att.ret.table.caption": {
        "zh": "留存率 = 入职满该天数时仍在职的估计比例；风险人数 = 该司龄当天仍在观察中的人数。只能查看汇总数据的角色看不到风险人数过少的格子。",
        "en": "Retention = estimated share still employed at that many days of tenure; at risk "
        "= people observed at that tenure. Cells with too few people at risk are left out "
        "for aggregate-only roles.",
    },
    "att.importance.axis": {"zh": "打乱该因素后 AUC 的下降", "en": "Drop in AUC when the driver is shuffled"},
    "att.expected.axis": {"zh": "预计离职（人）", "en": "Expected leavers (people)"},
    "att.talent.ability": {"zh": "能力（近 3 个月考核得分）", "en": "Ability (appraisal score, last 3 months)"},
    "att.talent.enthusiasm": {"zh": "意愿（近 3 个月敬业度）", "en": "Enthusiasm (engagement, last 3 months)"},
    "att.band.low": {"zh": "低", "en": "Low"},
    "att.band.medium": {"zh": "中", "en": "Medium"},
    "att.band.high": {"zh": "高", "en": "High"},
    "att.calibration.isotonic": {"zh": "保序回归", "en": "isotonic regression"},
    "att.calibration.sigmoid": {"zh": "Platt 缩放", "en": "Platt scaling"},
    "att.card.text": {
        "zh": "数据截至 {end}；目标：月末后 {h} 天内主动离职；人群：每个月末在岗的座席（{roles}）；方案：时间外检验，最早的月末训练、其后校准、最新的测试；训练月份 {train}，校准月份 {cal}，测试月份 {test}；模型：逻辑回归（L2，C = 0.3），特征标准化，在其后的月份上校准；校准方法：{calib}；排除的受保护属性：{excluded}；训练时间 {at}。",
        "en": "Data to {end}; target: a voluntary exit within {h} days after the month end; population: "
        "agents ({roles}) employed at each month end; protocol: out of time, trained on the "
        "earliest month ends, calibrated on the next, tested on the latest; train months {train}, "
        "calibration months {cal}, test months {test}; model: logistic regression (L2, C = 0.3) "
        "on standardised features, calibrated on a later slice; calibration: {calib}; excluded "
        "protected attributes: {excluded}; trained {at}.",
    },
    "att.byo": {"zh": "用自己的人事导出表评估", "en": "Evaluate on your own HR export"},
    "att.byo.caption": {
        "zh": "上传一份员工表（CSV、Excel 或 Parquet），选择表示“已离职”的列；有日期列时按时间外检验（最新 25% 的行做测试），否则分层 5 折交叉验证。受保护属性只用于公平性审计。上传的数据只在本次会话中使用，查看会记入审计日志。",
        "en": "Upload an employee table (CSV, Excel or Parquet) and pick the column that says who "
        "left. With a date column the test is out of time (the latest 25 % of rows), otherwise "
        "stratified 5-fold cross-validation. Protected attributes feed only the fairness audit. "
        "The upload is used in this session only; the view is written to the audit log.",
    },
    "att.byo.file": {"zh": "员工表文件", "en": "Employee table file"},
    "att.byo.unreadable": {"zh": "无法读取该文件：{why}", "en": "Cannot read the file: {why}"},
    "att.byo.read": {"zh": "已读取 {rows} 行、{cols} 列。", "en": "Read {rows} rows and {cols} columns."},
    "att.byo.target": {"zh": "目标列（是否离职）", "en": "Target column (left or not)"},
    "att.byo.positive": {"zh": "表示“离职”的值", "en": "Value that means 'left'"},
    "att.byo.positive.auto": {"zh": "自动（1 / true）", "en": "Automatic (1 / true)"},
    "att.byo.date": {"zh": "日期列（可选）", "en": "Date column (optional)"},
    "att.byo.id": {"zh": "工号列（不作特征）", "en": "Identifier column (never a feature)"},
    "att.byo.none": {"zh": "无", "en": "None"},
    "att.byo.protected": {"zh": "受保护属性（只用于公平性审计）", "en": "Protected columns (fairness audit only)"},
    "att.byo.exclude": {"zh": "排除的列", "en": "Columns to leave out"},
    "att.byo.exclude.help": {
        "zh": "例如离职后才填写、会泄露结果的列（离职日期、离职原因）。",
        "en": "E.g. columns filled in only after someone left, which give the answer away (exit date, exit reason).",
    },
    "att.byo.run": {"zh": "训练并评估", "en": "Train and evaluate"},
    "att.byo.failed": {"zh": "无法评估：{why}", "en": "Cannot evaluate: {why}"},
    "att.byo.protocol.time": {"zh": "按 {col} 时间外检验", "en": "out of time by {col}"},
    "att.byo.protocol.cv": {"zh": "分层 {k} 折交叉验证", "en": "stratified {k}-fold cross-validation"},
    "att.byo.result": {
        "zh": "{n} 行，其中离职 {pos} 人；测试 {test} 行（{proto}）。",
        "en": "{n} rows, {pos} leavers; {test} rows tested ({proto}).",
    },
    "att.byo.reference": {"zh": "参照：逻辑回归（C = 1）", "en": "Reference: logistic regression (C = 1)"},
    "att.byo.features": {
        "zh": "使用的特征：{used}。忽略的文本列：{ignored}。排除：{excluded}。",
        "en": "Features used: {used}. Text columns ignored: {ignored}. Left out: {excluded}.",
    },
    "att.col.headcount_start": {"zh": "期初人数", "en": "Headcount at start"},
    "att.col.headcount_end": {"zh": "期末人数", "en": "Headcount at end"},
    "att.col.hires": {"zh": "入职", "en": "Hires"},
    "att.col.leavers": {"zh": "离职", "en": "Leavers"},
    "att.col.leavers_voluntary": {"zh": "主动离职", "en": "Voluntary leavers"},
    "att.col.leavers_involuntary": {"zh": "被动离职", "en": "Involuntary leavers"},
    "att.col.avg_headcount": {"zh": "平均人数", "en": "Average headcount"},
    "att.col.turnover_annualised": {"zh": "年化流失率", "en": "Annualised turnover"},
    "att.col.exit_type": {"zh": "离职类型", "en": "Exit type"},
    "att.col.exit_reason": {"zh": "离职原因", "en": "Reason"},
    "att.col.share": {"zh": "占比", "en": "Share"},
    "att.col.days": {"zh": "司龄（天）", "en": "Tenure (days)"},
    "att.col.retention": {"zh": "留存率", "en": "Retention"},
    "att.col.at_risk": {"zh": "风险人数", "en": "At risk"},
    "att.col.driver": {"zh": "因素", "en": "Driver"},
    "att.col.hazard_ratio": {"zh": "风险比", "en": "Hazard ratio"},
    "att.col.low": {"zh": "下限（95%）", "en": "Low (95 %)"},
    "att.col.high": {"zh": "上限（95%）", "en": "High (95 %)"},
    "att.col.band": {"zh": "风险区间", "en": "Risk band"},
    "att.col.predicted": {"zh": "预测离职率", "en": "Predicted rate"},
    "att.col.actual": {"zh": "实际离职率", "en": "Actual rate"},
    "att.col.team": {"zh": "班组", "en": "Team"},
    "att.col.expected": {"zh": "预计离职（人）", "en": "Expected leavers"},
    "att.col.employee_id": {"zh": "工号", "en": "Employee id"},
    "att.col.name": {"zh": "姓名", "en": "Name"},
    "att.col.center": {"zh": "中心", "en": "Center"},
    "att.col.role": {"zh": "岗位", "en": "Role"},
    "att.col.tenure_days": {"zh": "司龄（天）", "en": "Tenure (days)"},
    "att.col.risk": {"zh": "离职概率", "en": "Probability of leaving"},
    "att.col.drivers": {"zh": "主要推高因素", "en": "Main drivers up"},
    "att.col.enthusiasm": {"zh": "意愿", "en": "Enthusiasm"},
    "att.col.ability": {"zh": "能力", "en": "Ability"},
    "att.col.talent_type": {"zh": "类型", "en": "Type"},
    "att.col.attribute": {"zh": "受保护属性", "en": "Protected attribute"},
    "code.feature.senior_role": {"zh": "资深座席岗位（当时）", "en": "Senior CSR role (at the time)"},
    "att.model.tested": {
        "zh": "测试期共 {n} 人次月末快照，其中 {pos} 人次在预测期内主动离职。",
        "en": "Tested on {n} person-month-ends, {pos} of which were followed by a voluntary exit within the horizon.",
    },
}
