"""Judging a step: its success criteria, one by one, with a reason when one does not hold.

``judge(criterion, scope)`` returns ``None`` when the criterion holds, else the reason in a
person's words: ``expected 201, got 422`` for a status test, the operands' values for any
other condition, the value and the pattern for a regex, the context for a JSONPath that
selects nothing. ``lenient`` (used in replay) is a predicate for values that were scrubbed
out of a recording (PII placeholders): a comparison that meets one cannot be judged, so it
is taken as it was judged when recorded, and counted in ``Leniency``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from harness.errors import HarnessError
from harness.workflows.conditions import (
    ConditionSyntaxError,
    Node,
    Trace,
    holds,
    parse,
    select,
)
from harness.workflows.expressions import Scope, Unresolved, evaluate
from harness.workflows.model import Criterion

_STATUS_TEST = re.compile(r"^\s*\$statusCode\s*==\s*(\d{3})\s*$")
SUPPORTED_KINDS = frozenset({"simple", "regex", "jsonpath"})

Lenient = Callable[[Any], bool]


class Unsupported(HarnessError):
    """Something of the workflow harness cannot run (an XPath criterion, a bad condition)."""


@dataclass(slots=True)
class Leniency:
    """How many comparisons met a scrubbed value and were taken as recorded."""

    predicate: Lenient | None = None
    taken: int = 0

    def excuses(self, *values: Any) -> bool:
        if self.predicate is None or not any(self.predicate(value) for value in values):
            return False
        self.taken += 1
        return True


@lru_cache(maxsize=256)
def parsed(condition: str) -> Node:
    """A condition's tree, parsed once per text (``Unsupported`` if it cannot be read)."""
    try:
        return parse(condition)
    except ConditionSyntaxError as exc:
        raise Unsupported(f"cannot read the condition: {exc}") from None


def judge(criterion: Criterion, scope: Scope, leniency: Leniency | None = None) -> str | None:
    """None when ``criterion`` holds in ``scope``; otherwise what was expected and found."""
    leniency = leniency if leniency is not None else Leniency()
    if criterion.kind == "simple":
        return _simple(criterion.condition, scope, leniency)
    if criterion.kind not in SUPPORTED_KINDS:
        raise Unsupported(f"'{criterion.kind}' criteria (harness runs simple, regex, jsonpath)")
    try:
        context = evaluate(criterion.context or "$response.body", scope)
    except Unresolved as exc:
        return f"{criterion.context}: {exc.missing}"
    if criterion.kind == "regex":
        return _regex(criterion, context, leniency)
    try:
        found = select(criterion.condition, context)
    except ConditionSyntaxError as exc:
        raise Unsupported(str(exc)) from None
    if found:
        return None
    return (
        f"JSONPath {criterion.condition} selects nothing in {criterion.context}: {_short(context)}"
    )


def _simple(condition: str, scope: Scope, leniency: Leniency) -> str | None:
    tree = parsed(condition)
    trace = Trace()
    if holds(tree, lambda text: evaluate(text, scope), trace):
        return None
    if trace.missing == {} and leniency.excuses(*trace.seen.values()):
        return None
    status = _STATUS_TEST.match(condition)
    if status is not None and scope.status is not None:
        return f"expected {status.group(1)}, got {scope.status}"
    found = trace.describe()
    return f"`{condition}` does not hold" + (f" ({found})" if found else "")


def _regex(criterion: Criterion, context: Any, leniency: Leniency) -> str | None:
    text = context if isinstance(context, str) else json.dumps(context)
    try:
        matched = re.search(criterion.condition, text) is not None
    except re.error as exc:
        raise Unsupported(f"cannot compile the regex {criterion.condition!r}: {exc}") from None
    if matched or leniency.excuses(context):
        return None
    return f"{criterion.context} = {_short(context)} does not match /{criterion.condition}/"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "..."
