"""What the checks need to know about operations: safe methods, security, path parameters."""

from __future__ import annotations

from harness.contract import Contract
from harness.contract.contract import Operation

SAFE_METHODS = frozenset({"get", "head", "options", "trace"})


def secured_operations(contract: Contract) -> list[Operation]:
    """Operations whose OpenAPI security (own, or the document's) requires credentials."""
    if contract.document is None:
        return []
    default = contract.document.raw.get("security")
    found = []
    for operation in contract.document.operations.values():
        security = operation.definition.get("security", default)
        if security and all(requirement for requirement in security):
            found.append(operation)
    return found


def path_parameters(operation: Operation) -> list[str]:
    """Names of the operation's path parameters (its own and its path item's)."""
    declared = [
        *operation.path_item.get("parameters", []),
        *operation.definition.get("parameters", []),
    ]
    return [p["name"] for p in declared if isinstance(p, dict) and p.get("in") == "path"]
