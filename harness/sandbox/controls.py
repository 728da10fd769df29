"""``Controls``: everything a test may do to a running sandbox, from Python (thread-safe).

The same controls are served over HTTP under ``/__harness__/`` (see ``admin.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from harness.sandbox.auth import TokenStore
from harness.sandbox.clock import SandboxClock
from harness.sandbox.errors import TriggerTable
from harness.sandbox.faults import Fault, FaultBoard
from harness.sandbox.ratelimit import RateLimiter
from harness.sandbox.recording import RecordedRequest, RequestLog
from harness.sandbox.store import IdempotencyCache, Store
from harness.sandbox.webhooks import Delivery, WebhookDispatcher


@dataclass(frozen=True, slots=True, kw_only=True)
class _Parts:
    faults: FaultBoard
    clock: SandboxClock
    tokens: TokenStore
    limiter: RateLimiter
    log: RequestLog
    webhooks: WebhookDispatcher
    store: Store
    triggers: TriggerTable
    idempotency: IdempotencyCache
    issue: Callable[[frozenset[str] | None], str]


class Controls:
    """Fault injection, clock, tokens, rate limits, the request log and webhooks."""

    def __init__(self, parts: _Parts) -> None:
        self._parts = parts

    # --- faults ----------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        """Apply ``fault`` to the next ``fault.count`` matching requests (None: until cleared)."""
        self._parts.faults.inject(fault)

    def clear_faults(self) -> None:
        self._parts.faults.clear()

    @property
    def faults(self) -> list[Fault]:
        return self._parts.faults.active()

    # --- tokens and clock ------------------------------------------------------------------

    def revoke_tokens(self) -> None:
        """Revoke every access and refresh token issued so far (new ones still work)."""
        self._parts.tokens.revoke_all()

    def issue_token(self, scopes: frozenset[str] | None = None) -> str:
        """An access token for the sandbox's client, without a request to the token endpoint."""
        return self._parts.issue(scopes)

    def skew_clock(self, seconds: float) -> None:
        """Set the sandbox clock ``seconds`` away from real time (0 puts it right)."""
        self._parts.clock.skew(seconds)

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward: tokens expire and rate-limit windows end."""
        self._parts.clock.advance(seconds)

    def now(self) -> float:
        return self._parts.clock.now()

    @property
    def clock_offset_s(self) -> float:
        return self._parts.clock.offset_s

    # --- rate limits -----------------------------------------------------------------------

    def set_rate_limit_enforcement(self, enabled: bool) -> None:
        """Off: limits are still counted and announced in headers, never enforced."""
        self._parts.limiter.enforce = enabled

    @property
    def rate_limits_enforced(self) -> bool:
        return self._parts.limiter.enforce

    # --- the request log -------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received (admin requests excluded), oldest first."""
        return self._parts.log.entries()

    def clear_requests(self) -> None:
        self._parts.log.clear()

    # --- webhooks --------------------------------------------------------------------------

    def subscribe(self, url: str) -> None:
        """Deliver every event to ``url`` from now on."""
        self._parts.webhooks.subscribe(url)

    def unsubscribe(self, url: str | None = None) -> None:
        """Stop delivering to ``url`` (to every subscriber when None)."""
        self._parts.webhooks.unsubscribe(url)

    @property
    def subscribers(self) -> list[str]:
        return self._parts.webhooks.subscribers()

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery attempt so far, oldest first."""
        return self._parts.webhooks.deliveries()

    def wait_for_deliveries(self, timeout: float = 10.0) -> list[Delivery]:
        """Wait until no delivery is queued or in flight (retries included); the log."""
        self._parts.webhooks.wait_idle(timeout)
        return self.deliveries

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        """Wait until at least ``count`` delivery attempts were made; the log."""
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.deliveries

    # --- everything ------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh sandbox: no resources, tokens, faults, counters, logs or subscribers."""
        parts = self._parts
        parts.faults.clear()
        parts.clock.skew(0)
        parts.tokens.clear()
        parts.limiter.reset()
        parts.log.clear()
        parts.webhooks.unsubscribe()
        parts.webhooks.clear()
        parts.store.clear()
        parts.triggers.reset()
        parts.idempotency.clear()
