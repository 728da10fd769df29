"""Arazzo 1.0 workflow documents: load and check that every step names a real operation."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness.contract.bundle import RefPolicy, load_document
from harness.contract.contract import ApiDocument
from harness.contract.source import parse_yaml
from harness.errors import ContractError, Location, Problem


def load_arazzo(
    path: Path, used_at: Location, api: ApiDocument | None, policy: RefPolicy
) -> dict[str, Any]:
    """Load the Arazzo document and check its structure and operation references."""
    raw = load_document(path, used_at, policy)
    problems = list(_structure_problems(raw, path, api))
    if problems:
        raise ContractError(problems)
    result: dict[str, Any] = raw
    return result


def _structure_problems(raw: Any, path: Path, api: ApiDocument | None) -> Iterator[Problem]:
    if not isinstance(raw, dict) or not str(raw.get("arazzo", "")).startswith("1."):
        found = raw.get("arazzo") if isinstance(raw, dict) else None
        yield Problem(
            Location(str(path), 1, 1, "$.arazzo"),
            f"expected an Arazzo 1.x document, found arazzo: {found!r}",
            "the document must start with 'arazzo: 1.0.1'",
        )
        return
    workflows = raw.get("workflows")
    if not isinstance(workflows, list) or not workflows:
        message = "an Arazzo document needs a non-empty 'workflows' list"
        yield _at(path, ("workflows",), message, "add '- workflowId: ...' with its 'steps'")
        return
    known = set(api.operations) if api else set()
    for w_index, workflow in enumerate(workflows):
        steps = workflow.get("steps") if isinstance(workflow, dict) else None
        if not isinstance(steps, list) or not steps:
            message = "a workflow needs 'workflowId' and a non-empty 'steps' list"
            yield _at(path, ("workflows", w_index), message, "add '- stepId: ...' entries")
            continue
        for s_index, step in enumerate(steps):
            yield from _step_problems(step, path, ("workflows", w_index, "steps", s_index), known)


def _step_problems(
    step: Any, path: Path, where: tuple[str | int, ...], known: set[str]
) -> Iterator[Problem]:
    if not isinstance(step, dict) or "stepId" not in step:
        yield _at(path, where, "a step needs a 'stepId'", "give each step a unique 'stepId'")
        return
    operation = step.get("operationId")
    if not isinstance(operation, str) or not known:
        return
    name = (
        operation.rsplit(".", 1)[-1] if operation.startswith("$sourceDescriptions.") else operation
    )
    if name not in known:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = (
            f"did you mean '{close[0]}'?" if close else "use an operationId of the OpenAPI document"
        )
        yield _at(path, (*where, "operationId"), f"step names unknown operation '{name}'", hint)


def _at(path: Path, where: tuple[str | int, ...], message: str, hint: str = "") -> Problem:
    try:
        text = path.read_text(encoding="utf-8")
        location = parse_yaml(text, str(path), strict=False).positions.locate(where)
    except (ContractError, OSError):
        location = Location(str(path))
    return Problem(location, message, hint)
