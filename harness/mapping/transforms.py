"""Transforms: named, typed conversions between a field's value in ours and in theirs.

``forward`` maps ours → theirs, ``backward`` theirs → ours. What ``lossy`` promises:

- ``lossy: false`` — exact: ``backward(forward(x)) == x`` for every ``x`` forward accepts.
- ``lossy: true`` — forward may discard information. backward then returns the canonical
  counterpart where there is one (``upper``: the value as is, so ``forward(backward(y)) == y``),
  and raises ``TransformError`` where there is none (``constant``, ``format``, one-way
  ``python``, ``concat`` without a separator).

A field mapping may override the flag. ``lossy: true`` only relabels. ``lossy: false`` on a
transform that is lossy by nature is an assertion about the data, and it is *checked*: forward
raises when a value would not survive the round trip (a sub-second time under ``epoch_s``, a
lowercase name under ``upper``). A transform with no inverse cannot be declared exact.

New transform: write a frozen dataclass with ``name``, ``lossy``, ``forward``, ``backward``, and
a ``build_*(opts: Options)`` function, then add one entry to ``_BUILDERS`` (and the name to the
schema's ``transform`` enum). Outside harness, declare a ``harness.transforms`` entry point
instead (``plugin_builder``): a name the table does not hold is looked up there.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, runtime_checkable

from harness.contract.plugins import TRANSFORMS, Plugin, load_plugin, plugin_names
from harness.errors import UsageError
from harness.mapping.custom import build_python
from harness.mapping.errors import TransformError, TransformSpecError, show, show_got
from harness.mapping.lookup import build_bool_string, build_enum
from harness.mapping.money import build_money
from harness.mapping.multifield import build_concat, build_join, build_split
from harness.mapping.options import Options, suggest
from harness.mapping.paths import MISSING
from harness.mapping.temporal import CalendarDate, Epoch, Iso8601


@runtime_checkable
class Transform(Protocol):
    """The seam every transform implements (see the module docstring for ``lossy``)."""

    @property
    def name(self) -> str: ...

    @property
    def lossy(self) -> bool: ...

    def forward(self, value: Any) -> Any:
        """ours → theirs; raises TransformError for a value outside the domain."""

    def backward(self, value: Any) -> Any:
        """theirs → ours; raises TransformError if the value (or the transform) has no inverse."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Direct:
    """The same value on both sides. Exact."""

    name: str = "direct"
    lossy: bool = False

    def forward(self, value: Any) -> Any:
        return value

    def backward(self, value: Any) -> Any:
        return value


