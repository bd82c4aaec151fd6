"""Signed, expiring sign-in tokens for local accounts, so a sign-in survives a reload and
a link opened in another tab of the same browser.

A token names the user, its expiry and a fingerprint of the user's current password
hash, and carries an HMAC-SHA256 over those under a key kept in the dataset folder
(``_session_key``, created on first use with mode 0600, never in the repository). It is
checked in constant time; a token whose user was removed, whose password changed or
whose time ran out is refused. Tokens hold no password and never travel in a URL: the
app keeps them in a cookie (see ui/auth.py and the README for what that cookie can and
cannot protect against).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from analytics import users

KEY_FILE = "_session_key"
KEY_BYTES = 32
# A working day plus margin; a deployment may shorten it.
DEFAULT_TTL_S = int(float(os.environ.get("CALLCENTER_SESSION_HOURS", "10")) * 3600)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(dataset: Path) -> bytes:
    """The dataset's signing key, created on first use readable by its owner only."""
    path = Path(dataset) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        key = secrets.token_bytes(KEY_BYTES)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key
    if path.stat().st_mode & 0o077:  # someone widened it: narrow it again before use
        os.chmod(path, 0o600)
    key = path.read_bytes()
    for _ in range(20):  # another process may be writing it this instant
        if len(key) >= KEY_BYTES:
            return key
        time.sleep(0.05)
        key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise ValueError(
            f"{path} is shorter than {KEY_BYTES} bytes; delete it to make a new key "
            "(every signed-in browser then signs in again)"
        )
    return key


def _fingerprint(user: users.User) -> str:
    """Changes when the password changes, so older tokens stop working; reveals nothing usable."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def issue(dataset: Path, user: users.User, ttl_s: int = DEFAULT_TTL_S, now: float | None = None) -> str:
    """A token for ``user`` (a local account with a password) valid for ``ttl_s`` seconds."""
    if not user.password_hash:
        raise ValueError("only local accounts with a password get a sign-in token")
    now = time.time() if now is None else now
    body = _b64(
        json.dumps({"u": user.name, "exp": int(now + ttl_s), "pw": _fingerprint(user)}, separators=(",", ":")).encode()
    )
    return f"{body}.{_sign(signing_key(dataset), body)}"


def verify(dataset: Path, token: str | None, now: float | None = None) -> users.User | None:
    """The user a token was issued to, if its signature holds, it has not expired and the
    user still exists with the same password; else None."""
    if not token or token.count(".") != 1 or len(token) > 1024:
        return None
    body, signature = token.split(".")
    if not hmac.compare_digest(_sign(signing_key(dataset), body), signature):
        return None
    try:
        claims = json.loads(_unb64(body))
        name, expires, fingerprint = str(claims["u"]), int(claims["exp"]), str(claims["pw"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires <= (time.time() if now is None else now):
        return None
    user = users.load(dataset).get(name)
    if user is None or not user.password_hash or not hmac.compare_digest(_fingerprint(user), fingerprint):
        return None
    return user
