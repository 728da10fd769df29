"""The loaded contract: the sections of the guide plus the documents it references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.contract.model import (
    NOWHERE,
    Api,
    Auth,
    ChangelogEntry,
    ConfigOption,
    Costs,
    EntityMapping,
    Environment,
    ErrorCode,
    Health,
    Info,
    IntegrationType,
    MaintenanceTask,
    Migration,
    Pattern,
    Performance,
    RateLimit,
    Retry,
    Safety,
    Security,
    Support,
    Webhooks,
    Workflows,
)
from harness.contract.policies import PactSource
from harness.errors import Location

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# RFC 9110 §9.2.1: methods a client may send without asking for a change on the server.
SAFE_METHODS = frozenset({"get", "head", "options", "trace"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One OpenAPI operation, indexed by operationId."""

    operation_id: str
    method: str
    path: str
    definition: Mapping[str, Any]
    path_item: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_parameters(self) -> list[str]:
        """Names of the operation's path parameters (its own and its path item's)."""
        declared = [*self.path_item.get("parameters", []), *self.definition.get("parameters", [])]
        return [p["name"] for p in declared if isinstance(p, dict) and p.get("in") == "path"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiDocument:
    """A loaded OpenAPI document (the raw data, as read) and its operation index."""

    path: Path
    raw: Mapping[str, Any]
    operations: Mapping[str, Operation]
    converted_from: str = ""  # "2.0": read from Swagger 2.0, converted to OpenAPI 3.0

    @property
    def version(self) -> str:
        return str(self.raw.get("openapi", ""))

    def resolve_pointer(self, pointer: str) -> Any:
        """Follow a JSON pointer such as ``/components/schemas/Contact``."""
        node: Any = self.raw
        for token in pointer.lstrip("/").split("/"):
            if not token:
                continue
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node


@dataclass(frozen=True, slots=True)
class VariableUse:
    """A ``${VAR}`` in the contract: where it is used and whether it is set."""

    name: str
    location: Location
    is_set: bool
    secret: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """An integration's contract, validated and cross-checked."""

    path: Path
    format_version: int
    info: Info
    type: tuple[IntegrationType, ...]
    environments: Mapping[str, Environment]
    pattern: Pattern | None = None
    config: tuple[ConfigOption, ...] = ()
    auth: Auth | None = None
    api: Api | None = None
    workflows: Workflows | None = None
    mappings: Mapping[str, EntityMapping] = field(default_factory=dict)
    errors: tuple[ErrorCode, ...] = ()
    retry: Retry | None = None
    rate_limits: tuple[RateLimit, ...] = ()
    webhooks: Webhooks | None = None
    health: Health | None = None
    performance: Performance | None = None
    security: Security | None = None
    maintenance: tuple[MaintenanceTask, ...] = ()
    support: Support | None = None
    costs: Costs | None = None
    migration: Migration | None = None
    changelog: tuple[ChangelogEntry, ...] = ()
    safety: Safety | None = None
    pacts: tuple[PactSource, ...] = ()
    document: ApiDocument | None = None
    arazzo: Mapping[str, Any] | None = None
    variables: tuple[VariableUse, ...] = ()
    loc: Location = NOWHERE

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def directory(self) -> Path:
        return self.path.parent

    def operation(self, operation_id: str) -> Operation:
        """The OpenAPI operation with this id (KeyError if the contract has none)."""
        if self.document is None:
            raise KeyError(operation_id)
        return self.document.operations[operation_id]

    def error(self, code: str) -> ErrorCode:
        for entry in self.errors:
            if entry.code == code:
                return entry
        raise KeyError(code)

    # --- safety (fuzzing exclusions) ---------------------------------------------------------

    def excluded_from_fuzzing(
        self, operation: Operation, environment: str | None = None
    ) -> str | None:
        """Why fuzzing (conformance examples, stateful sequences) must not send ``operation``
        on ``environment``, or None. Without ``environment``: only ``safety.no_fuzz``."""
        if self.safety is None:
            return None
        tags = operation.definition.get("tags") or ()
        return self.safety.fuzzing_refusal(
            operation.operation_id,
            operation.method,
            operation.path,
            tuple(str(tag) for tag in tags if isinstance(tag, str)),
            environment,
        )

    def excluded_operations(self, environment: str | None = None) -> dict[str, str]:
        """Every operation fuzzing must not send on ``environment``: operationId → reason."""
        operations = self.document.operations.values() if self.document else ()
        found = {op.operation_id: self.excluded_from_fuzzing(op, environment) for op in operations}
        return {operation_id: reason for operation_id, reason in found.items() if reason}

    # --- secrets ------------------------------------------------------------------------------

    def secret_values(self) -> frozenset[str]:
        """Every secret value known to the contract, for scrubbing (never for printing)."""
        found: set[str] = set()
        for secret in _secrets_of(self):
            if secret.value:
                found.add(secret.value)
        return frozenset(found)


def _secrets_of(contract: Contract) -> list[Any]:
    found: list[Any] = []
    auth = contract.auth
    if auth is not None:
        found += [auth.client_secret, auth.key, auth.password, auth.token]
        if auth.jwt is not None:
            found.append(auth.jwt.secret)
    if contract.webhooks is not None and contract.webhooks.signature is not None:
        found.append(contract.webhooks.signature.secret)
    return [secret for secret in found if secret is not None]
