"""The contract as typed, frozen data: one class per section of the Integration Guide.

Every node carries ``loc`` (file, line, column, JSON path) so that any later stage can
point the user at the line of the contract a verdict is about. Secrets are ``Secret``
values whose ``repr`` never shows the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from harness.contract.nodes import (
    NOWHERE,
    AuthType,
    IntegrationType,
    RateLimitHeaders,
    Secret,
    SignatureSchemeName,
    Status,
    node,
    parse_window,
)
from harness.contract.policies import (
    ChangelogEntry,
    Costs,
    ErrorCode,
    ErrorMatch,
    Health,
    MaintenanceTask,
    Migration,
    OperationSelector,
    Performance,
    RateLimit,
    Retry,
    Safety,
    Security,
    Signature,
    Support,
    Trigger,
    TroubleshootingEntry,
    WebhookEvent,
    WebhookHandler,
    Webhooks,
)
from harness.errors import Location


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
    sha256: str | None = None
    allow_remote_refs: bool = False
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


__all__ = [
    "NOWHERE", "Api", "Auth", "AuthType", "ChangelogEntry", "Component", "ConfigOption", "Costs",
    "EntityMapping", "Environment", "ErrorCode", "ErrorMatch", "FieldMapping", "Health", "Info",
    "IntegrationType", "JwtSettings", "MaintenanceTask", "Migration", "OperationSelector",
    "Pagination", "Pattern", "Performance", "RateLimit", "RateLimitHeaders", "Retry", "Safety",
    "Secret", "Security", "Signature", "SignatureSchemeName", "Status", "Support", "Trigger",
    "TroubleshootingEntry",
    "ValidationRules", "WebhookEvent", "WebhookHandler", "Webhooks", "Workflows", "node",
    "parse_window",
]  # fmt: skip
