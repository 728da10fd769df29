"""``load_contract``: YAML → positions → format validation → model → referenced documents.

Every problem found is collected and raised together as one ``ContractError`` whose lines
read ``file:line:col: error: message (at $.json.path)`` with a hint.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.contract.arazzo import load_arazzo
from harness.contract.build import build_contract
from harness.contract.bundle import document_policy, is_url
from harness.contract.contract import Contract
from harness.contract.openapi import load_openapi
from harness.contract.references import check_references
from harness.contract.remote import pinned_document
from harness.contract.source import (
    Positions,
    describe_scalar,
    display_path,
    parse_yaml,
    read_text,
)
from harness.contract.swagger import upgrade_reference
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
    display = display_path(file)
    source = parse_yaml(_read(file, display), display)
    data, positions = _top_level(source.data, display), source.positions
    problems = validate_data(data, positions)
    if problems:
        raise ContractError(problems)
    resolver = Resolver(os.environ if environ is None else environ, positions)
    resolved = resolver.resolve(data)
    if resolver.problems:
        raise ContractError(resolver.problems)
    contract = build_contract(resolved, positions, file)
    contract = dataclasses.replace(contract, variables=tuple(resolver.uses))
    contract = _attach_documents(contract, positions)
    problems = check_references(contract, positions)
    if environment is not None:
        problems += _environment_problems(contract, environment)
    if problems:
        raise ContractError(problems)
    return contract


_START_HINT = "start from contracts/acme-crm/integration.yaml"


def _read(file: Path, display: str) -> str:
    try:
        if file.stat().st_size > MAX_CONTRACT_BYTES:
            message = f"contract file is over {MAX_CONTRACT_BYTES // 1_000_000} MB"
            hint = "a contract describes an integration; keep vendor documents in separate files"
            raise ContractError([Problem(Location(display, 1, 1), message, hint)])
        return read_text(file, display)
    except OSError as exc:
        message = f"cannot read the contract: {exc.strerror or exc}"
        hint = "check that the file exists and is readable"
        raise ContractError([Problem(Location(display), message, hint)]) from None


def _top_level(data: Any, display: str) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if data is None:
        message = "the contract is empty"
    else:
        message = f"a contract must be a YAML mapping of sections, got {describe_scalar(data)}"
    hint = f"write 'harness: 1', 'info:', 'type:' ... at the top level; {_START_HINT}"
    raise ContractError([Problem(Location(display, 1, 1), message, hint)])


def _attach_documents(contract: Contract, positions: Positions) -> Contract:
    document = None
    policy = document_policy(contract)
    if contract.api is not None:
        api = contract.api
        where = positions.child(api.loc, "openapi")
        origin = api.openapi if is_url(api.openapi) else None
        if origin is not None:
            sha_at = positions.child(api.loc, "sha256") if api.sha256 else where
            path = pinned_document(origin, api.sha256, contract.directory, sha_at)
        else:
            path = contract.directory / api.openapi
        policy = document_policy(contract, path)
        document = load_openapi(path, where, policy, origin=origin)
    arazzo = None
    if contract.workflows is not None and contract.workflows.arazzo:
        where = positions.child(contract.workflows.loc, "arazzo")
        path = contract.directory / contract.workflows.arazzo
        arazzo = load_arazzo(path, where, document, policy)
    contract = dataclasses.replace(contract, document=document, arazzo=arazzo)
    return _swagger_pointers(contract) if document and document.converted_from else contract


def _swagger_pointers(contract: Contract) -> Contract:
    """References written into the Swagger document (``#/definitions/X``) name its schemas."""
    mappings = {
        name: _replace(entity, theirs=upgrade_reference(entity.theirs))
        for name, entity in contract.mappings.items()
    }
    webhooks = contract.webhooks
    if webhooks is not None:
        events = {
            name: _replace(event, schema=upgrade_reference(event.schema))
            for name, event in webhooks.events.items()
        }
        webhooks = _replace(webhooks, events=events)
    return dataclasses.replace(contract, mappings=mappings, webhooks=webhooks)


def _replace(node: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for the model's ``@node`` classes (mypy sees no dataclass)."""
    return dataclasses.replace(node, **changes)


def _environment_problems(contract: Contract, environment: str) -> list[Problem]:
    if environment not in contract.environments:
        known = ", ".join(contract.environments)
        message = f"no environment '{environment}' in the contract"
        return [Problem(contract.loc, message, f"declared environments: {known}")]
    return require_variables(contract.variables, environment)
