"""What a workflow refers to: its operations, the step outputs it reads, and where it is written.

``ArazzoFile`` ties the contract's Arazzo document to its file so any node can be named as
``workflows.arazzo.yaml:57:11`` (the YAML is parsed once more, with positions, on first use).
``operation_of`` maps a step's ``operationId`` (plain or ``$sourceDescriptions.x.id``) or
``operationPath`` (``{$sourceDescriptions.x.url}#/paths/~1contacts/post``) to the OpenAPI
operation. ``reference_problems`` is the lint rule: a step naming an operation the OpenAPI
document lacks, or an expression reading a step output that step never declares, is an error
at its Arazzo line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.contract import ApiDocument, Contract
from harness.contract.source import Positions, parse_yaml
from harness.errors import ContractError, Location, Problem
from harness.workflows.model import Path as NodePath
from harness.workflows.model import Step, Workflow, workflows_of

_SOURCE_OPERATION = re.compile(r"^\$sourceDescriptions\.[^.]+\.(?P<id>.+)$")
_OUTPUT_READ = re.compile(r"\$steps\.(?P<step>[A-Za-z0-9_\-]+)\.outputs\.(?P<name>[A-Za-z0-9_\-]+)")
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(slots=True)
class ArazzoFile:
    """The contract's Arazzo document, its workflows, and the file to locate nodes in."""

    file: Path | None
    workflows: tuple[Workflow, ...]
    _positions: Positions | None = field(default=None, repr=False)
    _unreadable: bool = field(default=False, repr=False)

    @classmethod
    def of(cls, contract: Contract) -> ArazzoFile:
        section = contract.workflows
        file = contract.directory / section.arazzo if section and section.arazzo else None
        return cls(file=file, workflows=workflows_of(contract.arazzo))

    def locate(self, path: NodePath) -> Location:
        """Where node ``path`` is written (file:line:col), or just the file."""
        if self.file is None:
            return Location("<no arazzo document>")
        if self._positions is None and not self._unreadable:
            try:
                text = self.file.read_text(encoding="utf-8")
                self._positions = parse_yaml(text, _shown(self.file), strict=False).positions
            except (ContractError, OSError):
                self._unreadable = True  # the loader read it: a race with an edit, say
        if self._positions is None:
            return Location(_shown(self.file))
        return self._positions.locate(path)


def _shown(file: Path) -> str:
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(file)


def operation_of(step: Step, document: ApiDocument | None) -> str | None:
    """The operationId of the OpenAPI operation ``step`` calls, or None if there is none."""
    if document is None:
        return None
    if step.operation_id is not None:
        match = _SOURCE_OPERATION.match(step.operation_id)
        name = match.group("id") if match else step.operation_id
        return name if name in document.operations else None
    if step.operation_path is not None:
        return _by_path(step.operation_path, document)
    return None


def _by_path(reference: str, document: ApiDocument) -> str | None:
    _, _, pointer = reference.partition("#")
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    if len(parts) != 3 or parts[0] != "paths" or parts[2].lower() not in _METHODS:
        return None
    for operation in document.operations.values():
        if operation.path == parts[1] and operation.method.lower() == parts[2].lower():
            return operation.operation_id
    return None


def parameter_in(document: ApiDocument | None) -> Callable[[str, str], str | None]:
    """``(operation_id, name) -> place`` from the operation's declared parameters."""

    def place(operation_id: str, name: str) -> str | None:
        if document is None or operation_id not in document.operations:
            return None
        operation = document.operations[operation_id]
        declared = [
            *operation.path_item.get("parameters", []),
            *operation.definition.get("parameters", []),
        ]
        for parameter in declared:
            if isinstance(parameter, dict) and parameter.get("name") == name:
                found = parameter.get("in")
                return str(found) if found else None
        return None

    return place


def reference_problems(contract: Contract) -> list[Problem]:
    """Lint: steps calling unknown operations, expressions reading undeclared step outputs."""
    arazzo = ArazzoFile.of(contract)
    problems: list[Problem] = []
    for workflow in arazzo.workflows:
        problems += _operations(workflow, contract.document, arazzo)
        problems += _outputs(workflow, arazzo)
    return problems


def _operations(
    workflow: Workflow, document: ApiDocument | None, arazzo: ArazzoFile
) -> Iterator[Problem]:
    if document is None:
        return
    for step in workflow.steps:
        if step.workflow_id is not None or operation_of(step, document) is not None:
            continue
        if step.operation_id is None and step.operation_path is None:
            message = f"step '{step.step_id}' names no operationId, operationPath or workflowId"
            yield Problem(arazzo.locate(step.path), message, "say which operation the step calls")
            continue
        key = "operationId" if step.operation_id is not None else "operationPath"
        named = step.operation_id or step.operation_path or ""
        close = difflib.get_close_matches(named, sorted(document.operations), n=1)
        hint = (
            f"did you mean '{close[0]}'?" if close else "name an operation of the OpenAPI document"
        )
        yield Problem(
            arazzo.locate((*step.path, key)),
            f"workflow '{workflow.workflow_id}' step '{step.step_id}' calls unknown operation "
            f"'{named}'",
            hint,
        )


def _outputs(workflow: Workflow, arazzo: ArazzoFile) -> Iterator[Problem]:
    declared = {step.step_id: set(step.outputs) for step in workflow.steps}
    for path, text in _strings(workflow.raw, workflow.path):
        for match in _OUTPUT_READ.finditer(text):
            step, name = match.group("step"), match.group("name")
            if step in declared and name in declared[step]:
                continue
            if step not in declared:
                close = difflib.get_close_matches(step, sorted(declared), n=1)
                message = f"{match.group(0)} reads step '{step}', which workflow "
                message += f"'{workflow.workflow_id}' does not have"
            else:
                close = difflib.get_close_matches(name, sorted(declared[step]), n=1)
                message = f"{match.group(0)} reads output '{name}', which step '{step}' "
                message += "does not declare"
            hint = f"did you mean '{close[0]}'?" if close else "declare it under the step's outputs"
            yield Problem(arazzo.locate(path), message, hint)


def _strings(node: Any, path: NodePath) -> Iterator[tuple[NodePath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str) and "$steps." in node:
        yield path, node
