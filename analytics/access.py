"""Roles and Scope: which centers, teams and people a user may see.

The Scope is applied inside every analytics query (see ``analytics.calls``), so a page
or a command cannot forget it.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("executive", "center_manager", "team_leader", "quality", "hr", "admin")


@dataclass(frozen=True)
class Scope:
    centers: tuple[str, ...] | None = None   # None = every center
    teams: tuple[str, ...] | None = None     # None = every team within the centers
    individuals: bool = True                 # False: aggregates only (no per-agent rows)

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    def sql_params(self) -> dict:
        return {"scope_centers": list(self.centers) if self.centers is not None else None,
                "scope_teams": list(self.teams) if self.teams is not None else None}

    @property
    def limits_teams(self) -> bool:
        return self.teams is not None
