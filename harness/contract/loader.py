"""``load_contract``: YAML → positions → format validation → model → referenced documents.

Every problem found is collected and raised together as one ``ContractError`` whose lines
read ``file:line:col: error: message (at $.json.path)`` with a hint.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from harness.contract.arazzo import load_arazzo
from harness.contract.build import build_contract
from harness.contract.contract import Contract
from harness.contract.openapi import load_openapi
from harness.contract.references import check_references
from harness.contract.source import parse_yaml
from harness.contract.validation import validate_data
from harness.contract.variables import Resolver, require_variables
from harness.errors import ContractError, Location, Problem

CONTRACT_FILE = "integration.yaml"
MAX_CONTRACT_BYTES = 5_000_000


def contract_file(path: str | os.PathLike[str]) -> Path:
    """The ``integration.yaml`` a path names (the file, or the folder holding it)."""
    candidate = Path(path)
    if candidate.is_dir():
        candidate = candidate / CONTRACT_FILE
    if not candidate.is_file():
        hint = f"a contract folder holds {CONTRACT_FILE}; copy contracts/acme-crm to start one"
        raise ContractError([Problem(Location(str(candidate)), "no contract here", hint)])
    return candidate


def load_contract(
    path: str | os.PathLike[str],
    *,
    environ: Mapping[str, str] | None = None,
    environment: str | None = None,
) -> Contract:
    """Load and check one contract.

    ``environ`` supplies ``${VAR}`` values (default: the process environment). With
    ``environment``, every variable that environment needs must be set.
    """
    file = contract_file(path)
    display = _display(file)
    text = _read(file, display)
    source = parse_yaml(text, display)
    data, positions = source.data, source.positions
    if not isinstance(data, dict):
        raise ContractError(
            [Problem(Location(display, 1, 1), "a contract must be a YAML mapping", _START_HINT)]
        )
    problems = validate_data(data, positions)
    if problems:
        raise ContractError(problems)
    resolver = Resolver(os.environ if environ is None else environ, positions)
    resolved = resolver.resolve(data)
    if resolver.problems:
        raise ContractError(resolver.problems)
    contract = build_contract(resolved, positions, file)
    contract = dataclasses.replace(contract, variables=tuple(resolver.uses))
    contract = _attach_documents(contract)
    problems = check_references(contract)
    if environment is not None:
        problems += _environment_problems(contract, environment)
    if problems:
        raise ContractError(problems)
    return contract


_START_HINT = "start from contracts/acme-crm/integration.yaml"


def _display(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _read(file: Path, display: str) -> str:
    try:
        if file.stat().st_size > MAX_CONTRACT_BYTES:
            raise ContractError([Problem(Location(display), "contract file is over 5 MB")])
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem(Location(display), f"not UTF-8 text: {exc.reason}", "save as UTF-8")
        raise ContractError([problem]) from None
    except OSError as exc:
        raise ContractError([Problem(Location(display), f"cannot read: {exc.strerror}")]) from None


def _attach_documents(contract: Contract) -> Contract:
    document = None
    if contract.api is not None:
        document = load_openapi(contract.directory / contract.api.openapi, contract.api.loc)
    arazzo = None
    if contract.workflows is not None and contract.workflows.arazzo:
        where = contract.workflows.loc
        arazzo = load_arazzo(contract.directory / contract.workflows.arazzo, where, document)
    return dataclasses.replace(contract, document=document, arazzo=arazzo)


def _environment_problems(contract: Contract, environment: str) -> list[Problem]:
    if environment not in contract.environments:
        known = ", ".join(contract.environments)
        message = f"no environment '{environment}' in the contract"
        return [Problem(contract.loc, message, f"declared environments: {known}")]
    return require_variables(contract.variables, environment)
