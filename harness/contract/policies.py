"""The operational sections of the contract: errors, retry, rate limits, webhooks, health,
performance, security, maintenance, support, costs, migration and changelog.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from harness.contract.nodes import (
    NOWHERE,
    RateLimitHeaders,
    Secret,
    node,
    parse_window,
)
from harness.errors import Location


@node
class ErrorMatch:
    body: str | None = None
    equals: str | int | None = None
    type: str | None = None
    header: str | None = None
    loc: Location = NOWHERE


@node
class Trigger:
    operation: str
    path: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    auth: str = "valid"
    repeat: int = 1
    loc: Location = NOWHERE


@node
class ErrorCode:
    code: str
    status: int
    description: str | None = None
    resolution: str | None = None
    retryable: bool = False
    match: ErrorMatch | None = None
    trigger: Trigger | None = None
    untriggerable: str | None = None
    loc: Location = NOWHERE


@node
class Retry:
    max_attempts: int
    backoff: str = "exponential"
    base_delay_ms: int = 1000
    max_delay_ms: int | None = None
    jitter: str = "none"
    retry_on: tuple[int, ...] = (429, 502, 503, 504)
    honor_retry_after: bool = True
    max_retry_after_ms: int | None = None
    deadline_ms: int | None = None
    idempotency_header: str | None = None
    loc: Location = NOWHERE


@node
class RateLimit:
    limit: int | None = None
    window: str | None = None
    concurrent: int | None = None
    scope: str = "client"
    headers: RateLimitHeaders = RateLimitHeaders.X_RATELIMIT
    operations: tuple[str, ...] = ()
    description: str | None = None
    loc: Location = NOWHERE

    @property
    def window_s(self) -> float | None:
        """The window in seconds (``1m`` → 60.0)."""
        return parse_window(self.window) if self.window else None


@node
class Signature:
    scheme: str  # a built-in SignatureSchemeName or an installed plugin's name
    secret: Secret
    tolerance_s: int | None = None
    header: str | None = None
    algorithm: str | None = None
    encoding: str | None = None
    prefix: str | None = None
    template: str | None = None
    timestamp_header: str | None = None
    loc: Location = NOWHERE


@node
class WebhookEvent:
    name: str
    schema: str
    description: str | None = None
    trigger: str | None = None
    loc: Location = NOWHERE


@node
class WebhookHandler:
    url: str | None = None
    app: str | None = None
    replay: str = "reject"
    loc: Location = NOWHERE


@node
class Webhooks:
    signature: Signature | None = None
    events: Mapping[str, WebhookEvent] = field(default_factory=dict)
    subscription: str | None = None
    delivery_max_attempts: int = 3
    delivery_timeout_ms: int = 5000
    delivery_backoff_ms: int = 500
    handler: WebhookHandler | None = None
    allowed_ips: tuple[str, ...] = ()
    loc: Location = NOWHERE


@node
class Health:
    operation: str
    expect_status: int = 200
    max_latency_ms: int | None = None
    metrics: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    log_level: str | None = None
    loc: Location = NOWHERE


@node
class Performance:
    avg_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    throughput_rps: float | None = None
    min_samples: int = 20
    strategies: Mapping[str, str] = field(default_factory=dict)
    loc: Location = NOWHERE


@node
class Security:
    pii: tuple[str, ...] = ()
    retention_days: int | None = None
    compliance: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    considerations: tuple[str, ...] = ()
    audit: str | None = None
    strict_entities: tuple[str, ...] = ()
    loc: Location = NOWHERE

    def pii_of(self, entity: str) -> set[str]:
        """Our field paths declared PII for ``entity`` (``contact.a.b`` → ``a.b``)."""
        return {entry.split(".", 1)[1] for entry in self.pii if entry.startswith(entity + ".")}

    def pii_keys(self) -> frozenset[str]:
        """The last key of every PII path, any entity (``contact.address.city`` → ``city``).

        What a cassette scrubber looks for at any depth of a stored body.
        """
        return frozenset(entry.rpartition(".")[2] for entry in self.pii)


@node
class MaintenanceTask:
    task: str
    every: str
    last_done: dt.date | None = None
    owner: str | None = None
    description: str | None = None
    loc: Location = NOWHERE


@node
class TroubleshootingEntry:
    problem: str
    symptoms: str | None = None
    causes: tuple[str, ...] = ()
    resolution: tuple[str, ...] = ()
    prevention: str | None = None
    loc: Location = NOWHERE


@node
class Support:
    external: str | None = None
    internal: str | None = None
    channels: tuple[str, ...] = ()
    issues_url: str | None = None
    troubleshooting: tuple[TroubleshootingEntry, ...] = ()
    loc: Location = NOWHERE


@node
class Costs:
    pricing_model: str | None = None
    currency: str | None = None
    monthly_budget: float | None = None
    unit_price: float | None = None
    optimization: tuple[str, ...] = ()
    monitoring: str | None = None
    loc: Location = NOWHERE


@node
class Migration:
    from_version: str | None = None
    breaking_changes: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    loc: Location = NOWHERE


@node
class ChangelogEntry:
    version: str
    date: dt.date
    changes: tuple[str, ...] = ()
    loc: Location = NOWHERE


# --- Safety: what fuzzing may send ------------------------------------------------------------

#: Environments where destructive operations may be fuzzed when ``allow_destructive`` is unset.
DEFAULT_DESTRUCTIVE_ENVIRONMENTS = ("local",)
_TEMPLATE_PARAMETER = re.compile(r"\{[^{}/]*\}")


@node
class OperationSelector:
    """Operations picked by operationId, by path pattern (``*`` globs, ``{x}`` matches any
    parameter) or by tag; ``methods`` narrows a path or tag to those methods."""

    operation: str | None = None
    path: str | None = None
    tag: str | None = None
    methods: tuple[str, ...] = ()
    reason: str | None = None
    loc: Location = NOWHERE

    def matches(self, operation_id: str, method: str, path: str, tags: tuple[str, ...]) -> bool:
        if self.methods and method.lower() not in {m.lower() for m in self.methods}:
            return False
        if self.operation is not None:
            return self.operation == operation_id
        if self.path is not None:
            return fnmatch.fnmatchcase(_shape(path), _shape(self.path))
        return self.tag is not None and self.tag in tags

    @property
    def label(self) -> str:
        picked = (
            f"operation {self.operation}"
            if self.operation
            else f"path {self.path}"
            if self.path
            else f"tag {self.tag}"
        )
        methods = f" ({', '.join(m.upper() for m in self.methods)})" if self.methods else ""
        return picked + methods


def _shape(path: str) -> str:
    """``/users/{user_id}`` and ``/users/{id}`` are the same shape: ``/users/{}``."""
    return _TEMPLATE_PARAMETER.sub("{}", path.rstrip("/") or "/")


@node
class Safety:
    """Operations fuzzing must not send (``no_fuzz``), and destructive ones it sends only on
    the environments in ``allow_destructive`` (default: the local sandbox)."""

    no_fuzz: tuple[OperationSelector, ...] = ()
    destructive: tuple[OperationSelector, ...] = ()
    allow_destructive: tuple[str, ...] = DEFAULT_DESTRUCTIVE_ENVIRONMENTS
    loc: Location = NOWHERE

    def fuzzing_refusal(
        self,
        operation_id: str,
        method: str,
        path: str,
        tags: tuple[str, ...],
        environment: str | None = None,
    ) -> str | None:
        """Why fuzzing must not send this operation (on ``environment``), or None.

        Without ``environment`` only ``no_fuzz`` counts: destructive operations are refused
        per environment, when the target is known.
        """
        for selector in self.no_fuzz:
            if selector.matches(operation_id, method, path, tags):
                why = f": {selector.reason}" if selector.reason else ""
                where = f"{selector.label} ({selector.loc})"
                return f"excluded from fuzzing by safety.no_fuzz {where}{why}"
        if environment is None or environment in self.allow_destructive:
            return None
        for selector in self.destructive:
            if selector.matches(operation_id, method, path, tags):
                why = f": {selector.reason}" if selector.reason else ""
                return (
                    f"destructive by safety.destructive {selector.label} ({selector.loc}){why}; "
                    f"not fuzzed on '{environment}' (allowed on "
                    f"{', '.join(self.allow_destructive) or 'no environment'}: add "
                    f"'{environment}' to safety.allow_destructive to allow it)"
                )
        return None


@node
class PactSource:
    """Pact files to verify against the target (``harness check``'s ``pact`` family)."""

    path: str  # a pact file or a directory of them, relative to the contract
    provider: str | None = None  # whose interactions to verify (default: the contract's id)
    base_url: str | None = None  # where the provider runs (default: the run's target)
    state_change_url: str | None = None  # default: the local sandbox's state endpoint
    description: str | None = None
    loc: Location = NOWHERE
