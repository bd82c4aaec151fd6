"""Every user-facing string of the pages, in Chinese (zh) and English (en).

Metric names and formulas live in the metric registry (analytics/metrics.py); this
catalogue holds the rest. ``t(key, **values)`` picks the session's language.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")
DEFAULT_LANG = os.environ.get("CALLCENTER_LANG", "zh") if os.environ.get("CALLCENTER_LANG", "zh") in LANGS else "zh"

CATALOGUE: dict[str, dict[str, str]] = {
    # app and navigation
    "app.title": {"zh": "呼叫中心运营分析", "en": "Call-center analytics"},
    "nav.operations": {"zh": "运营", "en": "Operations"},
    "nav.reference": {"zh": "参考", "en": "Reference"},
    "nav.management": {"zh": "管理层", "en": "Management"},
    "nav.admin": {"zh": "管理员", "en": "Administration"},
    "page.staffing": {"zh": "排班与人力需求", "en": "Staffing"},
    "page.complaints": {"zh": "投诉", "en": "Complaints"},
    "page.monthly_review": {"zh": "月度经营回顾", "en": "Monthly review"},
    "page.data": {"zh": "数据导入", "en": "Data"},
    "page.service_level": {"zh": "服务水平与接通率", "en": "Service level & answer rate"},
    "page.handle_time": {"zh": "处理时长", "en": "Handle time"},
    "page.definitions": {"zh": "指标定义", "en": "Metric definitions"},
    "lang.label": {"zh": "语言 / Language", "en": "Language / 语言"},
    "demo.badge": {"zh": "演示数据（合成，非真实）", "en": "Demo data (synthetic, not real)"},
    "demo.generating": {"zh": "首次启动：正在生成演示数据集，约需一分钟……",
                        "en": "First start: generating the demo dataset, about a minute…"},
    "demo.done": {"zh": "演示数据已生成。", "en": "Demo dataset ready."},
    "dataset.missing": {"zh": "数据集 {path} 中还没有通话数据。请先导入数据，或运行 `python -m analytics demo --out {path}`。",
                        "en": "The dataset {path} holds no calls yet. Import calls first, or run "
                              "`python -m analytics demo --out {path}`."},
    # filters
    "filters.header": {"zh": "筛选", "en": "Filters"},
    "filters.period": {"zh": "期间", "en": "Period"},
    "filters.period.help": {"zh": "按各中心当地时间计算的起止日期（含）", "en": "First and last day, inclusive, in each center's local time"},
    "filters.centers": {"zh": "中心", "en": "Centers"},
    "filters.queues": {"zh": "队列", "en": "Queues"},
    "filters.teams": {"zh": "班组", "en": "Teams"},
    "filters.all": {"zh": "全部", "en": "All"},
    "filters.grain": {"zh": "时间粒度", "en": "Time grain"},
    "filters.share": {"zh": "筛选条件已写入网址，复制地址栏即可分享此视图。",
                      "en": "The filters are in the address bar: copy it to share this view."},
    "filters.period_incomplete": {"zh": "请选择起止两个日期。", "en": "Pick both a first and a last day."},
    "grain.interval15": {"zh": "15 分钟", "en": "15 minutes"},
    "grain.interval30": {"zh": "30 分钟", "en": "30 minutes"},
    "grain.hour": {"zh": "小时", "en": "Hour"},
    "grain.day": {"zh": "日", "en": "Day"},
    "grain.week": {"zh": "周", "en": "Week"},
    "grain.month": {"zh": "月", "en": "Month"},
    # dimensions and common columns
    "col.center": {"zh": "中心", "en": "Center"},
    "col.queue": {"zh": "队列", "en": "Queue"},
    "col.team": {"zh": "班组", "en": "Team"},
    "col.agent": {"zh": "座席", "en": "Agent"},
    "col.name": {"zh": "姓名", "en": "Name"},
    "col.category": {"zh": "问题类别", "en": "Category"},
    "col.interval15": {"zh": "时段（15 分钟）", "en": "Interval (15 min)"},
    "col.interval30": {"zh": "时段（30 分钟）", "en": "Interval (30 min)"},
    "col.hour": {"zh": "小时", "en": "Hour"},
    "col.day": {"zh": "日期", "en": "Day"},
    "col.week": {"zh": "周（周一起）", "en": "Week (from Monday)"},
    "col.month": {"zh": "月份", "en": "Month"},
    "col.hour_of_day": {"zh": "时", "en": "Hour of day"},
    "col.weekday": {"zh": "星期", "en": "Weekday"},
    "col.handled": {"zh": "处理量", "en": "Handled"},
    "col.tenure_days": {"zh": "司龄（天）", "en": "Tenure (days)"},
    "col.days": {"zh": "在岗天数", "en": "Days worked"},
    "col.team_aht_s": {"zh": "班组平均处理时长", "en": "Team AHT"},
    "col.aht_vs_team": {"zh": "相对班组", "en": "vs team"},
    "col.output_swing": {"zh": "日产量波动", "en": "Daily output swing"},
    "col.reasons": {"zh": "关注原因", "en": "Why review"},
    "col.calls": {"zh": "呼叫数", "en": "Calls"},
    "col.bin_s": {"zh": "处理时长（秒）", "en": "Handle time (s)"},
    "col.staffed_agents": {"zh": "在线座席（平均）", "en": "Agents staffed (avg)"},
    "weekday.1": {"zh": "周一", "en": "Mon"}, "weekday.2": {"zh": "周二", "en": "Tue"},
    "weekday.3": {"zh": "周三", "en": "Wed"}, "weekday.4": {"zh": "周四", "en": "Thu"},
    "weekday.5": {"zh": "周五", "en": "Fri"}, "weekday.6": {"zh": "周六", "en": "Sat"},
    "weekday.7": {"zh": "周日", "en": "Sun"},
    "category.common": {"zh": "常见问题", "en": "Common issue"},
    "category.complex": {"zh": "非常见问题", "en": "Non-common issue"},
    "category.unknown": {"zh": "未分类", "en": "Uncategorised"},
    "reason.aht_long": {"zh": "处理时长远高于班组", "en": "handle time far above team"},
    "reason.aht_short": {"zh": "处理时长远低于班组", "en": "handle time far below team"},
    "reason.output_swings": {"zh": "日产量波动大", "en": "daily output swings"},
    "reason.new_agent": {"zh": "入职 30 天内", "en": "new (first 30 days)"},
    # KPI cards
    "kpi.target": {"zh": "目标 {target}", "en": "target {target}"},
    "kpi.no_target": {"zh": "无目标", "en": "no target"},
    "kpi.vs_previous": {"zh": "较上期（{start} 至 {end}）", "en": "vs previous period ({start} to {end})"},
    "rag.green": {"zh": "达标", "en": "on target"},
    "rag.amber": {"zh": "接近目标", "en": "near target"},
    "rag.red": {"zh": "未达标", "en": "off target"},
    "how.title": {"zh": "指标如何计算", "en": "How these are computed"},
    "how.sl_setting": {"zh": "服务水平口径：{formula}；T = {T} 秒；短放弃阈值 {S} 秒。管理员可在数据集设置中修改。",
                       "en": "Service-level formula: {formula}; T = {T} s; short-abandon threshold {S} s. "
                             "An administrator can change them in the dataset settings."},
    "download.csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "empty.selection": {"zh": "所选期间和筛选条件下没有通话。请放宽筛选或选择其他期间。",
                        "en": "No calls in the selected period and filters. Widen the filters or pick another period."},
    "empty.chart": {"zh": "没有可显示的数据。", "en": "Nothing to show."},
    # service level page
    "sl.title": {"zh": "服务水平与接通率", "en": "Service level & answer rate"},
    "sl.question": {"zh": "我们是否及时接听了来电？", "en": "Are we answering our calls in time?"},
    "sl.caption": {"zh": "呼入队列，{start} 至 {end}（当地时间）。", "en": "Inbound queues, {start} to {end} (local time)."},
    "sl.trend": {"zh": "趋势", "en": "Trend"},
    "sl.trend.rates": {"zh": "比率", "en": "Rate"},
    "sl.heatmap": {"zh": "服务水平：小时 × 星期", "en": "Service level by hour and weekday"},
    "sl.heatmap.caption": {"zh": "颜色越红，该时段服务水平越低；悬停可见进线量；进线少于 {n} 通的格子留空。",
                           "en": "The redder the cell, the lower the service level; hover for calls offered; "
                                 "cells with fewer than {n} calls stay blank."},
    "sl.by_queue": {"zh": "各队列", "en": "By queue"},
    "sl.worst": {"zh": "服务最差的时段", "en": "Worst intervals"},
    "sl.worst.caption": {"zh": "进线至少 {n} 通的 15 分钟时段，按服务水平从低到高；点击一行可下钻到那一天。",
                         "en": "15-minute intervals with at least {n} calls offered, lowest service level first; "
                               "click a row to drill into its day."},
    "sl.drill": {"zh": "下钻到某一天", "en": "Drill down to a day"},
    "sl.drill.day": {"zh": "日期", "en": "Day"},
    "sl.drill.help": {"zh": "默认为期间内服务水平最差的一天；点击上方“服务最差的时段”中的一行也可跳到那一天。",
                      "en": "Starts on the period's worst day; click a row of the worst intervals above to jump to its day."},
    "sl.drill.caption": {"zh": "柱：进线量；线：服务水平（进线少于 {n} 通的时段不画）；点线：平均在线座席数；红色虚线：服务水平目标。",
                         "en": "Bars: calls offered; line: service level (not drawn for intervals with fewer than {n} calls); "
                               "dotted: average agents staffed; red dashes: the service-level target."},
    # handle time page
    "ht.title": {"zh": "处理时长", "en": "Handle time"},
    "ht.question": {"zh": "通话是否用了应有的时长？", "en": "Are calls taking as long as they should?"},
    "ht.caption": {"zh": "{start} 至 {end}（当地时间）；常见问题处理时长目标 ≤ {H} 秒（5 分钟），超过的非常见问题转问题专线。",
                   "en": "{start} to {end} (local time); handle-time target for a common issue ≤ {H} s (5 minutes); "
                         "non-common issues beyond it go to the specialist line."},
    "ht.trend": {"zh": "平均处理时长及构成", "en": "Average handle time and its parts"},
    "ht.distribution": {"zh": "处理时长分布", "en": "Handle-time distribution"},
    "ht.distribution.caption": {"zh": "每 30 秒一档；最后一档包含 {top} 秒以上；竖线为 {H} 秒目标。",
                                "en": "30-second bins; the last bin holds everything above {top} s; the line is the {H}-s target."},
    "ht.by_category": {"zh": "各问题类别的处理时长达标情况", "en": "Within target by category"},
    "ht.per_agent_day": {"zh": "人均日接听量（各班组）", "en": "Answered per agent-day, by team"},
    "ht.per_agent_day.caption": {"zh": "虚线为目标 {target} 个/人/天。", "en": "The dashed line is the target of {target} calls per agent-day."},
    "ht.review": {"zh": "建议质检关注的座席", "en": "Agents to review for quality"},
    "ht.review.caption": {"zh": "处理时长偏离班组 30% 以上、日产量波动大（变异系数 ≥ 0.4）或入职 30 天内的座席。",
                          "en": "Agents whose handle time is 30 % or more away from their team's, whose daily output "
                                "swings (coefficient of variation ≥ 0.4), or who joined in the last 30 days."},
    "ht.review.none": {"zh": "所选范围内没有需要特别关注的座席。", "en": "No agent stands out in this selection."},
    "part.talk_s": {"zh": "通话", "en": "Talk"},
    "part.hold_s": {"zh": "保持", "en": "Hold"},
    "part.acw_s": {"zh": "话后处理", "en": "After-call work"},
    "unit.s": {"zh": "秒", "en": "s"},
    "unit.calls": {"zh": "通", "en": "calls"},
    "target": {"zh": "目标", "en": "Target"},
    # definitions page
    "def.title": {"zh": "指标定义", "en": "Metric definitions"},
    "def.intro": {"zh": "每个页面上的数字都按下表计算。服务水平口径和阈值是设置项，当前设置如下。",
                  "en": "Every number on the pages is computed as below. The service-level formula and thresholds "
                        "are settings; the current ones are shown."},
    "def.metric": {"zh": "指标", "en": "Metric"},
    "def.formula": {"zh": "计算方法", "en": "Formula"},
    "def.unit": {"zh": "单位", "en": "Unit"},
    "def.better": {"zh": "越高越好？", "en": "Higher is better?"},
    "def.target": {"zh": "默认目标", "en": "Default target"},
    "def.sl_formulas": {"zh": "可选的服务水平口径", "en": "Service-level formulas to choose from"},
    "def.in_use": {"zh": "使用中", "en": "in use"},
    "def.queue_only": {"zh": "放弃的来电没有座席和班组，因此进线、放弃、接通率和服务水平只按队列、中心和时间统计，在班组或座席视图中为空。",
                       "en": "An abandoned call has no agent or team, so offered, abandoned, answer rate and service level "
                             "exist by queue, center and time, and are empty in team or agent views."},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
}


def _merge_area_catalogues() -> None:
    """Each area of the product keeps its strings in ui/strings_<area>.py (STRINGS);
    they join the one catalogue here, and a key defined twice is an error."""
    import importlib
    import pkgutil

    import ui

    for mod in sorted(m.name for m in pkgutil.iter_modules(ui.__path__) if m.name.startswith("strings_")):
        strings = importlib.import_module(f"ui.{mod}").STRINGS
        clash = set(strings) & set(CATALOGUE)
        if clash:
            raise KeyError(f"ui/{mod}.py redefines catalogue keys {sorted(clash)}")
        CATALOGUE.update(strings)


_merge_area_catalogues()


def translate(key: str, lang: str, **values) -> str:
    entry = CATALOGUE.get(key)
    if entry is None:
        return key  # a visible key beats a crash; tests check the catalogue is complete
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
