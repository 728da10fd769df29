"""Arazzo's simple conditions (``$statusCode == 201 && $response.body#/ok``), and JSONPath.

A condition is parsed once into a small tree and evaluated with a callback that reads its
operands (runtime expressions in a step's criteria, ``@.field`` inside a JSONPath filter).
The grammar is Arazzo's: literals (numbers, quoted strings, ``true``, ``false``, ``null``),
``== != < <= > >=``, ``!``, ``&&``, ``||`` and parentheses. As the Arazzo specification says,
string comparisons ignore case. ``Trace`` keeps the operands a comparison saw, so a failed
criterion can say what was found instead of only "false".

``select`` evaluates the JSONPath subset Arazzo criteria use: ``$``, ``.name``, ``['name']``,
``[0]``, ``[*]``, ``..name`` and filters ``[?(@.status == 'OPEN' && @.amount > 0)]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.errors import HarnessError
from harness.workflows.expressions import Unresolved

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<op>==|!=|<=|>=|&&|\|\||[<>!()])
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<ref>[$@][^\s()=!<>&|]*)
    | (?P<word>[A-Za-z_]+)
    )""",
    re.VERBOSE,
)
_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")

Operand = Callable[[str], Any]


class ConditionSyntaxError(HarnessError, ValueError):
    """A condition harness cannot parse (a contract problem, reported with its text)."""


@dataclass(frozen=True, slots=True)
class _Ref:
    text: str


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class _Not:
    inner: Node


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str
    left: Node
    right: Node


Node = _Ref | _Literal | _Not | _Binary


@dataclass(slots=True)
class Trace:
    """What the operands of a condition evaluated to (for failure messages)."""

    seen: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{name} = {value!r}" for name, value in self.seen.items()]
        parts += [f"{name}: {why}" for name, why in self.missing.items()]
        return "; ".join(parts)


def parse(text: str) -> Node:
    """The tree of condition ``text`` (``ConditionSyntaxError`` naming what was unexpected)."""
    tokens = list(_tokens(text))
    parser = _Parser(tokens, text)
    node = parser.expression()
    if parser.position != len(tokens):
        raise ConditionSyntaxError(f"unexpected {tokens[parser.position][1]!r} in {text!r}")
    return node


