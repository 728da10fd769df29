"""Fault injection: latency, status bursts and dropped connections, on demand.

A ``Fault`` applies to the next ``count`` requests it matches (``None``: until cleared),
optionally only to one operation. The sandbox asks the board once per request; with no
faults injected that is a single attribute read.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from harness.errors import UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One injected misbehaviour.

    ``status`` answers with that status (and the operation's documented body for it);
    ``retry_after_s`` adds ``Retry-After``; ``drop_connection`` closes the connection
    without an answer; ``latency_ms`` delays the request before anything else happens.
    """

    status: int | None = None
    count: int | None = None
    latency_ms: int = 0
    retry_after_s: int | None = None
    drop_connection: bool = False
    operation: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise UsageError(
                f"a fault's status must be an HTTP status (100..599), got {self.status}"
            )
        if self.count is not None and self.count < 1:
            raise UsageError(f"a fault's count must be at least 1 (or None), got {self.count}")
        if self.latency_ms < 0 or (self.retry_after_s is not None and self.retry_after_s < 0):
            raise UsageError("a fault's latency_ms and retry_after_s must not be negative")
        if self.status is None and not self.drop_connection and not self.latency_ms:
            raise UsageError("a fault needs a status, drop_connection=True or latency_ms > 0")

    @classmethod
    def latency(cls, ms: int, *, count: int | None = None, operation: str | None = None) -> Fault:
        return cls(latency_ms=ms, count=count, operation=operation)

    @classmethod
    def burst(
        cls,
        status: int,
        count: int = 1,
        *,
        retry_after_s: int | None = None,
        operation: str | None = None,
    ) -> Fault:
        """``count`` answers with ``status`` in a row: ``Fault.burst(503, 2, retry_after_s=1)``."""
        return cls(status=status, count=count, retry_after_s=retry_after_s, operation=operation)

    @classmethod
    def drop(cls, count: int = 1, *, operation: str | None = None) -> Fault:
        return cls(drop_connection=True, count=count, operation=operation)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """A fault from the admin API's JSON (the field names of this class)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UsageError(f"unknown fault field(s) {unknown}; known: {sorted(known)}")
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise UsageError(f"invalid fault: {exc}") from None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultAction:
    """What the faults say to do with one request."""

    latency_s: float = 0.0
    status: int | None = None
    retry_after_s: int | None = None
    drop_connection: bool = False


class FaultBoard:
    """The injected faults and how many requests each still applies to; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[list[Any]] = []  # [fault, remaining]
        self._lock = threading.Lock()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append([fault, fault.count])

    def clear(self) -> None:
        with self._lock:
            self._faults = []

    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault, _ in self._faults]

    def take(self, operation_id: str | None) -> FaultAction | None:
        """The action for a request to ``operation_id``, consuming one use of each fault."""
        if not self._faults:
            return None
        latency = 0.0
        outcome: Fault | None = None
        with self._lock:
            for entry in self._faults:
                fault: Fault = entry[0]
                if fault.operation is not None and fault.operation != operation_id:
                    continue
                terminal = fault.status is not None or fault.drop_connection
                if terminal and outcome is not None:
                    continue  # one answer per request; later bursts wait their turn
                latency += fault.latency_ms / 1000
                outcome = fault if terminal else outcome
                if entry[1] is not None:
                    entry[1] -= 1
            self._faults = [e for e in self._faults if e[1] is None or e[1] > 0]
        if outcome is None and not latency:
            return None
        return FaultAction(
            latency_s=latency,
            status=outcome.status if outcome and not outcome.drop_connection else None,
            retry_after_s=outcome.retry_after_s if outcome else None,
            drop_connection=bool(outcome and outcome.drop_connection),
        )
