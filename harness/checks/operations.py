"""What the checks of several families need to know about a contract's operations.

The operations security covers and the OAuth2 token endpoint. Safe methods and path
parameters are the contract's own (``contract.contract.SAFE_METHODS``,
``Operation.path_parameters``).
"""

from __future__ import annotations

from harness.contract import Contract
from harness.contract.contract import Operation


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


def is_token_endpoint(contract: Contract, operation: Operation) -> bool:
    """Whether ``operation`` is the contract's OAuth2 token endpoint (``POST token_url``)."""
    auth = contract.auth
    token_url = auth.token_url if auth is not None else None
    return operation.method == "post" and token_url is not None and operation.path == token_url
