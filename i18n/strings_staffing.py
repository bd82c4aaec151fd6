"""Strings of the staffing page."""

STRINGS = {
    "stf.title": {"zh": "排班与人力需求", "en": "Staffing"},
    "stf.question": {
        "zh": "每个时段上线的座席够不够？",
        "en": "Do we have enough agents on the phones, interval by interval?",
    },
    "stf.caption": {
        "zh": "呼入队列，{start} 至 {end}（当地时间）。所需座席：在 T = {T} 秒内接起 {target} 的来电所需的最少在线座席，"
        "能从观测放弃估计来电者耐心的队列按 Erlang A（计入放弃）计算，其余按 Erlang C；在线座席为该队列该时段的平均签入人数。",
        "en": "Inbound queues, {start} to {end} (local time). Required agents: the fewest agents on the "
        "phones that answer {target} of calls within T = {T} s, from Erlang A (callers hang up) where the "
        "queue's caller patience can be estimated from observed abandonment, else Erlang C; staffed "
        "agents are the average signed in to that queue in the interval.",
    },
    "stf.target": {"zh": "服务水平目标", "en": "Service-level target"},
    "stf.shrinkage": {"zh": "缺勤与非话务时间占比（shrinkage）", "en": "Shrinkage"},
    "stf.shrinkage.help": {
        "zh": "带薪时间中不在电话上的比例：休息、培训、会议、请假。用于把在线需求换算成排班人数。",
        "en": "Share of paid time off the phones: breaks, training, meetings, leave. Turns agents "
        "needed on the phones into agents to schedule.",
    },
    "stf.basis": {"zh": "话务量依据", "en": "Workload basis"},
    "stf.basis.actual": {"zh": "实际话务", "en": "Actual calls"},
    "stf.basis.forecast": {"zh": "预测话务", "en": "Forecast"},
    "stf.basis.help": {
        "zh": "实际：用当时真实的进线量和处理时长。预测：用此前最近 4 个同类日（同一星期几；节假日对节假日；调休日对调休日）同一时段的平均值，检验排班计划是否跟上预期。",
        "en": "Actual: the calls and handle time that came. Forecast: the mean of the same time on the "
        "4 most recent earlier days of the same type (same weekday; holidays from holidays; "
        "adjusted working days from adjusted working days), to test whether the schedule met "
        "what could be expected.",
    },
    "stf.kpi.short": {"zh": "人手不足的时段", "en": "Intervals short"},
    "stf.kpi.short.share": {"zh": "占有来电时段的 {share}", "en": "{share} of intervals with calls"},
    "stf.kpi.short.help": {
        "zh": "有来电的 15 分钟队列时段中，在线座席少于所需的个数及占比。",
        "en": "Queue intervals with calls whose staffed agents were fewer than required, and their share.",
    },
    "stf.kpi.hours_short": {"zh": "缺口人时", "en": "Agent-hours short"},
    "stf.kpi.hours_short.help": {
        "zh": "所有不足时段的缺口（所需 − 在线）× 0.25 小时之和。",
        "en": "Sum over short intervals of (required − staffed) × 0.25 h.",
    },
    "stf.kpi.required": {"zh": "所需在线人时", "en": "Agent-hours required"},
    "stf.kpi.staffed": {"zh": "实际在线人时", "en": "Agent-hours staffed"},
    "stf.kpi.staffed.help": {
        "zh": "在线人时多于所需却仍有不足时段，说明排班与话务曲线错位，而不只是人不够。",
        "en": "More hours staffed than required while intervals run short means the schedule is "
        "out of step with the call curve, not only short of people.",
    },
    "stf.heatmap": {"zh": "平均缺口：星期 × 时段", "en": "Average gap by weekday and time"},
    "stf.heatmap.caption": {
        "zh": "各队列合计的（在线 − 所需）座席数在该星期几、该时段的平均值；红色为不足，蓝色为富余。",
        "en": "Agents staffed minus required, summed over queues, averaged per weekday and time; "
        "red is short, blue is spare.",
    },
    "stf.worst": {"zh": "缺口最大的时段", "en": "Most understaffed intervals"},
    "stf.worst.caption": {
        "zh": "所需座席和按在线人数估计的服务水平为模型估计，模型列写明每行所用模型：Erlang A 用按该队列该月观测放弃估计的来电者耐心，"
        "放弃太少的队列用 Erlang C（不考虑放弃）；实际服务水平来自通话记录。",
        "en": "Agents required and the service level at staffed are a model's estimates; the Model "
        "column names each row's model: Erlang A with the caller patience estimated from the queue's "
        "observed abandonment that month, Erlang C (callers never hang up) where too few hung up; the "
        "actual service level comes from the call records.",
    },
    "stf.col.interval15": {"zh": "时段", "en": "Interval"},
    "stf.whatif": {"zh": "假设计算器", "en": "What-if calculator"},
    "stf.whatif.caption": {
        "zh": "输入一个时段的话务，看需要多少座席，以及给定人数下的服务水平。设置耐心时间后同时按 Erlang A（考虑来电者放弃）计算。",
        "en": "Enter one interval's workload to see the agents it needs, or the service level a "
        "given number of agents gives. With a caller patience it also uses Erlang A, which "
        "lets callers hang up.",
    },
    "stf.whatif.calls": {"zh": "时段进线量（通）", "en": "Calls in the interval"},
    "stf.whatif.interval": {"zh": "时段长度（分钟）", "en": "Interval length (min)"},
    "stf.whatif.aht": {"zh": "平均处理时长（秒）", "en": "Average handle time (s)"},
    "stf.whatif.t": {"zh": "接通时限 T（秒）", "en": "Answer within T (s)"},
    "stf.whatif.patience": {
        "zh": "来电者平均耐心（秒，0 = 不考虑放弃）",
        "en": "Mean caller patience (s, 0 = no abandonment)",
    },
    "stf.whatif.agents": {"zh": "在线座席（0 = 求最少人数）", "en": "Agents (0 = find the minimum)"},
    "stf.whatif.max_occ": {"zh": "占用率上限（0 = 不限）", "en": "Occupancy cap (0 = none)"},
    "stf.model": {"zh": "模型", "en": "Model"},
    "stf.erlang_c": {"zh": "Erlang C（不考虑放弃）", "en": "Erlang C (no abandonment)"},
    "stf.erlang_a": {"zh": "Erlang A（考虑放弃）", "en": "Erlang A (callers abandon)"},
    "stf.res.agents": {"zh": "在线座席", "en": "Agents"},
    "stf.res.traffic": {"zh": "话务量（爱尔兰）", "en": "Traffic (Erlangs)"},
    "stf.res.p_wait": {"zh": "需等待概率", "en": "P(wait)"},
    "stf.res.service_level": {"zh": "服务水平", "en": "Service level"},
    "stf.res.asa": {"zh": "平均应答速度（秒）", "en": "ASA (s)"},
    "stf.res.occupancy": {"zh": "占用率", "en": "Occupancy"},
    "stf.res.scheduled": {"zh": "排班人数（含 shrinkage）", "en": "Agents to schedule (with shrinkage)"},
    "stf.res.p_abandon": {"zh": "放弃概率", "en": "P(abandon)"},
    "stf.unstable": {
        "zh": "座席数不超过话务量：按 Erlang C 队列会无限增长。",
        "en": "Agents do not exceed the traffic: under Erlang C the queue grows without end.",
    },
    "stf.plan": {"zh": "月度人力计划", "en": "Monthly plan"},
    "stf.plan.caption": {
        "zh": "以 {base} 的所需在线人时为基准，按各月工作日数和话务变化推算所需座席；预计离职按年流失率折算到月；新人需提前 {weeks} 周开始培训。所有假设可在下方修改。",
        "en": "Workload starts from {base}'s required agent-hours, scaled by each month's working "
        "days and the volume change; expected leavers follow the annual turnover; new hires "
        "must start training {weeks} weeks before their month. Every assumption is editable below.",
    },
    "stf.plan.months": {"zh": "计划月数", "en": "Months ahead"},
    "stf.plan.turnover": {"zh": "座席年流失率", "en": "Agents' annual turnover"},
    "stf.plan.turnover.help": {
        "zh": "默认值为过去 12 个月座席的实际流失率（{observed}）。离职预测模型上线后将替代此设置。",
        "en": "Defaults to the agents' turnover over the last 12 months ({observed}). The attrition "
        "model will replace this setting once it exists.",
    },
    "stf.plan.training": {"zh": "培训周期（周）", "en": "Training lead time (weeks)"},
    "stf.plan.volume": {"zh": "话务量变化", "en": "Volume change"},
    "stf.plan.hours": {"zh": "每人每天工作小时", "en": "Paid hours per agent-day"},
    "stf.plan.headcount": {"zh": "当前座席人数", "en": "Agents now"},
    "stf.plan.callout": {
        "zh": "最早一批：{month} 需要新增 {hires} 名座席，请在 {date} 前开始培训。",
        "en": "First intake: {month} needs {hires} new agents; start their training by {date}.",
    },
    "stf.plan.none": {
        "zh": "按当前假设，计划期内无需招聘。",
        "en": "With these assumptions no hiring is needed in the plan's months.",
    },
    "stf.plan.no_calendar": {
        "zh": "{months} 超出节假日日历的已知范围，工作日按周一至周五估计（未计法定节假日）。",
        "en": "{months}: beyond the holiday calendar's known years; working days assume Monday to "
        "Friday without public holidays.",
    },
    "stf.plan.needed": {"zh": "所需座席", "en": "Agents needed"},
    "stf.plan.expected": {"zh": "不招聘时的预计人数", "en": "Expected without hiring"},
    "stf.col.month": {"zh": "月份", "en": "Month"},
    "stf.col.working_days": {"zh": "工作日", "en": "Working days"},
    "stf.col.required_agent_hours": {"zh": "所需在线人时", "en": "Agent-hours required"},
    "stf.col.agents_needed": {"zh": "所需座席", "en": "Agents needed"},
    "stf.col.headcount_start": {"zh": "月初人数", "en": "Headcount at start"},
    "stf.col.expected_leavers": {"zh": "预计离职", "en": "Expected leavers"},
    "stf.col.expected_without_hiring": {"zh": "不招聘时的人数", "en": "Without hiring"},
    "stf.col.hires_needed": {"zh": "需招聘", "en": "Hires needed"},
    "stf.col.start_training_by": {"zh": "最晚开始培训", "en": "Start training by"},
    "stf.col.statutory_calendar": {"zh": "法定节假日日历", "en": "Statutory calendar"},
    "stf.col.aht_s": {"zh": "平均处理时长（秒）", "en": "AHT (s)"},
    "stf.col.staffed_agents": {"zh": "在线座席", "en": "Agents staffed"},
    "stf.col.required_agents": {"zh": "所需座席", "en": "Agents required"},
    "stf.col.gap_agents": {"zh": "缺口（在线 − 所需）", "en": "Gap (staffed − required)"},
    "stf.col.service_level_at_staffed": {
        "zh": "按在线人数估计的服务水平（见模型列）",
        "en": "Service level at staffed (see Model)",
    },
    "stf.model.erlang_a": {"zh": "Erlang A（耐心 {patience}）", "en": "Erlang A (patience {patience})"},
    "stf.model.erlang_c": {"zh": "Erlang C（耐心未知）", "en": "Erlang C (patience unknown)"},
    "stf.models.a": {
        "zh": "模型：{a} 个队列按 Erlang A（按观测放弃估计的来电者平均耐心 {patience}）",
        "en": "Model: Erlang A for {a} queues (mean caller patience {patience}, estimated from observed abandonment)",
    },
    "stf.models.c": {
        "zh": "{c} 个队列按 Erlang C（放弃太少，耐心未知）",
        "en": "Erlang C for {c} queues (too few hung up: patience unknown)",
    },
    "stf.models.c_only": {
        "zh": "模型：{c} 个队列均按 Erlang C（放弃太少，耐心未知）",
        "en": "Model: Erlang C for all {c} queues (too few hung up: patience unknown)",
    },
    "stf.models.sep": {"zh": "；", "en": "; "},
    "stf.models.end": {"zh": "。", "en": "."},
    "stf.col.service_level_actual": {"zh": "实际服务水平", "en": "Actual service level"},
    "stf.col.offered_actual": {"zh": "实际进线", "en": "Actual offered"},
    "stf.empty": {"zh": "所选期间没有话务或排班数据。", "en": "No calls or staffing in the selected period."},
    "stf.plan.callout.late": {
        "zh": "最早一批：{month} 需要新增 {hires} 名座席，培训本应在 {date} 开始，已晚 {days} 天。",
        "en": "First intake: {month} needs {hires} new agents; their training should have "
        "started on {date}, late by {days} days.",
    },
    "stf.col.late_by_days": {"zh": "培训已晚（天）", "en": "Training late by (days)"},
    "stf.yes": {"zh": "是", "en": "yes"},
    "stf.no": {"zh": "否（按周一至周五估计）", "en": "no (Monday-Friday assumed)"},
    "stf.proj": {"zh": "离职对服务水平的影响", "en": "What attrition does to service level"},
    "stf.proj.caption": {
        "zh": "未来各月、各呼入队列：预计离职（按在职时长的留存曲线，或按年流失率）、仍在培训的新人（培训周期见上）、可上线座席，以及在预测话务下的服务水平。话务 = 基准月每个队列、日类型（征期 1–15 日、其他工作日、休息日）和时段的典型日 × 季节（去年同月相对去年基准月）；在线人数 = 基准月排班 × 当月可上线人数 ÷ 当前可上线人数。",
        "en": "For each coming month and inbound queue: expected leavers (by tenure from the "
        "retention curve, or from the annual turnover), new hires still in training (lead "
        "time above), productive agents, and the service level on the forecast calls. Calls = "
        "the base month's typical day per queue, day type (filing peak days 1-15, other "
        "working days, rest days) and time × the season (the same month last year against "
        "the base month last year); agents on the phones = the base month's staffing × "
        "productive agents of the month ÷ productive agents now.",
    },
    "stf.proj.extra": {"zh": "假设：首月增招人数", "en": "What-if: extra hires in the first month"},
    "stf.proj.cut": {"zh": "假设：离职减少", "en": "What-if: cut attrition by"},
    "stf.proj.leavers": {"zh": "预计离职依据", "en": "Expected leavers from"},
    "stf.proj.leavers.survival": {"zh": "留存曲线（按在职时长）", "en": "Retention curve (by tenure)"},
    "stf.proj.leavers.turnover": {"zh": "年流失率（上方设置）", "en": "Annual turnover (set above)"},
    "stf.proj.working": {
        "zh": "正在按 Erlang A 计算各月服务水平…",
        "en": "Computing each month's service level with Erlang A…",
    },
    "stf.proj.line.base": {"zh": "按当前人数（无离职）", "en": "With today's agents (no attrition)"},
    "stf.proj.line.expected": {"zh": "计入预计离职与培训", "en": "With expected leavers and trainees"},
    "stf.proj.line.what_if": {"zh": "假设情景", "en": "What-if"},
    "stf.proj.model": {
        "zh": "基准月 {base}；服务水平 = T = {T} 秒内接起的来电 ÷ 全部进线（放弃计入分母），由 {models} 计算。模型值与通话记录的实际值可能有差异，请看两条线的差距而非绝对水平。",
        "en": "Base month {base}; service level = calls answered within T = {T} s ÷ all offered "
        "(abandons count against), computed by {models}. The model's level can differ from "
        "the call records' actual figure: read the gap between the lines rather than the "
        "level.",
    },
    "stf.proj.by_queue": {"zh": "按队列与月份", "en": "By queue and month"},
    "stf.proj.scenario.expected": {"zh": "按计划", "en": "As planned"},
    "stf.proj.scenario.what_if": {"zh": "假设情景", "en": "What-if"},
    "code.erlang_model.erlang_a": {
        "zh": "Erlang A（按观测放弃估计的来电者耐心）",
        "en": "Erlang A (caller patience estimated from observed abandonment)",
    },
    "code.erlang_model.erlang_c": {
        "zh": "Erlang C（放弃太少，无法估计耐心）",
        "en": "Erlang C (too few abandons to estimate patience)",
    },
    "stf.col.scenario": {"zh": "情景", "en": "Scenario"},
    "stf.col.agents_start": {"zh": "月初座席", "en": "Agents at start"},
    "stf.col.hires": {"zh": "新入职", "en": "Hires"},
    "stf.col.in_training": {"zh": "培训中", "en": "In training"},
    "stf.col.productive": {"zh": "可上线座席", "en": "Productive agents"},
    "stf.col.calls": {"zh": "预测进线（通）", "en": "Forecast calls"},
    "stf.col.service_level": {"zh": "服务水平（预测）", "en": "Service level (projected)"},
    "stf.col.service_level_base": {"zh": "服务水平（当前人数）", "en": "Service level (today's agents)"},
    "stf.col.service_level_change": {"zh": "离职带来的变化", "en": "Change from attrition"},
    "stf.col.model": {"zh": "模型", "en": "Model"},
    "stf.col.patience_s": {"zh": "来电者平均耐心（秒）", "en": "Mean caller patience (s)"},
    "stf.col.queue": {"zh": "队列", "en": "Queue"},
    "stf.check": {
        "zh": "模型核对：基准月的实际服务水平与模型估计",
        "en": "Model check: the base month's actual service level against the models",
    },
    "stf.check.caption": {
        "zh": "{base} 各呼入队列：实际 = T = {T} 秒内接起 ÷ 全部进线（通话记录）；Erlang A（按观测放弃估计耐心）与 Erlang C（不考虑放弃）均按实际在线人数、同一典型日话务计算。Erlang C 在接近满负荷时远低于实际；典型日把各天平均，会略微高估两种模型。",
        "en": "{base}, inbound queues: actual = answered within T = {T} s ÷ all offered (call "
        "records); Erlang A (patience estimated from abandonment) and Erlang C (no "
        "abandonment) at the agents actually staffed on the same typical-day load. Near "
        "capacity Erlang C falls far below what happened; averaging days into a typical day "
        "makes both models a little optimistic.",
    },
    "stf.col.check.offered": {"zh": "进线（通）", "en": "Offered calls"},
    "stf.col.check.observed": {"zh": "实际服务水平", "en": "Actual service level"},
    "stf.col.check.erlang_a": {"zh": "Erlang A 估计", "en": "Erlang A estimate"},
    "stf.col.check.erlang_c": {"zh": "Erlang C 估计", "en": "Erlang C estimate"},
    "stf.col.check.patience_s": {"zh": "来电者平均耐心（秒）", "en": "Mean caller patience (s)"},
}
