"""The contract as typed, frozen data: one class per section of the Integration Guide.

Every node carries ``loc`` (file, line, column, JSON path) so that any later stage can
point the user at the line of the contract a verdict is about. Secrets are ``Secret``
values whose ``repr`` never shows the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.errors import Location

NOWHERE = Location("<contract>")
node = dataclass(frozen=True, slots=True, kw_only=True)


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value from ``${VAR}``; printing it never shows the value."""

    var: str | None
    value: str | None = field(repr=False, compare=False)

    def reveal(self) -> str:
        """The value, for the one place that must send it (an auth header, a signature)."""
        if self.value is None:
            raise LookupError(f"secret ${{{self.var}}} is not set")
        return self.value

    @property
    def is_set(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return f"${{{self.var}}}" if self.var else "***"

    def __repr__(self) -> str:
        return f"Secret({self})"


class IntegrationType(StrEnum):
    REST = "rest"
    SOAP = "soap"
    WEBHOOK = "webhook"
    QUEUE = "queue"
    DATABASE = "database"
    FILE = "file"
    OTHER = "other"


class Status(StrEnum):
    ACTIVE = "active"
    BETA = "beta"
    DEPRECATED = "deprecated"


class AuthType(StrEnum):
    OAUTH2_CLIENT_CREDENTIALS = "oauth2-client-credentials"
    API_KEY = "api-key"
    BASIC = "basic"
    BEARER = "bearer"
    JWT = "jwt"
    NONE = "none"


class SignatureSchemeName(StrEnum):
    STANDARD_WEBHOOKS = "standard-webhooks"
    STRIPE = "stripe"
    GITHUB = "github"
    SLACK = "slack"
    SHOPIFY = "shopify"
    HMAC_SHA256 = "hmac-sha256"


class RateLimitHeaders(StrEnum):
    X_RATELIMIT = "x-ratelimit"
    IETF = "ietf"
    LEGACY_RATELIMIT = "legacy-ratelimit"
    NONE = "none"


@node
class Info:
    id: str
    name: str
    version: str
    status: Status = Status.ACTIVE
    owner: str | None = None
    author: str | None = None
    updated: dt.date | None = None
    purpose: str | None = None
    business_value: str | None = None
    capabilities: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    glossary: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)
    loc: Location = NOWHERE


@node
class Component:
    name: str
    side: str
    role: str | None = None
    loc: Location = NOWHERE


@node
class Pattern:
    style: str | None = None
    direction: str | None = None
    frequency: str | None = None
    schedule: str | None = None
    data_flow: tuple[str, ...] = ()
    components: tuple[Component, ...] = ()
    loc: Location = NOWHERE


@node
class Environment:
    name: str
    base_url: str | None = None
    protected: bool = False
    description: str | None = None
    credentials: str | None = None
    loc: Location = NOWHERE


@node
class ConfigOption:
    name: str
    type: str
    env: str | None = None
    required: bool = False
    default: str | int | float | bool | None = None
    description: str | None = None
    secret: bool = False
    environments: tuple[str, ...] = ()
    loc: Location = NOWHERE


@node
class JwtSettings:
    algorithm: str
    secret: Secret | None = None
    issuer: str | None = None
    audience: str | None = None
    subject: str | None = None
    lifetime_s: int = 300
    loc: Location = NOWHERE


@node
class Auth:
    type: AuthType
    token_url: str | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    scopes: tuple[str, ...] = ()
    audience: str | None = None
    refresh_leeway_s: int = 60
    token_lifetime_s: int = 3600
    refresh_tokens: bool = False
    header: str | None = None
    in_: str = "header"
    key: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    jwt: JwtSettings | None = None
    loc: Location = NOWHERE


@node
class Pagination:
    style: str = "page"
    page_param: str = "page"
    size_param: str = "per_page"
    max_page_size: int | None = None
    items_field: str = "data"
    loc: Location = NOWHERE


@node
class Api:
    openapi: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout_ms: int | None = None
    pagination: Pagination | None = None
    batch_size: int | None = None
    loc: Location = NOWHERE


@node
class Workflows:
    arazzo: str | None = None
    loc: Location = NOWHERE


@node
class ValidationRules:
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[Any, ...] = ()
    format: str | None = None
    required: bool = False
    loc: Location = NOWHERE


@node
class FieldMapping:
    ours: tuple[str, ...]
    theirs: tuple[str, ...]
    transform: str = "direct"
    lossy: bool | None = None
    type: str | None = None
    description: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    validate: ValidationRules | None = None
    loc: Location = NOWHERE


@node
class EntityMapping:
    name: str
    ours: str
    theirs: str
    fields: tuple[FieldMapping, ...]
    operation: str | None = None
    strict: bool = False
    description: str | None = None
    loc: Location = NOWHERE


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
    scheme: SignatureSchemeName
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


_WINDOW_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_window(text: str) -> float:
    """``'15m'`` → 900.0 seconds (the format is checked by the contract's JSON Schema)."""
    unit = "ms" if text.endswith("ms") else text[-1]
    return float(text[: -len(unit)]) * _WINDOW_UNITS[unit]
