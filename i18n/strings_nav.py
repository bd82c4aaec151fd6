"""Strings of navigation and the session's filters (issue 13)."""

STRINGS = {
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.filters.agents": {"zh": "坐席", "en": "Agents"},
    "nav.filters.queue_figures": {"zh": "本页是队列指标（来电在队列中等待时还不属于任何班组），班组和坐席筛选不适用，但会保留给其他页面。",
                                  "en": "This page shows queue figures (a call waiting in a queue belongs to no team): "
                                        "the team and agent filters do not apply here and are kept for the other pages."},
    "nav.review_month": {"zh": "回顾月份：{month}（期间结束日所在的月份）",
                         "en": "Month reviewed: {month} (the month the period ends in)"},
}
