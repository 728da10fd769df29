"""harness: integration contracts checked against reality.

The contract loader is imported on first use (``harness.load_contract``), so that importing
harness — as pytest does with every plugin it finds — stays cheap in projects without contracts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from harness.errors import (
    CheckFailure,
    ContractError,
    HarnessError,
    Location,
    Problem,
    TransportError,
    UsageError,
)

if TYPE_CHECKING:
    from harness.contract import Contract, load_contract

__version__ = "0.1.0"

_LAZY = {"Contract": "harness.contract", "load_contract": "harness.contract"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


__all__ = [
    "CheckFailure",
    "Contract",
    "ContractError",
    "HarnessError",
    "Location",
    "Problem",
    "TransportError",
    "UsageError",
    "__version__",
    "load_contract",
]
