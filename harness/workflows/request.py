"""A step's request: its operation, parameters by place, and body, expressions resolved.

Workflow-level ``parameters`` apply to every step and a step's own parameter of the same
name and place replaces one. A parameter without ``in`` goes where the operation declares it
(``parameter_in``), else the query. ``requestBody.payload`` is resolved expression by
expression (a whole-string ``$inputs.amount`` keeps its JSON type) and ``replacements`` are
then applied at their JSON pointers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.workflows.expressions import Scope, resolve
from harness.workflows.model import Parameter, Step, Workflow

PLACES = ("path", "query", "header", "cookie")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRequest:
    """What a ``Sender`` sends for one step (values resolved, secrets not yet added)."""

    step_id: str
    operation_id: str
    method: str = ""
    path_params: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    content_type: str | None = None


def build_request(
    workflow: Workflow,
    step: Step,
    operation_id: str,
    scope: Scope,
    parameter_in: Callable[[str, str], str | None],
) -> StepRequest:
    """The request of ``step`` in ``scope`` (``Unresolved`` if an expression names nothing)."""
    places: dict[str, dict[str, Any]] = {place: {} for place in PLACES}
    for parameter in _merged(workflow.parameters, step.parameters):
        place = parameter.location or parameter_in(operation_id, parameter.name) or "query"
        if place not in places:
            continue
        places[place][parameter.name] = resolve(parameter.value, scope)
    body = resolve(step.payload, scope) if step.has_body else None
    for pointer, value in step.replacements:
        body = _replaced(body, pointer, resolve(value, scope))
    headers = {name: _text(value) for name, value in places["header"].items()}
    if step.content_type and step.has_body:
        headers.setdefault("Content-Type", step.content_type)
    return StepRequest(
        step_id=step.step_id,
        operation_id=operation_id,
        path_params=places["path"],
        query=places["query"],
        headers=headers,
        cookies={name: _text(value) for name, value in places["cookie"].items()},
        body=body,
        has_body=step.has_body,
        content_type=step.content_type,
    )


def _merged(shared: tuple[Parameter, ...], own: tuple[Parameter, ...]) -> list[Parameter]:
    mine = {(parameter.name, parameter.location) for parameter in own}
    return [p for p in shared if (p.name, p.location) not in mine] + list(own)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _replaced(body: Any, pointer: str, value: Any) -> Any:
    """``body`` with the node at ``pointer`` set to ``value`` (a new container per level)."""
    if pointer in ("", "/"):
        return value
    head, _, rest = pointer.lstrip("/").partition("/")
    token = head.replace("~1", "/").replace("~0", "~")
    inner = "/" + rest if rest else ""
    if isinstance(body, list) and token.isdigit() and int(token) < len(body):
        copy = list(body)
        copy[int(token)] = _replaced(copy[int(token)], inner, value)
        return copy
    mapping = dict(body) if isinstance(body, Mapping) else {}
    mapping[token] = _replaced(mapping.get(token), inner, value)
    return mapping
