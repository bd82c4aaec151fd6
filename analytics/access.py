"""Roles and Scope: which centers, teams and people a user may see.

The Scope is applied inside every analytics query (see ``analytics.calls``), so a page
or a command cannot forget it. ``Scope.for_role`` is the one place that says what each
role may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

ROLES = ("executive", "center_manager", "team_leader", "quality", "hr", "admin")

# HR breakdowns of fewer people than this are suppressed for aggregate-only roles, so a
# small group's figures cannot be traced back to a person.
MIN_GROUP_FOR_AGGREGATES = 5


@dataclass(frozen=True)
class Scope:
    centers: tuple[str, ...] | None = None  # None = every center
    teams: tuple[str, ...] | None = None  # None = every team within the centers
    individuals: bool = True  # False: aggregates only (no per-person rows)
    hr: bool = True  # may see HR data (people, appraisals, careers)
    risk_scores: bool = True  # may see individual attrition risk scores
    min_group: int = 1  # smaller HR groups are suppressed
    role: str = "admin"
    user: str | None = None  # who asks, for the audit log

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def for_role(
        cls,
        role: str,
        centers: tuple[str, ...] | None = None,
        teams: tuple[str, ...] | None = None,
        user: str | None = None,
    ) -> Scope:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        centers = tuple(centers) if centers else None
        teams = tuple(teams) if teams else None
        if role == "admin":
            return cls(role=role, user=user)
        if role == "executive":
            return cls(
                centers=centers,
                individuals=False,
                hr=True,
                risk_scores=False,
                min_group=MIN_GROUP_FOR_AGGREGATES,
                role=role,
                user=user,
            )
        if role == "team_leader":
            if not teams:
                raise ValueError("a team leader's scope needs at least one team")
            return cls(centers=centers, teams=teams, hr=True, risk_scores=False, role=role, user=user)
        if role == "quality":
            return cls(centers=centers, hr=False, risk_scores=False, role=role, user=user)
        if role == "hr":
            return cls(centers=centers, hr=True, risk_scores=True, role=role, user=user)
        return cls(centers=centers, hr=True, risk_scores=False, role=role, user=user)  # center_manager

    def sql_params(self) -> dict:
        return {
            "scope_centers": list(self.centers) if self.centers is not None else None,
            "scope_teams": list(self.teams) if self.teams is not None else None,
        }

    def queue_level(self) -> Scope:
        """The scope for queue figures (calls of a queue are not anyone's team): the same
        centers and rules, no team limit. Team leaders see their centers' queues."""
        return replace(self, teams=None)

    def aggregates_only(self) -> Scope:
        """The same scope without per-person rows (the monthly review, executives' views)."""
        return replace(self, individuals=False)

    @property
    def limits_teams(self) -> bool:
        return self.teams is not None

    def require(self, what: str) -> None:
        """Raise PermissionError unless the scope allows ``what``: 'individuals', 'hr' or 'risk_scores'."""
        if not getattr(self, what):
            raise PermissionError(f"the {self.role} role may not see {what.replace('_', ' ')}")


# Column references a scope predicate may name: qualified or plain column names of the
# analytics queries (never user text).
_SCOPE_COLUMN = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$")


def scope_predicate(scope: Scope, *, center: str | None = "center", team: str | None = "team") -> tuple[str, dict]:
    """The one SQL predicate that limits rows to ``scope``, with its bound parameters.

    ``center`` / ``team`` name the columns holding the center and team code in the query
    (e.g. ``"e.center"``); pass None when the rows have no such column (queue rows have no
    team). Values travel as ``$scope_centers`` / ``$scope_teams`` parameters; the column
    names must be plain identifiers from the calling module.
    """
    preds, params = [], {}
    for col, key, values in ((center, "scope_centers", scope.centers), (team, "scope_teams", scope.teams)):
        if col is None:
            continue
        if not _SCOPE_COLUMN.match(col):
            raise ValueError(f"not a column reference: {col!r}")
        # the column name is checked above; the values are bound
        preds.append("($" + key + "::VARCHAR[] IS NULL OR list_contains($" + key + "::VARCHAR[], " + col + "))")
        params[key] = list(values) if values is not None else None
    return (" AND ".join(preds) or "true"), params
