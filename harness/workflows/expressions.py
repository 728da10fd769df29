"""Arazzo runtime expressions: ``$inputs.email``, ``$steps.create.outputs.id``,
``$response.body#/external_id``, ``$response.header.Location``, ``$statusCode``, ``$url``...

A ``Scope`` holds what an expression may read at one point of a run: the workflow's inputs,
the outputs of the steps so far, and the request and response of the current step.
``evaluate`` reads one expression; ``resolve`` walks a payload, replacing whole-string
expressions by their value (of any JSON type) and ``{$...}`` embedded in text by its string.
An expression that names nothing (an unknown step, a pointer into a missing field) raises
``Unresolved``, which says which part was missing: never a silent ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contract.refs import PointerMiss, follow_pointer, unescape_token
from harness.errors import HarnessError

#: ``{$inputs.x}`` inside a string (Arazzo's embedded form).
_EMBEDDED = re.compile(r"\{(\$[^{}]+)\}")
_SIMPLE = {"$url", "$method", "$statusCode"}


class Unresolved(HarnessError, LookupError):
    """An expression named something the run does not have (yet)."""

    def __init__(self, expression: str, missing: str) -> None:
        super().__init__(f"{expression}: {missing}")
        self.expression = expression
        self.missing = missing


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """A request or response as expressions see it: headers by lower-case name, parsed body."""

    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    query: Mapping[str, Any] = field(default_factory=dict)
    path: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True, kw_only=True)
class Scope:
    """What runtime expressions may read at one point of a workflow run."""

    inputs: Mapping[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # stepId → outputs
    workflows: dict[str, dict[str, Any]] = field(default_factory=dict)  # workflowId → outputs
    outputs: dict[str, Any] = field(default_factory=dict)  # this workflow's outputs so far
    url: str | None = None
    method: str | None = None
    status: int | None = None
    request: Message | None = None
    response: Message | None = None


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$")


def evaluate(expression: str, scope: Scope) -> Any:
    """The value ``expression`` names in ``scope`` (``Unresolved`` when it names nothing)."""
    text = expression.strip()
    base, hash_, pointer = text.partition("#")
    if base in _SIMPLE:
        value = {"$url": scope.url, "$method": scope.method, "$statusCode": scope.status}[base]
        if value is None:
            raise Unresolved(text, "no request was sent yet")
        return value
    head, _, rest = base.partition(".")
    value = _source(head, rest, text, scope)
    return _at_pointer(value, pointer, text) if hash_ else value


def _source(head: str, rest: str, text: str, scope: Scope) -> Any:
    if head == "$inputs":
        return _dotted(scope.inputs, rest, text, "input")
    if head == "$outputs":
        return _dotted(scope.outputs, rest, text, "workflow output")
    if head in ("$steps", "$workflows"):
        owner, _, tail = rest.partition(".")
        table = scope.steps if head == "$steps" else scope.workflows
        if owner not in table:
            kind = "step" if head == "$steps" else "workflow"
            raise Unresolved(text, f"{kind} '{owner}' has not run (or did not succeed) yet")
        kind, _, name = tail.partition(".")
        if kind != "outputs":
            raise Unresolved(text, f"expected '{head}.{owner}.outputs.<name>'")
        return _dotted(table[owner], name, text, f"output of '{owner}'")
    if head in ("$request", "$response"):
        message = scope.request if head == "$request" else scope.response
        if message is None:
            raise Unresolved(text, f"no {head[1:]} yet")
        return _message_part(message, rest, text)
    raise Unresolved(text, f"harness does not know the runtime expression source '{head}'")


def _message_part(message: Message, rest: str, text: str) -> Any:
    part, _, name = rest.partition(".")
    if part == "body" and not name:
        return message.body
    if part == "header":
        found = message.headers.get(name.lower())
        if found is None:
            raise Unresolved(text, f"no header '{name}'")
        return found
    if part in ("query", "path"):
        values = message.query if part == "query" else message.path
        if name not in values:
            raise Unresolved(text, f"no {part} parameter '{name}'")
        return values[name]
    raise Unresolved(text, f"unknown part '{rest}' (body, header.X, query.X, path.X)")


def _dotted(values: Mapping[str, Any], dotted: str, text: str, kind: str) -> Any:
    current: Any = values
    for name in dotted.split(".") if dotted else ():
        if not isinstance(current, Mapping) or name not in current:
            raise Unresolved(text, f"no {kind} '{name}'")
        current = current[name]
    return current


def _at_pointer(value: Any, pointer: str, text: str = "") -> Any:
    """The node at JSON pointer ``pointer`` (``/data/0/id``) inside ``value``.

    ``contract.refs.follow_pointer`` walks it; here a pointer must start with ``/``, its
    tokens are not percent-decoded (a runtime expression's pointer is not a URI fragment),
    and a miss is ``Unresolved``, naming what was there instead.
    """
    if pointer in ("", "/"):
        return value
    if not pointer.startswith("/"):
        raise Unresolved(text or pointer, f"a JSON pointer starts with '/', got {pointer!r}")
    tokens = tuple(unescape_token(raw, percent=False) for raw in pointer[1:].split("/"))
    try:
        return follow_pointer(value, tokens)
    except PointerMiss as miss:
        raise Unresolved(
            text or pointer, f"nothing at '{pointer}' in {_short(miss.reached)}"
        ) from None


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with every runtime expression in it evaluated (payloads, parameter values)."""
    if isinstance(value, Mapping):
        return {key: resolve(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if not isinstance(value, str):
        return value
    if is_expression(value) and not _EMBEDDED.search(value):
        return evaluate(value, scope)
    return _EMBEDDED.sub(lambda match: _as_text(evaluate(match.group(1), scope)), value)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
