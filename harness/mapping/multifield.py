"""Multi-field transforms: several fields on one side ↔ one text field on the other.

``join``: ours ``(first, last)`` ↔ theirs ``"first last"``; ``split`` is the mirror (ours holds
the whole text); ``concat`` joins any number of parts. The multi-field side is a tuple (a list is
accepted on input).

All three are lossy by default, because a part that contains the separator is cut in the wrong
place on the way back: with ``maxsplit: 1``, ``("Mary Ann", "Smith")`` → ``"Mary Ann Smith"`` →
``("Mary", "Ann Smith")``. (``join``/``split`` cut on the *first* separators, so the last part may
contain it freely.) Declare ``lossy: false`` to assert that your data never does: forward then
rejects any value that would not survive the round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.mapping.errors import TransformError, show, show_got
from harness.mapping.options import Options


def _join(transform: str, parts: Any, separator: str, count: int | None) -> str:
    if not isinstance(parts, list | tuple) or not parts:
        raise TransformError(
            transform, f"expected a non-empty list or tuple of strings, got {show_got(parts)}"
        )
    if count is not None and len(parts) != count:
        raise TransformError(transform, f"expected {count} parts, got {len(parts)}: {show(parts)}")
    for part in parts:
        if not isinstance(part, str):
            raise TransformError(transform, f"parts must be strings, got {show_got(part)}")
    return separator.join(parts)


def _split(transform: str, text: Any, separator: str, count: int | None) -> tuple[str, ...]:
    if not isinstance(text, str):
        raise TransformError(transform, f"expected a string, got {show_got(text)}")
    parts = tuple(text.split(separator, -1 if count is None else count - 1))
    if count is not None and len(parts) != count:
        raise TransformError(
            transform,
            f"{text!r} has {len(parts)} part(s) separated by {separator!r}, expected {count}",
        )
    return parts


@dataclass(frozen=True, slots=True, kw_only=True)
class Join:
    """ours: ``maxsplit + 1`` strings ↔ theirs: one string. Lossy by default (see module)."""

    name: str = "join"
    lossy: bool = True
    separator: str = " "
    maxsplit: int = 1

    def forward(self, value: Any) -> str:
        return _join(self.name, value, self.separator, self.maxsplit + 1)

    def backward(self, value: Any) -> tuple[str, ...]:
        return _split(self.name, value, self.separator, self.maxsplit + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    """ours: one string ↔ theirs: ``maxsplit + 1`` strings. Lossy by default (see module)."""

    name: str = "split"
    lossy: bool = True
    separator: str = " "
    maxsplit: int = 1

    def forward(self, value: Any) -> tuple[str, ...]:
        return _split(self.name, value, self.separator, self.maxsplit + 1)

    def backward(self, value: Any) -> str:
        return _join(self.name, value, self.separator, self.maxsplit + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Concat:
    """ours: any number of strings ↔ theirs: one string. One-way without a separator."""

    name: str = "concat"
    lossy: bool = True
    separator: str = ""

    def forward(self, value: Any) -> str:
        return _join(self.name, value, self.separator, None)

    def backward(self, value: Any) -> tuple[str, ...]:
        if not self.separator:
            raise TransformError(
                self.name,
                f"{show(value)} cannot be split back: no separator is declared "
                "(add separator: to make concat two-way)",
            )
        return _split(self.name, value, self.separator, None)


def _separator(opts: Options, default: str) -> str:
    separator = opts.get("separator", str, default)
    if not separator:
        raise opts.error("must not be empty", option="separator")
    return separator


def _maxsplit(opts: Options) -> int:
    maxsplit = opts.get("maxsplit", int, 1)
    if maxsplit < 1:
        raise opts.error(f"expected an integer >= 1, got {maxsplit}", option="maxsplit")
    return maxsplit


def build_join(opts: Options) -> Join:
    """``separator`` (default " "), ``maxsplit`` (default 1: two parts)."""
    return Join(separator=_separator(opts, " "), maxsplit=_maxsplit(opts))


def build_split(opts: Options) -> Split:
    """``separator`` (default " "), ``maxsplit`` (default 1: two parts)."""
    return Split(separator=_separator(opts, " "), maxsplit=_maxsplit(opts))


def build_concat(opts: Options) -> Concat:
    """``separator`` (default none: one-way)."""
    separator = opts.get("separator", str, "")
    if not separator:
        opts.forbid_exact("without a separator the parts cannot be split back")
    return Concat(separator=separator)
