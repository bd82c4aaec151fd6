"""Local accounts: names, roles, the centers and teams they cover, hashed passwords.

Kept in ``<dataset>/_users.json`` (written atomically, readable by the owner only).
Passwords are hashed with scrypt and a per-user salt; no password is ever stored,
printed or logged, and there is no default account: the first administrator is made
with ``python -m analytics users add NAME --role admin``. With OIDC sign-in the same
records give a signed-in e-mail address its role and scope (no password then).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analytics.access import ROLES, Scope

USERS_FILE = "_users.json"
MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[\w.@+-]{2,64}$")
# scrypt cost: about 50 ms per check on this kind of machine, so guessing is slow.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class User:
    name: str
    role: str
    centers: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    password_hash: str | None = field(default=None, repr=False)
    created_at: str = ""

    def scope(self) -> Scope:
        return Scope.for_role(self.role, self.centers or None, self.teams or None, user=self.name)


def _path(dataset: Path) -> Path:
    return Path(dataset) / USERS_FILE


def load(dataset: Path) -> dict[str, User]:
    f = _path(dataset)
    if not f.is_file():
        return {}
    raw = json.loads(f.read_text(encoding="utf-8"))
    return {
        name: User(
            name=name,
            role=u["role"],
            centers=tuple(u.get("centers", ())),
            teams=tuple(u.get("teams", ())),
            password_hash=u.get("password_hash"),
            created_at=u.get("created_at", ""),
        )
        for name, u in raw.items()
    }


def _save(dataset: Path, users: dict[str, User]) -> None:
    data = {}
    for name, u in sorted(users.items()):
        d = asdict(u)
        d.pop("name")
        d["centers"], d["teams"] = list(u.centers), list(u.teams)
        data[name] = d
    f = _path(dataset)
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
    os.replace(tmp, f)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode("utf-8"),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(bytes.fromhex(digest)),
    )
    return hmac.compare_digest(got.hex(), digest)


# A hash of a random password: checking an unknown name costs as much as a known one,
# so response time does not tell which names exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.isdigit() or password.isalpha() or len(set(password)) < 5:
        raise ValueError("the password must mix letters with digits or symbols")


def authenticate(dataset: Path, name: str, password: str) -> User | None:
    """The user when name and password match, else None (same cost either way).
    Sign-in pages use ``attempt_sign_in``, which adds backoff and lockout."""
    user = load(dataset).get(name)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    ok = _matches(password, stored)
    return user if ok and user is not None and user.password_hash else None


# --- guessing: backoff and temporary lockout, per account and per client ----------------

SIGNIN_FILE = "_signin.json"


@dataclass(frozen=True)
class Lockout:
    free_failures: int = 3  # failures before any waiting
    base_delay_s: float = 2.0  # then the wait doubles with each failure...
    lock_after: int = 6  # ...until this many failures lock for lock_s
    lock_s: float = 900.0


LOCKOUT = Lockout()


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    status: str  # "ok", "failed" or "locked" (also while a backoff runs)
    retry_after_s: float = 0.0  # when locked: seconds until the next attempt is considered
    locked_keys: tuple[str, ...] = ()  # which counters locked: "account:<name>", "client:<id>"


def _signin_state(dataset: Path) -> Path:
    return Path(dataset) / SIGNIN_FILE


def _keys(name: str, client: str | None) -> list[str]:
    # Names are counted whether or not the account exists, so lockout tells nothing about it.
    keys = [f"account:{name.strip().lower()[:64]}"]
    if client:
        keys.append(f"client:{client[:64]}")
    return keys


def _update_state(dataset: Path, change) -> dict:
    """Read-modify-write the failure counters under an exclusive file lock."""
    import fcntl

    f = _signin_state(dataset)
    f.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            state = json.loads(f.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            state = {}
        result = change(state)
        tmp = f.with_suffix(".tmp")
        wfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(wfd, "w", encoding="utf-8") as fh:
            json.dump(state, fh)
        os.replace(tmp, f)
        return result
    finally:
        os.close(fd)


def _wait_s(entry: dict, now: float, policy: Lockout) -> float:
    """Seconds this counter still blocks attempts (lockout, or the backoff after a failure)."""
    n = int(entry.get("failures", 0))
    until = float(entry.get("locked_until", 0))
    if n >= policy.lock_after:
        return max(0.0, until - now)
    if n < policy.free_failures:
        return 0.0
    delay = policy.base_delay_s * 2 ** (n - policy.free_failures)
    return max(0.0, float(entry.get("last", 0)) + delay - now)


def attempt_sign_in(
    dataset: Path,
    name: str,
    password: str,
    client: str | None = None,
    *,
    now: float | None = None,
    policy: Lockout | None = None,
) -> SignInResult:
    """Check a password with backoff and lockout per account name and per client.

    While a counter blocks, the password is not even checked (a right guess then changes
    nothing) and the answer is the same whether or not the account exists. A success
    clears both counters; ``unlock`` clears one from the command line.
    """
    import time as _time

    now = _time.time() if now is None else now
    policy = policy or LOCKOUT  # read at each call, so a deployment (or a test) may change it
    keys = _keys(name, client)

    def blocked(state):
        waits = {k: _wait_s(state.get(k, {}), now, policy) for k in keys}
        return {k: w for k, w in waits.items() if w > 0}

    waiting = _update_state(dataset, blocked)
    if waiting:
        return SignInResult(None, "locked", max(waiting.values()), tuple(sorted(waiting)))
    user = authenticate(dataset, name, password)

    def count(state):
        if user is not None:
            for k in keys:
                state.pop(k, None)
            return {}
        for k in keys:
            e = state.setdefault(k, {"failures": 0})
            # A lock that has run out starts a fresh count.
            if e.get("failures", 0) >= policy.lock_after and float(e.get("locked_until", 0)) <= now:
                e["failures"] = 0
            e["failures"] = int(e.get("failures", 0)) + 1
            e["last"] = now
            if e["failures"] >= policy.lock_after:
                e["locked_until"] = now + policy.lock_s
        # Drop counters that have been quiet for a day, so the file does not grow forever.
        for k in [k for k, e in state.items() if now - float(e.get("last", now)) > 86_400]:
            del state[k]
        return {k: state[k]["failures"] for k in keys}

    failures = _update_state(dataset, count)
    if user is not None:
        return SignInResult(user, "ok")
    locked = tuple(k for k, n in failures.items() if n >= policy.lock_after)
    return SignInResult(None, "failed", policy.lock_s if locked else 0.0, locked)


def unlock(dataset: Path, name: str | None = None, client: str | None = None) -> list[str]:
    """Clear the failure counters of an account name (and/or a client); returns those cleared."""
    keys = ([f"account:{name.strip().lower()[:64]}"] if name else []) + ([f"client:{client[:64]}"] if client else [])

    def clear(state):
        return [k for k in keys if state.pop(k, None) is not None]

    return _update_state(dataset, clear)


def _validate(name: str, role: str, centers, teams, dataset: Path | None = None) -> None:
    if not _NAME.match(name):
        raise ValueError("a user name has 2-64 letters, digits or . @ + - _")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    Scope.for_role(role, tuple(centers) or None, tuple(teams) or None)  # e.g. a team leader needs a team
    if dataset is not None and (centers or teams):
        _check_known(dataset, tuple(centers), tuple(teams))


def known_centers_and_teams(dataset: Path) -> tuple[set[str], dict[str, set[str]]]:
    """Centers of the dataset, and each team's centers (from the employees' records)."""
    from analytics import lake

    lk = lake.Lake(dataset, lock_down=False)
    try:
        centers = set(lk.query("SELECT center FROM centers")["center"].dropna())
        teams = lk.query("SELECT DISTINCT team, center FROM employees WHERE team IS NOT NULL")
    finally:
        lk.con.close()
    team_centers: dict[str, set[str]] = {}
    for team, center in zip(teams["team"], teams["center"]):
        team_centers.setdefault(team, set()).add(center)
    return centers, team_centers


def _check_known(dataset: Path, centers: tuple[str, ...], teams: tuple[str, ...]) -> None:
    """Refuse a center or team the dataset does not know, and a team outside the user's centers:
    a typo would otherwise give a user a scope that silently shows nothing."""
    known, team_centers = known_centers_and_teams(dataset)
    unknown = [c for c in centers if c not in known]
    if unknown:
        raise ValueError(
            f"unknown center(s) {', '.join(unknown)}; the dataset has {', '.join(sorted(known)) or 'no centers yet'}"
        )
    unknown_teams = [t for t in teams if t not in team_centers]
    if unknown_teams:
        raise ValueError(f"unknown team(s) {', '.join(unknown_teams)}; teams come from the employees' records")
    if centers:
        outside = [t for t in teams if not team_centers[t] & set(centers)]
        if outside:
            raise ValueError(f"team(s) {', '.join(outside)} are not in the user's centers {', '.join(centers)}")


def add(dataset: Path, name: str, role: str, password: str | None, centers=(), teams=()) -> User:
    """A new user; ``password`` None for an OIDC-only account."""
    users = load(dataset)
    if name in users:
        raise ValueError(f"user {name!r} exists already; use `users set` to change it")
    _validate(name, role, centers, teams, dataset)
    if password is not None:
        check_password_strength(password)
    user = User(
        name,
        role,
        tuple(centers),
        tuple(teams),
        hash_password(password) if password is not None else None,
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    users[name] = user
    _save(dataset, users)
    return user


def update(
    dataset: Path, name: str, role: str | None = None, centers=None, teams=None, password: str | None = None
) -> User:
    users = load(dataset)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    u = users[name]
    role = role or u.role
    centers = tuple(centers) if centers is not None else u.centers
    teams = tuple(teams) if teams is not None else u.teams
    _validate(name, role, centers, teams, dataset)
    if password is not None:
        check_password_strength(password)
    users[name] = User(
        name, role, centers, teams, hash_password(password) if password is not None else u.password_hash, u.created_at
    )
    _save(dataset, users)
    return users[name]


def remove(dataset: Path, name: str) -> None:
    users = load(dataset)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    if users[name].role == "admin" and sum(u.role == "admin" for u in users.values()) == 1:
        raise ValueError("this is the last administrator; add another before removing it")
    del users[name]
    _save(dataset, users)
