"""What a conformance check's examples actually reached: status → count, in order.

"20 positive examples conform" means little when all 20 were answered 404; the tally lets
the check say "reached 2xx in 9/20 examples (9x 200, 11x 404)", store the statuses in the
results (``data["statuses"]``), and refuse to pass a claim it never exercised.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

#: Answers that say the credentials, not the request, were refused.
AUTH_REFUSED = frozenset({401, 403})
#: Consecutive refusals after a success that mean the credentials stopped working.
BROKEN_AUTH_STREAK = 3


@dataclass(slots=True)
class Reached:
    """Statuses of one check's examples (``None``: the server hung up)."""

    statuses: list[int | None] = field(default_factory=list)
    known: int = 0  # examples sent with a resource harness had just created

    def add(self, status: int | None) -> None:
        self.statuses.append(status)

    @property
    def count(self) -> int:
        return len(self.statuses)

    @property
    def successes(self) -> int:
        return sum(1 for status in self.statuses if status is not None and 200 <= status < 300)

    def counts(self) -> dict[str, int]:
        tally = Counter("dropped" if status is None else str(status) for status in self.statuses)
        return dict(sorted(tally.items()))

    def breakdown(self) -> str:
        return ", ".join(f"{count}x {status}" for status, count in self.counts().items())

    def summary(self) -> str:
        """``reached 2xx in 9/20 examples (9x 200, 11x 404)``."""
        text = f"reached 2xx in {self.successes}/{self.count} examples"
        return f"{text} ({self.breakdown()})" if self.count else text

    def data(self) -> dict[str, Any]:
        return {
            "statuses": self.counts(),
            "examples": self.count,
            "reached_2xx": self.successes,
            "known_resources": self.known,
        }

    def only_refusals(self) -> bool:
        """Every answer said the credentials were refused (401/403)."""
        return bool(self.statuses) and all(s in AUTH_REFUSED for s in self.statuses)

    def auth_broke(self) -> bool:
        """A success, then nothing but refusals (at least ``BROKEN_AUTH_STREAK`` of them)."""
        last_success = max(
            (i for i, s in enumerate(self.statuses) if s is not None and 200 <= s < 300),
            default=None,
        )
        if last_success is None:
            return False
        tail = self.statuses[last_success + 1 :]
        return len(tail) >= BROKEN_AUTH_STREAK and all(s in AUTH_REFUSED for s in tail)

    def single_status(self) -> int | None:
        """The one status every example got, if they all got the same one."""
        distinct = set(self.statuses)
        if len(distinct) == 1:
            return next(iter(distinct))
        return None
