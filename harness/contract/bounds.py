"""Values too large for any integration: caught by lint, before a run overflows on them.

The JSON Schema says "an integer ≥ 1" or "a duration"; nothing stops ``limit: 10**40`` or
``window: 99999999999999999999d``, which later overflow a header (structured-field integers
stop at 15 digits), a timer or a date. A contract never needs them: they are typos.
"""

from __future__ import annotations

import math
from typing import Any

from harness.contract.model import parse_window
from harness.contract.source import PathKey, Positions
from harness.errors import Problem

MAX_NUMBER = 999_999_999_999_999  # the largest integer an HTTP structured field carries
MAX_WINDOW_S = 366 * 86_400.0


def bound_problems(data: Any, positions: Positions) -> list[Problem]:
    """A problem at every number past ``MAX_NUMBER`` (or not finite) and every huge window."""
    problems: list[Problem] = []
    stack: list[tuple[PathKey, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend(((*path, key), value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, index), value) for index, value in enumerate(node))
        elif isinstance(node, int | float) and not isinstance(node, bool):
            problem = _number_problem(node, path, positions)
            if problem is not None:
                problems.append(problem)
    problems += _window_problems(data, positions)
    return sorted(problems, key=lambda p: (p.location.line, p.location.column))


def _number_problem(value: float, path: PathKey, positions: Positions) -> Problem | None:
    if isinstance(value, float) and not math.isfinite(value):
        message = f"{value!r} is not a finite number"
        return Problem(positions.locate(path), message, "write a plain number")
    if abs(value) <= MAX_NUMBER:
        return None
    shown = str(value) if len(str(value)) <= 24 else f"a {len(str(int(value)))}-digit number"
    message = f"{shown} is too large (harness handles numbers up to {MAX_NUMBER:,})"
    return Problem(positions.locate(path), message, "no integration needs this; look for a typo")


def _window_problems(data: Any, positions: Positions) -> list[Problem]:
    limits = data.get("rate_limits") if isinstance(data, dict) else None
    problems = []
    for index, limit in enumerate(limits if isinstance(limits, list) else []):
        window = limit.get("window") if isinstance(limit, dict) else None
        if not isinstance(window, str):
            continue
        try:
            seconds = parse_window(window)
        except (ValueError, KeyError, IndexError, OverflowError):
            continue  # not a duration: the schema says so
        if seconds > MAX_WINDOW_S:
            where = positions.locate(("rate_limits", index, "window"))
            message = f"window '{window[:30]}' is longer than 366 days"
            problems.append(
                Problem(where, message, "write the period the vendor counts over, e.g. 1m, 1h, 1d")
            )
    return problems
