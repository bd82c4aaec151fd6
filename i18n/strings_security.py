"""Strings of sign-in protection (backoff and lockout), in Chinese and English.

The lockout message is the same whether or not the account exists, so it tells a
guesser nothing about which names are real.
"""

STRINGS = {
    "auth.locked": {
        "zh": "尝试失败次数过多，请约 {minutes} 分钟后再试；如需立即解锁，请联系管理员。",
        "en": "Too many failed attempts: try again in about {minutes} minute(s), or ask an "
        "administrator to unlock the account.",
    },
    "auth.wait": {
        "zh": "尝试失败次数较多，请 {seconds} 秒后再试。",
        "en": "Several failed attempts: wait {seconds} s before trying again.",
    },
}
