"""Deterministic JSON-Schema instances: the same seed and key give the same value.

The generator serves a sandbox, not a fuzzer: it prefers the document's own examples
(when they are valid), realistic values for common formats and property names, and the
smallest structure that satisfies ``required``/``minItems``/``minProperties``. Every draw
comes from ``random.Random(f"{seed}:{key}")``, so a response never depends on what was
generated before it.

A recursive schema is legal OpenAPI (a tree whose children are trees, ``allOf`` or ``oneOf``
through a ``$ref`` back to itself): instances are bounded. Below ``_OPTIONAL_DEPTH`` only
required properties and ``minItems`` items are generated, a ``null`` option is preferred, and
past ``_HARD_DEPTH`` levels, ``_MAX_HOPS`` composition steps without a new level, or
``_BUDGET`` values in one draw, generation stops with the smallest value it can give.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.sandbox.dialect import Side
from harness.sandbox.patterns import string_matching
from harness.sandbox.spec import Spec

_ANNOTATIONS = frozenset(
    {"description", "title", "readOnly", "writeOnly", "deprecated", "example", "examples", "xml"}
)
_MAX_DEPTH = 8
_OPTIONAL_DEPTH = 3  # below this depth optional properties are left out
_HARD_DEPTH = 24  # a required property that recurses forever stops here
_MAX_HOPS = 16  # allOf/oneOf/anyOf steps without descending (a composition cycle)
_BUDGET = 20_000  # values per draw: a wide recursive schema cannot explode
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


@dataclass(slots=True)
class _Draw:
    rng: random.Random
    examples: bool
    view: Side
    spent: int = 0  # values generated so far

    def exhausted(self, depth: int, hops: int) -> bool:
        self.spent += 1
        return depth > _HARD_DEPTH or hops > _MAX_HOPS or self.spent > _BUDGET

    @property
    def frugal(self) -> bool:
        """Past half the budget, only what validity needs (required, minItems) is generated."""
        return self.spent > _BUDGET // 2


class Generator:
    """Instances of the schemas of one document view, seeded."""

    def __init__(self, spec: Spec, *, seed: int, view: Side = Side.RESPONSE) -> None:
        self._spec = spec
        self._seed = seed
        self._view = view

    def instance(self, pointer: str, *, key: str, examples: bool = True) -> Any:
        """An instance of the schema at ``pointer``; ``key`` names the draw."""
        return self.value(self._spec.node(pointer, self._view), key=key, examples=examples)

    def value(self, schema: Any, *, key: str, examples: bool = True, name: str = "") -> Any:
        """An instance of an inline schema node of this view."""
        rng = random.Random(f"{self._seed}:{key}")  # noqa: S311 - reproducible data, not secrets
        draw = _Draw(rng, examples, self._view)
        return self._gen(schema, draw, 0, name)

    # --- dispatch --------------------------------------------------------------------------

    def _gen(self, schema: Any, draw: _Draw, depth: int, name: str, hops: int = 0) -> Any:
        if not isinstance(schema, dict):
            return None
        if draw.exhausted(depth, hops):
            return _smallest(self._resolve(schema))
        schema = self._resolve(schema)
        if draw.examples:
            found = self._example(schema, draw)
            if found is not _MISSING:
                return found
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            choices = [v for v in schema["enum"] if v is not None] or schema["enum"]
            return draw.rng.choice(choices)
        if "allOf" in schema:
            return self._gen(self._merge(schema), draw, depth, name, hops + 1)
        options = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(options, list) and options:
            chosen = self._pick_option(schema, options, deep=depth >= _OPTIONAL_DEPTH)
            value = self._gen(chosen, draw, depth, name, hops + 1)
            if "oneOf" in schema and depth < _OPTIONAL_DEPTH and not draw.frugal:
                value = self._exactly_one(schema, value, draw, depth=depth, name=name, hops=hops)
            return value
        return self._typed(schema, _type_of(schema), draw, depth, name)

    def _typed(self, schema: dict[str, Any], kind: str, draw: _Draw, depth: int, name: str) -> Any:
        makers: dict[str, Callable[[], Any]] = {
            "object": lambda: self._object(schema, draw, depth),
            "array": lambda: self._array(schema, draw, depth, name),
            "string": lambda: _string(schema, draw.rng, name),
            "integer": lambda: _integer(schema, draw.rng),
            "number": lambda: _number(schema, draw.rng),
            "boolean": lambda: draw.rng.choice([True, False]),
        }
        maker = makers.get(kind)
        return None if maker is None else maker()

    def _example(self, schema: dict[str, Any], draw: _Draw) -> Any:
        candidates: list[Any] = []
        if isinstance(schema.get("examples"), list):
            candidates.extend(schema["examples"])
        if "example" in schema:
            candidates.append(schema["example"])
        for candidate in candidates:
            if self._spec.fits(candidate, schema, draw.view):
                return candidate
        return _MISSING

    # --- composition -----------------------------------------------------------------------

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        for _ in range(32):
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema
            target = self._spec.node(ref[1:], self._view) if ref.startswith("#") else None
            if not isinstance(target, dict):
                return {}
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            if any(key not in _ANNOTATIONS for key in siblings):
                return {"allOf": [target, siblings]}
            schema = {**target, **siblings} if siblings else target
        return {}

    def _merge(self, schema: dict[str, Any], level: int = 0) -> dict[str, Any]:
        """One schema from an ``allOf`` (nested ones flattened, at most ``_MAX_HOPS`` deep)."""
        found = schema.get("allOf")
        listed = found if isinstance(found, list) and level < _MAX_HOPS else []
        parts = [self._resolve(part) for part in listed if isinstance(part, dict)]
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        merged: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for raw_part in [*parts, rest]:
            part = self._merge(raw_part, level + 1) if "allOf" in raw_part else raw_part
            for key, value in part.items():
                if key == "properties" and isinstance(value, dict):
                    for prop, sub in value.items():
                        properties[prop] = (
                            {"allOf": [properties[prop], sub]} if prop in properties else sub
                        )
                elif key == "required" and isinstance(value, list):
                    required.extend(v for v in value if v not in required)
                elif key == "type" and "type" in merged:
                    merged["type"] = _intersect(merged["type"], value)
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _pick_option(
        self, schema: dict[str, Any], options: list[Any], *, deep: bool
    ) -> dict[str, Any]:
        """The first non-null option; deep in an instance, ``null`` or a flat option first
        (a recursive option would only grow the instance)."""
        resolved = [self._resolve(o) for o in options if isinstance(o, dict)]
        non_null = [o for o in resolved if _type_of(o) != "null"] or resolved or [{}]
        chosen = non_null[0]
        if deep:
            flat = [o for o in resolved if _type_of(o) not in ("object", "array")]
            chosen = (flat or non_null)[0]
        rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        if not any(key not in _ANNOTATIONS for key in rest):
            return chosen
        return {"allOf": [rest, chosen]}

    def _exactly_one(
        self, schema: dict[str, Any], value: Any, draw: _Draw, *, depth: int, name: str, hops: int
    ) -> Any:
        """``value`` when it matches exactly one ``oneOf`` option; else another option's
        instance that does, or ``value`` told apart from the options it also matches."""
        if self._spec.fits(value, schema, draw.view):
            return value
        options = [self._resolve(o) for o in schema["oneOf"] if isinstance(o, dict)]
        for option in options:
            other = self._gen(option, draw, depth, name, hops + 1)
            if self._spec.fits(other, schema, draw.view):
                return other
        told = self._told_apart(value, options, draw.view)
        return told if told is not None and self._spec.fits(told, schema, draw.view) else value

    def _told_apart(self, value: Any, options: list[dict[str, Any]], view: Side) -> Any:
        """Options without ``additionalProperties: false`` all accept one object: give it a
        property another option types differently (``weeks: "x"`` where weeks is an array),
        so that only the kept option still matches."""
        if not isinstance(value, dict):
            return None
        for kept in options:
            found = kept.get("properties")
            mine: dict[str, Any] = found if isinstance(found, dict) else {}
            if not self._spec.fits(value, kept, view):
                continue
            candidate = dict(value)
            for other in options:
                theirs = other.get("properties") if other is not kept else None
                for prop, sub in theirs.items() if isinstance(theirs, dict) else ():
                    wrong = _mismatch(self._resolve(sub) if isinstance(sub, dict) else {})
                    if prop not in mine and prop not in candidate and wrong is not _MISSING:
                        candidate[prop] = wrong
                        break
            if candidate != value:
                return candidate
        return None

    # --- structures ------------------------------------------------------------------------

    def _object(self, schema: dict[str, Any], draw: _Draw, depth: int) -> dict[str, Any]:
        found = schema.get("properties")
        properties: dict[str, Any] = found if isinstance(found, dict) else {}
        required = [r for r in schema.get("required") or () if isinstance(r, str)]
        hidden = "writeOnly" if draw.view is Side.RESPONSE else "readOnly"
        out: dict[str, Any] = {}
        for prop, sub in properties.items():
            wanted = prop in required or (depth < _OPTIONAL_DEPTH and not draw.frugal)
            if not wanted or (isinstance(sub, dict) and sub.get(hidden) is True):
                continue
            if depth >= _MAX_DEPTH and prop not in required:
                continue
            out[prop] = self._gen(sub, draw, depth + 1, prop)
        for prop in required:
            if prop not in out:
                out[prop] = self._gen(self._extra_schema(schema), draw, depth + 1, prop)
        self._fill_min_properties(schema, out, draw, depth)
        return out

    def _fill_min_properties(
        self, schema: dict[str, Any], out: dict[str, Any], draw: _Draw, depth: int
    ) -> None:
        wanted = int(schema.get("minProperties") or 0)
        if not out and schema.get("additionalProperties") not in (None, False) and depth < 3:
            wanted = max(wanted, 1)
        extra = self._extra_schema(schema)
        index = 1
        while len(out) < wanted and index < 64:
            out.setdefault(f"key{index}", self._gen(extra, draw, depth + 1, ""))
            index += 1

    def _extra_schema(self, schema: dict[str, Any]) -> Any:
        extra = schema.get("additionalProperties")
        return extra if isinstance(extra, dict) else {"type": "string"}

    def _array(self, schema: dict[str, Any], draw: _Draw, depth: int, name: str) -> list[Any]:
        low = int(schema.get("minItems") or 0)
        high = schema.get("maxItems")
        count = low if depth >= _OPTIONAL_DEPTH or draw.frugal else max(low, 1)
        if isinstance(high, int):
            count = min(count, high)
        found_prefix = schema.get("prefixItems")
        prefix: list[Any] = found_prefix if isinstance(found_prefix, list) else []
        found_items = schema.get("items")
        items: Any = found_items if isinstance(found_items, dict) else {}
        out: list[Any] = []
        for index in range(count):
            sub = prefix[index] if index < len(prefix) else items
            value = self._gen(sub, draw, depth + 1, name)
            if schema.get("uniqueItems") and value in out:
                again = _Draw(random.Random(f"{index}:{value}"), False, draw.view)  # noqa: S311
                value = self._gen(sub, again, depth + 1, name)
                if value in out:
                    break
            out.append(value)
        return out


_MISSING = object()


def _smallest(schema: dict[str, Any]) -> Any:
    """The least value of a schema's type, when generation has to stop."""
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        return None
    smallest: dict[str, Any] = {"object": {}, "array": [], "string": "", "boolean": False}
    return smallest.get(_type_of(schema), 0 if _type_of(schema) in ("integer", "number") else None)