def holds(node: Node, operand: Operand, trace: Trace | None = None) -> bool:
    """Whether the condition is true; an operand that names nothing makes it false."""
    try:
        return _truthy(_value(node, operand, trace if trace is not None else Trace()))
    except Unresolved:
        return False


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    position = 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionSyntaxError(f"cannot read {text[position:].strip()!r} in {text!r}")
        kind = match.lastgroup or ""
        yield kind, match.group(kind)
        position = match.end()


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.position = 0

    def _peek(self) -> str | None:
        if self.position < len(self.tokens):
            kind, value = self.tokens[self.position]
            return value if kind == "op" else None
        return None

    def expression(self) -> Node:
        node = self._and()
        while self._peek() == "||":
            self.position += 1
            node = _Binary("||", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._unary()
        while self._peek() == "&&":
            self.position += 1
            node = _Binary("&&", node, self._unary())
        return node

    def _unary(self) -> Node:
        if self._peek() == "!":
            self.position += 1
            return _Not(self._unary())
        node = self._operand()
        if self._peek() in _COMPARISONS:
            op = self.tokens[self.position][1]
            self.position += 1
            node = _Binary(op, node, self._operand())
        return node

    def _operand(self) -> Node:
        if self.position >= len(self.tokens):
            raise ConditionSyntaxError(f"{self.text!r} ends where an operand was expected")
        kind, value = self.tokens[self.position]
        self.position += 1
        if kind == "op" and value == "(":
            node = self.expression()
            if self._peek() != ")":
                raise ConditionSyntaxError(f"missing ')' in {self.text!r}")
            self.position += 1
            return node
        if kind == "ref":
            return _Ref(value)
        if kind == "string":
            return _Literal(re.sub(r"\\(.)", r"\1", value[1:-1]))
        if kind == "number":
            return _Literal(float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "word" and value in _WORDS:
            return _Literal(_WORDS[value])
        raise ConditionSyntaxError(f"unexpected {value!r} in {self.text!r}")


def _value(node: Node, operand: Operand, trace: Trace) -> Any:
    if isinstance(node, _Literal):
        return node.value
    if isinstance(node, _Ref):
        try:
            value = operand(node.text)
        except Unresolved as exc:
            trace.missing[node.text] = exc.missing
            raise
        trace.seen[node.text] = value
        return value
    if isinstance(node, _Not):
        return not _truthy(_value(node.inner, operand, trace))
    if node.op == "&&":
        return _truthy(_value(node.left, operand, trace)) and _truthy(
            _value(node.right, operand, trace)
        )
    if node.op == "||":
        return _truthy(_value(node.left, operand, trace)) or _truthy(
            _value(node.right, operand, trace)
        )
    left = _value(node.left, operand, trace)
    right = _value(node.right, operand, trace)
    return compare(node.op, left, right)


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value not in ([], "")


def compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` the Arazzo way: strings ignore case, numeric text meets numbers."""
    left, right = _comparable(left), _comparable(right)
    if isinstance(left, float | int) and isinstance(right, str):
        right = _number(right)
    elif isinstance(right, float | int) and isinstance(left, str):
        left = _number(left)
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if type(left) is not type(right) and not (_numeric(left) and _numeric(right)):
        return False
    try:
        return bool(
            {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        )
    except TypeError:
        return False


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    return value


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


# --- JSONPath ------------------------------------------------------------------------------

_SEGMENT = re.compile(
    r"""\.\.(?P<deep>[A-Za-z_][\w-]*)
      | \.(?P<name>[A-Za-z_][\w-]*|\*)
      | \[\s*(?:(?P<index>-?\d+)|(?P<star>\*)|'(?P<quoted>[^']*)'|"(?P<dquoted>[^"]*)"
              |\?\((?P<filter>.*?)\))\s*\]""",
    re.VERBOSE,
)


def select(path: str, document: Any) -> list[Any]:
    """The nodes JSONPath ``path`` selects in ``document`` (a ``ConditionSyntaxError`` if
    ``path`` uses more than harness's subset)."""
    text = path.strip()
    if not text.startswith("$"):
        raise ConditionSyntaxError(f"a JSONPath starts with '$', got {path!r}")
    nodes = [document]
    position = 1
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None:
            raise ConditionSyntaxError(f"harness cannot read {text[position:]!r} in {path!r}")
        nodes = [found for node in nodes for found in _step(match, node)]
        position = match.end()
    return nodes


def _step(match: re.Match[str], node: Any) -> Iterator[Any]:
    groups = match.groupdict()
    name = groups["name"] or groups["quoted"] or groups["dquoted"]
    if groups["deep"]:
        yield from _descendants(node, groups["deep"])
    elif name == "*" or groups["star"]:
        yield from (
            node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
        )
    elif name is not None:
        if isinstance(node, Mapping) and name in node:
            yield node[name]
    elif groups["index"] is not None:
        index = int(groups["index"])
        if isinstance(node, list) and -len(node) <= index < len(node):
            yield node[index]
    else:
        condition = parse(groups["filter"])
        items = (
            node
            if isinstance(node, list)
            else list(node.values())
            if isinstance(node, Mapping)
            else []
        )
        yield from (item for item in items if holds(condition, _relative(item)))


def _relative(item: Any) -> Operand:
    def operand(text: str) -> Any:
        if not text.startswith("@"):
            raise Unresolved(text, "a filter reads the current item as '@'")
        found = select("$" + text[1:], item)
        if not found:
            raise Unresolved(text, "no such field")
        return found[0]

    return operand


def _descendants(node: Any, name: str) -> Iterator[Any]:
    if isinstance(node, Mapping):
        if name in node:
            yield node[name]
        for child in node.values():
            yield from _descendants(child, name)
    elif isinstance(node, list):
        for child in node:
            yield from _descendants(child, name)
