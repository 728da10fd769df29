"""harness: integration contracts checked against reality."""

from harness.contract import Contract, load_contract
from harness.errors import (
    CheckFailure,
    ContractError,
    HarnessError,
    Location,
    Problem,
    TransportError,
    UsageError,
)

__version__ = "0.1.0"

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
