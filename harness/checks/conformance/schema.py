"""The contract's OpenAPI document as Schemathesis loads it, and its operations there."""

from __future__ import annotations

from functools import partial
from typing import Any

import schemathesis

from harness.checks.base import CheckRuntime
from harness.contract import Contract
from harness.contract.contract import Operation


def schemathesis_schema(context: CheckRuntime) -> Any:
    """The contract's OpenAPI document as loaded by Schemathesis (once per run)."""
    return context.shared("schemathesis-schema", partial(_load_schema, context.contract))


def find_api_operation(schema: Any, operation: Operation) -> Any:
    """Schemathesis's operation for ``operation``: by operationId, else by path and method.

    Documents without operationIds are common; harness names those operations itself, and
    Schemathesis finds them by their path and method.
    """
    try:
        return schema.find_operation_by_id(operation.operation_id)
    except LookupError:
        return schema[operation.path][operation.method.upper()]


def _load_schema(contract: Contract) -> Any:
    assert contract.document is not None  # planned only with a document
    return schemathesis.openapi.from_dict(dict(contract.document.raw))
