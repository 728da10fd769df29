"""The contract: the Integration Guide as data, its loader and its JSON Schema."""

from harness.contract.contract import ApiDocument, Contract, Operation, VariableUse
from harness.contract.loader import CONTRACT_FILE, contract_file, load_contract
from harness.contract.model import Secret
from harness.contract.validation import format_schema

__all__ = [
    "CONTRACT_FILE",
    "ApiDocument",
    "Contract",
    "Operation",
    "Secret",
    "VariableUse",
    "contract_file",
    "format_schema",
    "load_contract",
]
