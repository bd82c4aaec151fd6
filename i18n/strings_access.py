"""Strings of sign-in, roles and the audit log."""

STRINGS = {
    "auth.title": {"zh": "登录", "en": "Sign in"},
    "auth.name": {"zh": "用户名", "en": "User name"},
    "auth.password": {"zh": "密码", "en": "Password"},
    "auth.sign_in": {"zh": "登录", "en": "Sign in"},
    "auth.sign_in_oidc": {"zh": "使用单位账号登录", "en": "Sign in with your organisation account"},
    "auth.sign_out": {"zh": "退出登录", "en": "Sign out"},
    "auth.failed": {"zh": "用户名或密码不正确。", "en": "Wrong user name or password."},
    "auth.no_users": {
        "zh": "数据集 {path} 还没有任何账号。请在服务器上用下面的命令创建第一个管理员（会提示输入密码；系统没有默认密码）：",
        "en": "The dataset {path} has no accounts yet. Create the first administrator on the server "
        "with the command below (it asks for a password; there is no default password):",
    },
    "auth.no_role": {
        "zh": "{email} 已登录，但还没有分配角色。请联系管理员添加：python -m analytics users add {email} --role ... --no-password",
        "en": "{email} is signed in but has no role yet. Ask an administrator to run: "
        "python -m analytics users add {email} --role ... --no-password",
    },
    "auth.required": {
        "zh": "请从应用首页登录后再打开此页面。",
        "en": "Sign in from the app's start page to open this page.",
    },
    "auth.signed_in_as": {"zh": "已登录：{name}（{role}）", "en": "Signed in as {name} ({role})"},
    "auth.demo_mode": {"zh": "演示模式：合成数据，无需登录", "en": "Demo mode: synthetic data, no sign-in"},
    "auth.view_as": {"zh": "以此角色查看", "en": "View as"},
    "auth.demo_center": {"zh": "该角色所在中心", "en": "The role's center"},
    "auth.demo_team": {"zh": "该角色负责的班组", "en": "The role's team"},
    "auth.demo_help": {
        "zh": "演示模式下可切换角色，查看每个角色能看到的页面和数据。真实导入的数据集不会以演示模式打开。",
        "en": "In demo mode you can switch roles to see which pages and data each role gets. "
        "A dataset with imported data never opens in demo mode.",
    },
    "role.executive": {"zh": "高层", "en": "Executive"},
    "role.center_manager": {"zh": "中心经理", "en": "Center manager"},
    "role.team_leader": {"zh": "班组长", "en": "Team leader"},
    "role.quality": {"zh": "质检", "en": "Quality"},
    "role.hr": {"zh": "人力资源", "en": "HR"},
    "role.admin": {"zh": "管理员", "en": "Administrator"},
    "page.audit": {"zh": "审计日志", "en": "Audit log"},
    "aud.title": {"zh": "审计日志", "en": "Audit log"},
    "aud.caption": {
        "zh": "登录、查看个人风险分数与人事记录、导出下载、导入、目标与用户变更的只追加记录。本页只能阅读，不能修改。",
        "en": "An append-only record of sign-ins, views of individual risk scores and HR records, exports "
        "and downloads, imports and changes of targets or users. This page reads it; nothing can "
        "edit it.",
    },
    "aud.actions": {"zh": "操作类型", "en": "Actions"},
    "aud.user": {"zh": "用户", "en": "User"},
    "aud.empty": {"zh": "还没有审计记录。", "en": "Nothing recorded yet."},
    "col.at": {"zh": "时间（UTC）", "en": "When (UTC)"},
    "col.user": {"zh": "用户", "en": "User"},
    "col.role": {"zh": "角色", "en": "Role"},
    "col.action": {"zh": "操作", "en": "Action"},
    "col.what": {"zh": "内容", "en": "What"},
    "col.scope_centers": {"zh": "范围：中心", "en": "Scope: centers"},
    "col.scope_teams": {"zh": "范围：班组", "en": "Scope: teams"},
}
