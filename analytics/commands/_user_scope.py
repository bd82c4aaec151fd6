"""``--user NAME`` for every command that reads data: act with that user's scope."""

from __future__ import annotations

from pathlib import Path

from analytics.access import Scope


def add_user_argument(parser) -> None:
    parser.add_argument("--user", help="act with this user's role and scope (see `users list`)")


def scope_for(args, dataset: Path) -> Scope:
    """The named user's scope, or everything for an operator with the dataset's files in hand."""
    if not getattr(args, "user", None):
        return Scope.everything()
    from analytics import users

    user = users.load(dataset).get(args.user)
    if user is None:
        raise PermissionError(f"no user {args.user!r} in {dataset}; see `python -m analytics users list`")
    return user.scope()
