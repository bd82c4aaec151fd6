"""Strings of navigation, the session's filters, and the import gate of the demo (issue 13)."""

STRINGS = {
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.filters.agents": {"zh": "坐席", "en": "Agents"},
    "nav.filters.agents_many": {
        "zh": "共 {n} 名坐席：先选中心或班组，再选坐席。",
        "en": "{n} agents: choose a center or team to pick agents.",
    },
    "nav.filters.no_people": {
        "zh": "班组和坐席筛选不适用于本页（本页是队列或汇总指标），但会保留给其他页面。",
        "en": "The team and agent filters do not apply to this page (queue or summary figures); "
        "they are kept for the other pages.",
    },
    "nav.review_month": {
        "zh": "回顾月份：{month}（期间结束日所在的月份）",
        "en": "Month reviewed: {month} (the month the period ends in)",
    },
    "gate.consequence": {
        "zh": "注意：向演示数据集导入数据后，它就成为“已导入”的数据集，演示模式（免登录、角色切换）随即对所有人结束；"
        "之后每个浏览器都必须用账号登录。导入前请确认下面的管理员账号可以登录。"
        "若想保留演示，请改为在服务器上导入到新的数据集目录（python -m analytics ingest ... --dataset 新目录）。",
        "en": "Note: once data is imported into the demo dataset it becomes an imported dataset and demo mode "
        "(no sign-in, role switcher) ends for everyone; from then on every browser must sign in with an "
        "account. Before importing, make sure the administrator account below can sign in. To keep the "
        "demo, import into a new dataset folder on the server instead "
        "(python -m analytics ingest ... --dataset NEW_FOLDER).",
    },
    "gate.admins": {"zh": "可登录的管理员账号：{names}", "en": "Administrator accounts that can sign in: {names}"},
    "gate.first_admin": {
        "zh": "还没有管理员账号：先创建第一个管理员（导入后用它登录）",
        "en": "No administrator account yet: create the first one (you sign in with it after the import)",
    },
    "gate.password_again": {"zh": "再次输入密码", "en": "Password again"},
    "gate.password_rules": {
        "zh": "密码至少 {n} 个字符，且须混合字母与数字或符号。",
        "en": "At least {n} characters, mixing letters with digits or symbols.",
    },
    "gate.create": {"zh": "创建管理员账号", "en": "Create the administrator account"},
    "gate.exists": {"zh": "账号 {name} 已存在。", "en": "The account {name} exists already."},
    "gate.bad_name": {
        "zh": "用户名为 2–64 个字母、数字或 . @ + - _。",
        "en": "A user name has 2-64 letters, digits or . @ + - _.",
    },
    "gate.differ": {"zh": "两次输入的密码不一致。", "en": "The two passwords differ."},
    "gate.confirm": {
        "zh": "我明白：导入后演示模式对所有人结束，之后需要账号登录。",
        "en": "I understand: after the import demo mode ends for everyone and an account is needed to sign in.",
    },
    "gate.ready": {
        "zh": "导入后本浏览器将以管理员 {name} 的身份登录。",
        "en": "After the import this browser stays signed in as the administrator {name}.",
    },
}
