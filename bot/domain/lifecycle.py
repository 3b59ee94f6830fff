"""A kind's statuses in the order they happen: a later one is never undone by an earlier one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lifecycle:
    # Statuses in order; statuses on one step (e.g. "ready" and "error") share a rank.
    steps: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, *steps: str | tuple[str, ...]) -> Lifecycle:
        return cls(tuple(frozenset((s,) if isinstance(s, str) else s) for s in steps))

    def rank(self, status: str | None) -> int:
        """-1 for a status the lifecycle does not know (such as "starting"): anything follows."""
        for rank, step in enumerate(self.steps):
            if status in step:
                return rank
        return -1

    def not_after(self, status: str | None) -> frozenset[str]:
        """The statuses that ``status`` must not replace: those later in the lifecycle."""
        rank = self.rank(status)
        if rank < 0:
            return frozenset()
        return frozenset().union(*self.steps[rank + 1 :])

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset().union(*self.steps)
