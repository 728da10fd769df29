"""Rate limits as the contract declares them: per-window quotas and concurrency caps.

A window starts at a client's first request and lasts ``window`` seconds of the sandbox
clock (so ``advance_clock`` ends it at once). Every response of a limited operation
announces the quota in the declared header style; with enforcement off the sandbox
still counts and announces, but never refuses.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from harness.contract.model import RateLimit, RateLimitHeaders
from harness.sandbox.clock import SandboxClock
from harness.transports.ratelimit_headers import format_rate_limit_headers

_GLOBAL_SCOPES = frozenset({"global", "account", "tenant", "all"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Quota:
    """The state of one window, as the headers announce it."""

    limit: int
    remaining: int
    reset_s: float
    window_s: int
    style: RateLimitHeaders

    def headers(self) -> dict[str, str]:
        if self.style is RateLimitHeaders.NONE:
            return {}
        window = self.window_s if self.style is RateLimitHeaders.IETF else None
        return _formatted(
            self.style.value, self.limit, self.remaining, math.ceil(self.reset_s), window
        )

    @property
    def retry_after_s(self) -> int:
        return max(1, math.ceil(self.reset_s))


@functools.lru_cache(maxsize=4096)
def _formatted(
    style: str, limit: int, remaining: int, reset: int, window: int | None
) -> dict[str, str]:
    return format_rate_limit_headers(style, limit, remaining, reset, window)


@dataclass(frozen=True, slots=True, kw_only=True)
class RateDecision:
    allowed: bool
    quota: Quota | None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Rule:
    """One declared limit, with its numbers worked out once."""

    index: int
    amount: int  # requests per window, or requests in flight
    window_s: float  # 0 for a concurrency cap
    scope: str  # "client", "global" or "operation"
    style: RateLimitHeaders
    operations: frozenset[str]

    def key(self, client: str, operation_id: str) -> tuple[int, str]:
        if self.scope == "global":
            return self.index, "*"
        if self.scope == "operation":
            return self.index, f"{client}:{operation_id}"
        return self.index, client


class RateLimiter:
    """Counts requests per client and window, and requests in flight; thread-safe."""

    def __init__(
        self,
        rules: Sequence[RateLimit],
        clock: SandboxClock,
        *,
        limited: Collection[str],
        enforce: bool = True,
    ) -> None:
        self._windows = [_rule(i, r) for i, r in enumerate(rules) if r.limit and r.window_s]
        self._caps = [_rule(i, r) for i, r in enumerate(rules) if r.concurrent is not None]
        self._clock = clock
        self._limited = frozenset(limited)
        self.enforce = enforce
        self._initially_enforced = enforce
        self._state: dict[tuple[int, str], list[float]] = {}  # [start, count]
        self._in_flight: dict[tuple[int, str], int] = {}
        self._covering: dict[tuple[bool, str], list[_Rule]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget every window and in-flight count; enforcement back to how it started."""
        self.enforce = self._initially_enforced
        with self._lock:
            self._state.clear()
            self._in_flight.clear()

    def consume(self, client: str, operation_id: str) -> RateDecision:
        """Count one request; refused (when enforcing) if any window is used up."""
        rules = self._rules(operation_id)
        if not rules:
            return RateDecision(allowed=True, quota=None)
        now = self._clock.now()
        with self._lock:
            states = [self._window(rule, client, operation_id, now) for rule in rules]
            pairs = list(zip(rules, states, strict=True))
            exhausted = any(state[1] >= rule.amount for rule, state in pairs)
            refused = exhausted and self.enforce
            if not refused:
                for rule, state in pairs:
                    state[1] = min(state[1] + 1, rule.amount)
            quota = _tightest(rules, states, now)
        return RateDecision(allowed=not refused, quota=quota)

    def peek(self, client: str, operation_id: str) -> Quota | None:
        """The quota to announce without counting a request."""
        rules = self._rules(operation_id)
        if not rules:
            return None
        now = self._clock.now()
        with self._lock:
            states = [self._window(rule, client, operation_id, now) for rule in rules]
            return _tightest(rules, states, now)

    def enter(self, client: str, operation_id: str) -> bool:
        """Start a request; False (when enforcing) if a concurrency cap is reached."""
        caps = self._rules(operation_id, caps=True)
        if not caps:
            return True
        keys = [(cap.key(client, operation_id), cap.amount) for cap in caps]
        with self._lock:
            full = any(self._in_flight.get(key, 0) >= amount for key, amount in keys)
            if full and self.enforce:
                return False
            for key, _ in keys:
                self._in_flight[key] = self._in_flight.get(key, 0) + 1
        return True

    def leave(self, client: str, operation_id: str) -> None:
        caps = self._rules(operation_id, caps=True)
        if not caps:
            return
        with self._lock:
            for cap in caps:
                key = cap.key(client, operation_id)
                self._in_flight[key] = max(0, self._in_flight.get(key, 0) - 1)

    def _rules(self, operation_id: str, *, caps: bool = False) -> list[_Rule]:
        found = self._covering.get((caps, operation_id))
        if found is None:
            pool = self._caps if caps else self._windows
            found = [r for r in pool if operation_id in (r.operations or self._limited)]
            self._covering[(caps, operation_id)] = found
        return found

    def _window(self, rule: _Rule, client: str, operation_id: str, now: float) -> list[float]:
        key = rule.key(client, operation_id)
        state = self._state.get(key)
        if state is None or now >= state[0] + rule.window_s or now < state[0]:
            state = self._state[key] = [now, 0.0]
        return state


def _rule(index: int, rule: RateLimit) -> _Rule:
    scope = rule.scope.lower()
    if scope in _GLOBAL_SCOPES:
        scope = "global"
    elif scope in ("operation", "endpoint", "route"):
        scope = "operation"
    return _Rule(
        index=index,
        amount=int(rule.limit if rule.limit and rule.window_s else rule.concurrent or 0),
        window_s=float(rule.window_s or 0) if rule.limit else 0.0,
        scope=scope,
        style=rule.headers,
        operations=frozenset(rule.operations),
    )


def _tightest(rules: list[_Rule], states: list[list[float]], now: float) -> Quota:
    quotas = [
        Quota(
            limit=rule.amount,
            remaining=max(0, rule.amount - int(state[1])),
            reset_s=max(0.0, state[0] + rule.window_s - now),
            window_s=int(rule.window_s),
            style=rule.style,
        )
        for rule, state in zip(rules, states, strict=True)
    ]
    return quotas[0] if len(quotas) == 1 else min(quotas, key=lambda q: (q.remaining, -q.reset_s))
