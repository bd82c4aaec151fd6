"""Roles and Scope: which centers, teams and people a user may see.

The Scope is applied inside every analytics query (see ``analytics.calls``), so a page
or a command cannot forget it. ``Scope.for_role`` is the one place that says what each
role may see.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("executive", "center_manager", "team_leader", "quality", "hr", "admin")

# HR breakdowns of fewer people than this are suppressed for aggregate-only roles, so a
# small group's figures cannot be traced back to a person.
MIN_GROUP_FOR_AGGREGATES = 5


@dataclass(frozen=True)
class Scope:
    centers: tuple[str, ...] | None = None   # None = every center
    teams: tuple[str, ...] | None = None     # None = every team within the centers
    individuals: bool = True                 # False: aggregates only (no per-person rows)
    hr: bool = True                          # may see HR data (people, appraisals, careers)
    risk_scores: bool = True                 # may see individual attrition risk scores
    min_group: int = 1                       # smaller HR groups are suppressed
    role: str = "admin"
    user: str | None = None                  # who asks, for the audit log

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def for_role(cls, role: str, centers: tuple[str, ...] | None = None, teams: tuple[str, ...] | None = None,
                 user: str | None = None) -> Scope:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
        centers = tuple(centers) if centers else None
        teams = tuple(teams) if teams else None
        if role == "admin":
            return cls(role=role, user=user)
        if role == "executive":
            return cls(centers=centers, individuals=False, hr=True, risk_scores=False,
                       min_group=MIN_GROUP_FOR_AGGREGATES, role=role, user=user)
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
        return {"scope_centers": list(self.centers) if self.centers is not None else None,
                "scope_teams": list(self.teams) if self.teams is not None else None}

    @property
    def limits_teams(self) -> bool:
        return self.teams is not None

    def require(self, what: str) -> None:
        """Raise PermissionError unless the scope allows ``what``: 'individuals', 'hr' or 'risk_scores'."""
        if not getattr(self, what):
            raise PermissionError(f"the {self.role} role may not see {what.replace('_', ' ')}")
