"""``python -m analytics users add|set|list|remove|unlock``: local accounts, their scope, lockouts."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("users", help="manage users: roles, centers, teams, passwords")
    verbs = p.add_subparsers(dest="verb", required=True)
    for verb in ("add", "set"):
        v = verbs.add_parser(verb, help=f"{verb} a user")
        v.add_argument("name")
        v.add_argument(
            "--role",
            required=verb == "add",
            choices=("executive", "center_manager", "team_leader", "quality", "hr", "admin"),
        )
        v.add_argument("--centers", nargs="*", help="centers the user covers (default: all)")
        v.add_argument("--teams", nargs="*", help="teams the user covers (team leaders)")
        v.add_argument("--dataset", type=Path, default=Path("data/demo"))
        v.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input instead of a prompt"
        )
        if verb == "add":
            v.add_argument("--no-password", action="store_true", help="an OIDC-only account (signs in by e-mail)")
        else:
            v.add_argument("--new-password", action="store_true", help="set a new password")
    ls = verbs.add_parser("list", help="list users")
    ls.add_argument("--dataset", type=Path, default=Path("data/demo"))
    un = verbs.add_parser("unlock", help="end a sign-in lockout now (after too many wrong passwords)")
    un.add_argument("name", help="the account name that was locked")
    un.add_argument("--client", help="also clear this client address's lockout")
    un.add_argument("--dataset", type=Path, default=Path("data/demo"))
    rm = verbs.add_parser("remove", help="remove a user")
    rm.add_argument("name")
    rm.add_argument("--dataset", type=Path, default=Path("data/demo"))
    p.set_defaults(func=run)


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def run(args) -> int:
    from analytics import audit, users

    try:
        if args.verb == "list":
            for u in users.load(args.dataset).values():
                print(
                    f"{u.name}\t{u.role}\tcenters={','.join(u.centers) or 'all'}\tteams={','.join(u.teams) or 'all'}"
                    f"\t{'password' if u.password_hash else 'oidc'}"
                )
            return 0
        if args.verb == "unlock":
            cleared = users.unlock(args.dataset, args.name, args.client)
            audit.record(args.dataset, "unlock_user", f"unlocked {args.name}", user="command line", cleared=cleared)
            print(f"unlocked {args.name}" + ("" if cleared else " (it was not locked)"))
            return 0
        if args.verb == "remove":
            users.remove(args.dataset, args.name)
            audit.record(args.dataset, "change_users", f"removed {args.name}", user="command line")
            print(f"removed {args.name}")
            return 0
        if args.verb == "add":
            password = None if args.no_password else _read_password(args)
            u = users.add(args.dataset, args.name, args.role, password, args.centers or (), args.teams or ())
        else:
            password = _read_password(args) if (args.new_password or args.password_stdin) else None
            u = users.update(args.dataset, args.name, args.role, args.centers, args.teams, password)
        audit.record(
            args.dataset,
            "change_users",
            f"{args.verb} {u.name} as {u.role}",
            user="command line",
            centers=list(u.centers),
            teams=list(u.teams),
        )
        print(
            f"{args.verb}: {u.name} ({u.role}; centers {', '.join(u.centers) or 'all'}; "
            f"teams {', '.join(u.teams) or 'all'})"
        )
        return 0
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