def _mismatch(schema: dict[str, Any]) -> Any:
    """A value of a type ``schema`` refuses, or _MISSING when it has no single type."""
    kind = schema.get("type")
    if kind in ("array", "object", "integer", "number", "boolean"):
        return "x"
    return 0 if kind == "string" else _MISSING


def _type_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return str(non_null[0]) if non_null else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("pattern", "minLength", "maxLength", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "null" if not schema else "string"


def _intersect(first: Any, second: Any) -> Any:
    a = set(first if isinstance(first, list) else [first])
    b = set(second if isinstance(second, list) else [second])
    if "number" in a and "integer" in b:
        a.add("integer")
    if "number" in b and "integer" in a:
        b.add("integer")
    common = [kind for kind in _TYPES if kind in a and kind in b]
    return common[0] if len(common) == 1 else (common or first)


# --- scalars ---------------------------------------------------------------------------------


def _string(schema: dict[str, Any], rng: random.Random, name: str) -> str:
    low = int(schema.get("minLength") or 0)
    high = schema.get("maxLength")
    text = None
    if isinstance(schema.get("pattern"), str):
        text = string_matching(schema["pattern"], rng)
    if text is None:
        text = _formatted(str(schema.get("format") or ""), rng)
    if text is None:
        text = _named(name.lower(), rng)
    if len(text) < low:
        text += "".join(rng.choice(string.ascii_lowercase) for _ in range(low - len(text)))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _formatted(fmt: str, rng: random.Random) -> str | None:
    moment = _EPOCH + dt.timedelta(seconds=rng.randrange(0, 365 * 86400))
    number = rng.randrange(1, 10_000)
    table: dict[str, Callable[[], str]] = {
        "date-time": lambda: moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": lambda: moment.date().isoformat(),
        "time": lambda: moment.strftime("%H:%M:%SZ"),
        "email": lambda: f"user{number}@example.com",
        "idn-email": lambda: f"user{number}@example.com",
        "uri": lambda: f"https://example.com/r/{number}",
        "url": lambda: f"https://example.com/r/{number}",
        "iri": lambda: f"https://example.com/r/{number}",
        "uri-reference": lambda: f"/r/{number}",
        "iri-reference": lambda: f"/r/{number}",
        "uri-template": lambda: "https://example.com/{id}",
        "hostname": lambda: f"host{number}.example.com",
        "idn-hostname": lambda: f"host{number}.example.com",
        "ipv4": lambda: f"192.0.2.{number % 254 + 1}",
        "ipv6": lambda: f"2001:db8::{number:x}",
        "uuid": lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "byte": lambda: base64.b64encode(rng.randbytes(6)).decode("ascii"),
        "binary": lambda: "",
        "password": lambda: f"pw-{number}",
        "duration": lambda: f"P{number % 30 + 1}D",
        "regex": lambda: "^[a-z]+$",
        "json-pointer": lambda: f"/a/{number}",
        "relative-json-pointer": lambda: "0/a",
    }
    maker = table.get(fmt)
    return None if maker is None else maker()


def _named(name: str, rng: random.Random) -> str:
    number = rng.randrange(1, 10_000)
    if "email" in name:
        return f"user{number}@example.com"
    if "phone" in name:
        return f"+1415555{number:04d}"
    if name.endswith(("url", "uri", "link", "href")):
        return f"https://example.com/r/{number}"
    if "name" in name:
        return rng.choice(["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"])
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8))


def _integer(schema: dict[str, Any], rng: random.Random) -> int:
    low, high = _bounds(schema, 1, 1000, integer=True)
    value = rng.randint(int(low), int(max(low, high)))
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0:
        value = -(-int(low) // step) * step
    return value


def _number(schema: dict[str, Any], rng: random.Random) -> float | int:
    low, high = _bounds(schema, 0.0, 1000.0, integer=False)
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        return -(-low // step) * step
    return round(rng.uniform(low, max(low, high)), 2) if high > low + 0.02 else low


def _bounds(
    schema: dict[str, Any], low: float, high: float, *, integer: bool
) -> tuple[float, float]:
    nudge = 1 if integer else 0.01
    minimum = schema.get("minimum")
    maximum = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        minimum = schema["exclusiveMinimum"] + nudge
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        maximum = schema["exclusiveMaximum"] - nudge
    if isinstance(minimum, int | float):
        low = float(minimum) if not integer else float(-(-minimum // 1))
        high = max(high, low)
    if isinstance(maximum, int | float):
        high = float(maximum) if not integer else float(maximum // 1)
        low = min(low, high)
    return low, high
