"""harness: integration contracts checked against reality.

The public API: ``harness.check(contract, env=..., families=..., mode=...) -> RunResult``
runs a contract's checks from Python; ``load_contract`` loads one; ``running_sandbox`` serves
the local sandbox of a contract; ``WebhookKit`` signs and sends webhooks to a handler. Every
other module is internal and may change between versions.

These names are imported on first use, so that importing harness — as pytest does with every
plugin it finds — stays cheap in projects without contracts.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
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
    from harness.api import RunResult, check
    from harness.contract import Contract, load_contract
    from harness.sandbox import running_sandbox
    from harness.webhooks.kit import WebhookKit

try:
    __version__ = version("harness")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

_LAZY = {
    "Contract": "harness.contract",
    "load_contract": "harness.contract",
    "check": "harness.api",
    "RunResult": "harness.api",
    "running_sandbox": "harness.sandbox",
    "WebhookKit": "harness.webhooks.kit",
}


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
    "RunResult",
    "TransportError",
    "UsageError",
    "WebhookKit",
    "__version__",
    "check",
    "load_contract",
    "running_sandbox",
]