_TEXT_FUNCTIONS: Mapping[str, Callable[[str], str]] = MappingProxyType(
    {"upper": str.upper, "lower": str.lower, "trim": str.strip}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class TextNormal:
    """``upper``, ``lower`` or ``trim`` (Unicode whitespace) a string. Lossy; idempotent.

    backward returns theirs as is: the normal form is its own canonical counterpart.
    """

    name: str
    lossy: bool = True

    def forward(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TransformError(self.name, f"expected a string, got {show_got(value)}")
        return _TEXT_FUNCTIONS[self.name](value)

    def backward(self, value: Any) -> Any:
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Default:
    """A missing or null ours value becomes ``value``; others pass through. Lossy.

    backward passes theirs through: a theirs equal to the default may have been missing in ours.
    """

    name: str = "default"
    lossy: bool = True
    value: Any

    def forward(self, value: Any) -> Any:
        return self.value if value is None or value is MISSING else value

    def backward(self, value: Any) -> Any:
        return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Constant:
    """Theirs is always ``value``, whatever ours is. One-way."""

    name: str = "constant"
    lossy: bool = True
    value: Any

    def forward(self, value: Any) -> Any:
        return self.value

    def backward(self, value: Any) -> Any:
        raise TransformError(
            self.name, f"{show(value)} cannot be mapped back: ours is not kept by a constant"
        )


# One printf conversion: flags, width, precision, type (no `%(key)s`, no `*`).
_PRINTF_CONVERSION = re.compile(r"%[-#0 +]*[0-9]*(?:\.[0-9]+)?[diouxXeEfFgGcrsa]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Format:
    """Render ours with a printf (``%05d``) or ``str.format`` (``{:.2f}``) pattern. One-way."""

    name: str = "format"
    lossy: bool = True
    pattern: str

    def forward(self, value: Any) -> str:
        try:
            if _is_brace_pattern(self.pattern):
                return self.pattern.format(value)
            return self.pattern % (value,)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:
            raise TransformError(
                self.name, f"cannot format {show_got(value)} with {self.pattern!r}: {exc}"
            ) from None

    def backward(self, value: Any) -> Any:
        raise TransformError(
            self.name,
            f"{show(value)} cannot be parsed back: format patterns are one-way",
        )


def _is_brace_pattern(pattern: str) -> bool:
    return "{" in pattern


def _check_pattern(opts: Options, pattern: str) -> None:
    """Exactly one placeholder, taking the value positionally."""
    if _is_brace_pattern(pattern):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        except ValueError as exc:
            raise opts.error(f"{pattern!r}: {exc}", option="format") from None
        valid = len(fields) == 1 and fields[0] in {"", "0"}
    else:
        rest = _PRINTF_CONVERSION.sub("", pattern.replace("%%", ""))
        valid = len(_PRINTF_CONVERSION.findall(pattern.replace("%%", ""))) == 1 and "%" not in rest
    if not valid:
        raise opts.error(
            f"{pattern!r} must hold exactly one placeholder, e.g. '%05d' or '{{:.2f}}'",
            option="format",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Declared:
    """A transform whose ``lossy`` flag the contract set; ``lossy: false`` is enforced."""

    inner: Transform
    lossy: bool

    @property
    def name(self) -> str:
        return self.inner.name

    def forward(self, value: Any) -> Any:
        result = self.inner.forward(value)
        if self.inner.lossy and not self.lossy:
            restored = self.inner.backward(result)
            expected = tuple(value) if isinstance(value, list) else value
            if restored != expected:
                raise TransformError(
                    self.name,
                    f"{show(value)} does not survive the round trip (it comes back as "
                    f"{show(restored)}) and the mapping is declared lossy: false",
                )
        return result

    def backward(self, value: Any) -> Any:
        return self.inner.backward(value)


# --- the factory ------------------------------------------------------------------------------


def _build_value(opts: Options, cls: type[Default] | type[Constant]) -> Transform:
    return cls(value=opts.raw("value", what="the value theirs gets"))


def _build_constant(opts: Options) -> Transform:
    opts.forbid_exact("a constant keeps nothing of ours")
    return _build_value(opts, Constant)


def _build_format(opts: Options) -> Transform:
    opts.forbid_exact("a formatted value is not parsed back")
    pattern = opts.require("format", str, what="a pattern such as '%05d' or '{:.2f}'")
    _check_pattern(opts, pattern)
    return Format(pattern=pattern)


class _Recipe(NamedTuple):
    """How to build one transform from its options, and which options it takes."""

    build: Callable[[Options], Transform]
    options: frozenset[str] = frozenset()


_BUILDERS: Mapping[str, _Recipe] = MappingProxyType(
    {
        "direct": _Recipe(lambda _: Direct()),
        "iso8601": _Recipe(lambda _: Iso8601()),
        "date": _Recipe(lambda _: CalendarDate()),
        "epoch_s": _Recipe(lambda _: Epoch(name="epoch_s", unit=timedelta(seconds=1))),
        "epoch_ms": _Recipe(lambda _: Epoch(name="epoch_ms", unit=timedelta(milliseconds=1))),
        "upper": _Recipe(lambda _: TextNormal(name="upper")),
        "lower": _Recipe(lambda _: TextNormal(name="lower")),
        "trim": _Recipe(lambda _: TextNormal(name="trim")),
        "enum": _Recipe(build_enum, frozenset({"values"})),
        "bool_string": _Recipe(build_bool_string, frozenset({"true_value", "false_value"})),
        "money": _Recipe(build_money, frozenset({"currency", "exponent", "ours_unit"})),
        "join": _Recipe(build_join, frozenset({"separator", "maxsplit"})),
        "split": _Recipe(build_split, frozenset({"separator", "maxsplit"})),
        "concat": _Recipe(build_concat, frozenset({"separator"})),
        "default": _Recipe(lambda opts: _build_value(opts, Default), frozenset({"value"})),
        "constant": _Recipe(_build_constant, frozenset({"value"})),
        "format": _Recipe(_build_format, frozenset({"format"})),
        "python": _Recipe(build_python, frozenset({"python", "inverse"})),
    }
)
TRANSFORM_NAMES: frozenset[str] = frozenset(_BUILDERS)
# Keys of a contract field mapping that are not transform options; build_transform skips them.
FIELD_KEYS: frozenset[str] = frozenset({"ours", "theirs", "type", "description", "validate"})


def build_transform(spec: Mapping[str, Any]) -> Transform:
    """The transform a field mapping describes, e.g. ``{transform: money, currency: JPY}``.

    ``transform`` (absent or null) defaults to ``python`` when a ``python:`` key is present, else
    ``direct``. Keys in FIELD_KEYS are skipped, so a whole field mapping may be passed; an option
    given as null counts as absent (``lossy: null`` declares nothing).
    Raises TransformSpecError for an unknown name, an unknown or ill-typed option, or options
    that contradict each other.
    """
    if not isinstance(spec, Mapping):
        raise TransformSpecError(f"a transform spec must be a mapping, got {show_got(spec)}")
    name = spec.get("transform")
    if name is None:
        name = "python" if "python" in spec else "direct"
    builder = _builder(name)
    options = {key: value for key, value in spec.items() if key not in FIELD_KEYS}
    allowed = builder.options | {"transform", "lossy"}
    opts = Options.from_spec(name, options, allowed)
    transform = builder.build(opts)
    declared = opts.find("lossy", bool)
    if declared is None or declared == transform.lossy:
        return transform
    return Declared(inner=transform, lossy=declared)


def _builder(name: object) -> _Recipe:
    """The built-in builder called ``name``, else one for an installed plugin's transform."""
    if isinstance(name, str) and name in _BUILDERS:
        return _BUILDERS[name]
    plugin = load_plugin(TRANSFORMS, name) if isinstance(name, str) else None
    if plugin is not None:
        return plugin_builder(plugin)
    known = sorted({*_BUILDERS, *plugin_names(TRANSFORMS)})
    hint = suggest(name, known) if isinstance(name, str) else ""
    raise TransformSpecError(
        f"unknown transform {show(name)}",
        option="transform",
        hint=hint or f"known transforms: {', '.join(known)}",
    )


def plugin_builder(plugin: Plugin) -> _Recipe:
    """How to build an installed plugin's transform.

    The entry point names a ``Transform`` factory (a class or function) whose keyword
    parameters are the options it takes from the field mapping. A factory that fails other
    than by ``TransformSpecError`` is the plugin's bug: a ``UsageError`` naming the entry point.
    """
    parameters = plugin.parameters("Transform")

    def build(opts: Options) -> Transform:
        given = {key: opts.values[key] for key in parameters if opts.values.get(key) is not None}
        transform = plugin.build(given, passing=(TransformSpecError, UsageError))
        if not isinstance(transform, Transform):
            raise plugin.fault(f"returned {show(transform)}, not a Transform")
        return transform

    return _Recipe(build, frozenset(parameters))
