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
from datetime import datetime, timezone
from pathlib import Path

from analytics.access import ROLES, Scope

USERS_FILE = "_users.json"
MIN_PASSWORD_LENGTH = 10
_NAME = re.compile(r"^[\w.@+-]{2,64}$")
# scrypt cost: about 50 ms per check on this kind of machine, so guessing is slow.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


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
    return {name: User(name=name, role=u["role"], centers=tuple(u.get("centers", ())), teams=tuple(u.get("teams", ())),
                       password_hash=u.get("password_hash"), created_at=u.get("created_at", ""))
            for name, u in raw.items()}


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
    got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                         dklen=len(bytes.fromhex(digest)))
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
    """The user when name and password match, else None (same cost either way)."""
    user = load(dataset).get(name)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    ok = _matches(password, stored)
    return user if ok and user is not None and user.password_hash else None


def _validate(name: str, role: str, centers, teams) -> None:
    if not _NAME.match(name):
        raise ValueError("a user name has 2-64 letters, digits or . @ + - _")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    Scope.for_role(role, tuple(centers) or None, tuple(teams) or None)  # e.g. a team leader needs a team


def add(dataset: Path, name: str, role: str, password: str | None, centers=(), teams=()) -> User:
    """A new user; ``password`` None for an OIDC-only account."""
    users = load(dataset)
    if name in users:
        raise ValueError(f"user {name!r} exists already; use `users set` to change it")
    _validate(name, role, centers, teams)
    if password is not None:
        check_password_strength(password)
    user = User(name, role, tuple(centers), tuple(teams), hash_password(password) if password is not None else None,
                datetime.now(timezone.utc).isoformat(timespec="seconds"))
    users[name] = user
    _save(dataset, users)
    return user


def update(dataset: Path, name: str, role: str | None = None, centers=None, teams=None,
           password: str | None = None) -> User:
    users = load(dataset)
    if name not in users:
        raise ValueError(f"no user {name!r}")
    u = users[name]
    role = role or u.role
    centers = tuple(centers) if centers is not None else u.centers
    teams = tuple(teams) if teams is not None else u.teams
    _validate(name, role, centers, teams)
    if password is not None:
        check_password_strength(password)
    users[name] = User(name, role, centers, teams,
                       hash_password(password) if password is not None else u.password_hash, u.created_at)
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
