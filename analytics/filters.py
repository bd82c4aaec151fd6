"""What a view asks for: a period and the centers, queues, teams and agents to include."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from analytics import schema


@dataclass(frozen=True)
class Filters:
    start: date  # first local day, inclusive
    end: date  # last local day, inclusive
    centers: tuple[str, ...] = ()  # empty = all
    queues: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    grain: str = "day"
    direction: str = "inbound"  # service metrics are about calls waiting to be answered

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        if self.grain not in schema.TIME_GRAINS:
            raise ValueError(f"unknown grain {self.grain!r}; choose one of {schema.TIME_GRAINS}")
        if self.direction not in schema.DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        for name in ("centers", "queues", "teams", "agents"):
            if isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a tuple of codes, not one string")

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    @property
    def months(self) -> tuple[str, str]:
        """First and last 'YYYY-MM' partition the period touches."""
        return self.start.strftime("%Y-%m"), self.end.strftime("%Y-%m")
