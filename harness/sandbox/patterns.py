"""A string that matches a regular expression, drawn deterministically from a ``Random``.

JSON Schema ``pattern`` values are ECMA-262 regexes; the common subset (literals, classes,
ranges, ``\\d \\w \\s``, groups, alternation, bounded and unbounded repeats, anchors)
parses the same in Python, so Python's own regex parser reads the pattern and the
result is checked with ``re.search``. What it cannot parse gets ``None``: the caller
falls back to an ordinary string.
"""

from __future__ import annotations

import importlib
import random
import re
import string
from typing import Any

# The parser behind ``re`` (``sre_parse`` is deprecated; ``re._parser`` is the same module).
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")

_PRINTABLE = string.ascii_letters + string.digits + "-_.~"
_CATEGORIES = {
    "CATEGORY_DIGIT": string.digits,
    "CATEGORY_NOT_DIGIT": string.ascii_letters + "-_",
    "CATEGORY_WORD": string.ascii_letters + string.digits + "_",
    "CATEGORY_NOT_WORD": "-.~ !",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": _PRINTABLE,
}
_MAX_EXTRA_REPEATS = 3
_ATTEMPTS = 8


def string_matching(pattern: str, rng: random.Random) -> str | None:
    """A string ``re.search(pattern, ...)`` accepts, or None if none could be made."""
    try:
        compiled = re.compile(pattern)
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    for _ in range(_ATTEMPTS):
        groups: dict[int, str] = {}
        try:
            text = _emit(list(parsed), rng, groups)
        except (ValueError, KeyError, IndexError, RecursionError):
            return None
        if compiled.search(text):
            return text
    return None


def _emit(items: list[tuple[Any, Any]], rng: random.Random, groups: dict[int, str]) -> str:
    return "".join(_one(op, av, rng, groups) for op, av in items)


def _one(op: Any, av: Any, rng: random.Random, groups: dict[int, str]) -> str:
    name = str(op)
    if name == "LITERAL":
        return chr(av)
    if name == "NOT_LITERAL":
        return next(c for c in _PRINTABLE if ord(c) != av)
    if name == "ANY":
        return rng.choice(string.ascii_letters)
    if name == "IN":
        return _from_class(av, rng)
    if name == "CATEGORY":
        return rng.choice(_CATEGORIES.get(str(av), _PRINTABLE))
    if name == "BRANCH":
        return _emit(list(rng.choice(av[1])), rng, groups)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return _repeat(av, rng, groups)
    if name == "SUBPATTERN":
        group, *_, body = av
        text = _emit(list(body), rng, groups)
        if group is not None:
            groups[group] = text
        return text
    if name == "ATOMIC_GROUP":
        return _emit(list(av), rng, groups)
    if name == "GROUPREF":
        return groups.get(av, "")
    return ""  # AT (anchors), ASSERT, ASSERT_NOT, ...: nothing to emit


def _repeat(av: Any, rng: random.Random, groups: dict[int, str]) -> str:
    low, high, body = av
    high = low + _MAX_EXTRA_REPEATS if high == _constants.MAXREPEAT else high
    count = rng.randint(low, max(low, min(high, low + _MAX_EXTRA_REPEATS)))
    return "".join(_emit(list(body), rng, groups) for _ in range(count))


def _from_class(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    allowed: list[str] = []
    negate = False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.append(chr(av))
        elif name == "RANGE":
            low, high = av
            allowed.extend(chr(code) for code in range(low, min(high, low + 256) + 1))
        elif name == "CATEGORY":
            allowed.extend(_CATEGORIES.get(str(av), ""))
    if negate:
        excluded = set(allowed)
        allowed = [c for c in _PRINTABLE if c not in excluded]
    if not allowed:
        raise ValueError("empty character class")
    return rng.choice(allowed)
