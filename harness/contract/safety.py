"""Lint for the ``safety`` section: fuzzing must not destroy the identity a run uses.

A QA run on a vendor sandbox fuzzes every operation it may; a ``DELETE /users/{id}`` with
the run's own user id deletes the credentials, and every later check sees 401. Where that
is detectable — a DELETE on an identity-shaped path (``/accounts/{id}``, ``/users/{id}``,
``/me`` …) or tagged so — and a non-protected, non-local environment would let fuzzing
send it, ``harness lint`` warns. Selectors that pick no operation are warned about too.
"""

from __future__ import annotations

import re

from harness.contract.contract import Contract, Operation
from harness.contract.model import AuthType, OperationSelector
from harness.errors import Problem

#: Path segments and tags that name the identity credentials belong to.
IDENTITY_WORDS = frozenset(
    {
        "account", "accounts", "user", "users", "me", "self", "profile", "member", "members",
        "client", "clients", "credential", "credentials", "key", "keys", "apikey", "apikeys",
        "api-key", "api-keys", "api_key", "api_keys", "token", "tokens", "identity",
    }
)  # fmt: skip
_SEGMENT = re.compile(r"[^/]+")


def safety_warnings(contract: Contract) -> list[Problem]:
    """Warnings: identity DELETEs fuzzing may send, and selectors that pick nothing."""
    return _identity_warnings(contract) + _unmatched_selectors(contract)


def identity_operation(operation: Operation) -> bool:
    """A DELETE whose path or tags name an account, user, client, key or token."""
    if operation.method != "delete":
        return False
    words = {segment.lower() for segment in _SEGMENT.findall(operation.path)}
    tags = operation.definition.get("tags") or ()
    words |= {str(tag).lower() for tag in tags if isinstance(tag, str)}
    return bool(words & IDENTITY_WORDS)


def _identity_warnings(contract: Contract) -> list[Problem]:
    auth = contract.auth
    if contract.document is None or auth is None or auth.type is AuthType.NONE:
        return []
    risky = [op for op in contract.document.operations.values() if identity_operation(op)]
    problems = []
    for environment in contract.environments.values():
        if environment.protected or environment.name == "local":
            continue  # protected: never fuzzed with writes; local: the built-in sandbox
        for operation in risky:
            if contract.excluded_from_fuzzing(operation, environment.name):
                continue
            problems.append(
                Problem(
                    environment.loc,
                    f"environment '{environment.name}' lets fuzzing send {operation.label} "
                    f"({operation.operation_id}), which may delete the identity this run "
                    f"authenticates as (auth: {auth.type})",
                    "exclude it: 'safety: {no_fuzz: [{operation: "
                    f"{operation.operation_id}}}]}}', or mark it destructive (fuzzed on local "
                    "only unless safety.allow_destructive names the environment)",
                    severity="warning",
                )
            )
    return problems


def _unmatched_selectors(contract: Contract) -> list[Problem]:
    safety = contract.safety
    if safety is None or contract.document is None:
        return []
    operations = list(contract.document.operations.values())
    unmatched = [
        (key, selector)
        for key, selectors in (("no_fuzz", safety.no_fuzz), ("destructive", safety.destructive))
        for selector in selectors
        if selector.operation is None and not any(_picks(selector, op) for op in operations)
    ]
    return [
        Problem(
            selector.loc,
            f"safety.{key} {selector.label} picks no operation of {contract.document.path.name}",
            "check the path pattern (* globs, {x} matches any parameter) or the tag",
            severity="warning",
        )
        for key, selector in unmatched
    ]


def _picks(selector: OperationSelector, operation: Operation) -> bool:
    tags = operation.definition.get("tags") or ()
    return selector.matches(
        operation.operation_id,
        operation.method,
        operation.path,
        tuple(str(tag) for tag in tags if isinstance(tag, str)),
    )
