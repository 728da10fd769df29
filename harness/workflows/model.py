"""An Arazzo document's workflows as frozen objects, each node keeping its JSON path.

``workflows_of(document)`` reads the raw Arazzo mapping (as ``harness.contract`` loaded and
checked it) into ``Workflow`` → ``Step`` → ``Criterion`` / ``Action`` / ``Parameter``. The
``path`` of each node (``("workflows", 1, "steps", 2)``) is what ``locate`` turns into the
Arazzo file's line for messages. Reading is lenient: what the loader already refuses (no
``stepId``) is skipped here, and what harness cannot run (an XPath criterion, a reusable
``$components`` reference) is kept and reported as unsupported when the workflow runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]
#: How many times ``retry`` repeats a step when the action sets no ``retryLimit``.
DEFAULT_RETRY_LIMIT = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Criterion:
    """One success criterion: a condition, optionally on a context and of a kind."""

    condition: str
    context: str | None = None
    kind: str = "simple"  # simple | regex | jsonpath | xpath
    path: Path = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """An ``onSuccess`` / ``onFailure`` entry: end, goto (a step or workflow) or retry."""

    name: str
    type: str  # end | goto | retry
    step_id: str | None = None
    workflow_id: str | None = None
    retry_after_s: float = 0.0
    retry_limit: int = DEFAULT_RETRY_LIMIT
    criteria: tuple[Criterion, ...] = ()
    reference: str | None = None  # a reusable $components action: not supported
    path: Path = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A request parameter: where it goes (path, query, header, cookie) and its value."""

    name: str
    location: str | None
    value: Any
    path: Path = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step: an operation (by id or path) or another workflow, and how to judge it."""

    step_id: str
    operation_id: str | None = None
    operation_path: str | None = None
    workflow_id: str | None = None
    parameters: tuple[Parameter, ...] = ()
    content_type: str | None = None
    payload: Any = None
    has_body: bool = False
    replacements: tuple[tuple[str, Any], ...] = ()
    success_criteria: tuple[Criterion, ...] = ()
    on_success: tuple[Action, ...] = ()
    on_failure: tuple[Action, ...] = ()
    outputs: Mapping[str, str] = field(default_factory=dict)
    path: Path = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Workflow:
    """A workflow: its inputs schema, shared parameters, steps in order, and outputs."""

    workflow_id: str
    summary: str = ""
    inputs: Mapping[str, Any] | None = None
    parameters: tuple[Parameter, ...] = ()
    steps: tuple[Step, ...] = ()
    outputs: Mapping[str, str] | None = None
    success_actions: tuple[Action, ...] = ()
    failure_actions: tuple[Action, ...] = ()
    depends_on: tuple[str, ...] = ()
    path: Path = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.step_id == step_id), None)

    def index(self, step_id: str) -> int | None:
        found = [i for i, step in enumerate(self.steps) if step.step_id == step_id]
        return found[0] if found else None


def workflows_of(document: Mapping[str, Any] | None) -> tuple[Workflow, ...]:
    """Every workflow of an Arazzo document with a ``workflowId`` (none for no document)."""
    if not isinstance(document, Mapping):
        return ()
    found = []
    for index, raw in enumerate(_list(document.get("workflows"))):
        if isinstance(raw, Mapping) and isinstance(raw.get("workflowId"), str):
            found.append(_workflow(raw, ("workflows", index)))
    return tuple(found)


def _workflow(raw: Mapping[str, Any], path: Path) -> Workflow:
    steps = tuple(
        _step(step, (*path, "steps", index))
        for index, step in enumerate(_list(raw.get("steps")))
        if isinstance(step, Mapping) and isinstance(step.get("stepId"), str)
    )
    inputs = raw.get("inputs")
    return Workflow(
        workflow_id=str(raw["workflowId"]),
        summary=str(raw.get("summary") or ""),
        inputs=inputs if isinstance(inputs, Mapping) else None,
        parameters=_parameters(raw.get("parameters"), (*path, "parameters")),
        steps=steps,
        outputs=_strings(raw.get("outputs")),
        success_actions=_actions(raw.get("successActions"), (*path, "successActions")),
        failure_actions=_actions(raw.get("failureActions"), (*path, "failureActions")),
        depends_on=tuple(str(item) for item in _list(raw.get("dependsOn"))),
        path=path,
        raw=raw,
    )


def _step(raw: Mapping[str, Any], path: Path) -> Step:
    body = raw.get("requestBody")
    body = body if isinstance(body, Mapping) else None
    replacements = tuple(
        (str(item.get("target", "")), item.get("value"))
        for item in _list(body.get("replacements") if body else None)
        if isinstance(item, Mapping)
    )
    return Step(
        step_id=str(raw["stepId"]),
        operation_id=_text(raw.get("operationId")),
        operation_path=_text(raw.get("operationPath")),
        workflow_id=_text(raw.get("workflowId")),
        parameters=_parameters(raw.get("parameters"), (*path, "parameters")),
        content_type=_text(body.get("contentType")) if body else None,
        payload=body.get("payload") if body else None,
        has_body=body is not None and "payload" in body,
        replacements=replacements,
        success_criteria=_criteria(raw.get("successCriteria"), (*path, "successCriteria")),
        on_success=_actions(raw.get("onSuccess"), (*path, "onSuccess")),
        on_failure=_actions(raw.get("onFailure"), (*path, "onFailure")),
        outputs=_strings(raw.get("outputs")) or {},
        path=path,
    )


def _parameters(raw: Any, path: Path) -> tuple[Parameter, ...]:
    found = []
    for index, item in enumerate(_list(raw)):
        if isinstance(item, Mapping) and "name" in item:
            found.append(
                Parameter(
                    name=str(item["name"]),
                    location=_text(item.get("in")),
                    value=item.get("value"),
                    path=(*path, index),
                )
            )
    return tuple(found)


def _criteria(raw: Any, path: Path) -> tuple[Criterion, ...]:
    found = []
    for index, item in enumerate(_list(raw)):
        if not isinstance(item, Mapping) or "condition" not in item:
            continue
        kind = item.get("type", "simple")
        if isinstance(kind, Mapping):  # {type: jsonpath, version: ...}
            kind = kind.get("type", "simple")
        found.append(
            Criterion(
                condition=str(item["condition"]),
                context=_text(item.get("context")),
                kind=str(kind),
                path=(*path, index),
            )
        )
    return tuple(found)


def _actions(raw: Any, path: Path) -> tuple[Action, ...]:
    found = []
    for index, item in enumerate(_list(raw)):
        if not isinstance(item, Mapping):
            continue
        where = (*path, index)
        if "reference" in item and "type" not in item:
            found.append(Action(name="", type="", reference=str(item["reference"]), path=where))
            continue
        limit = item.get("retryLimit")
        after = item.get("retryAfter")
        found.append(
            Action(
                name=str(item.get("name", "")),
                type=str(item.get("type", "")),
                step_id=_text(item.get("stepId")),
                workflow_id=_text(item.get("workflowId")),
                retry_after_s=float(after) if isinstance(after, int | float) else 0.0,
                retry_limit=int(limit) if isinstance(limit, int) else DEFAULT_RETRY_LIMIT,
                criteria=_criteria(item.get("criteria"), (*where, "criteria")),
                path=where,
            )
        )
    return tuple(found)


def _strings(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, Mapping):
        return None
    return {str(key): str(value) for key, value in raw.items()}


def _list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []


def _text(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None
