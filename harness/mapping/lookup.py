"""Lookup transforms: an explicit one-to-one table of ours ↔ theirs values (enum, bool_string)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.mapping.errors import TransformError, TransformSpecError, show
from harness.mapping.options import Options

_MAX_LISTED = 10
_NONE = object()


def _key(value: Any) -> tuple[bool, Any]:
    # True == 1 and hash(True) == hash(1): without the flag, 1 would find the entry of true.
    return (isinstance(value, bool), value)


def _listing(values: list[Any]) -> str:
    shown = ", ".join(show(value) for value in values[:_MAX_LISTED])
    more = len(values) - _MAX_LISTED
    return shown + (f" (and {more} more)" if more > 0 else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueMap:
    """ours ↔ theirs through an explicit table. Exact: the table must be one-to-one.

    A value missing from the table is an error naming the value and the known ones; it is never
    passed through, because a silently unmapped status is the bug this transform exists to catch.
    """

    name: str = "enum"
    lossy: bool = False
    table: Mapping[Any, Any]
    _theirs: dict[tuple[bool, Any], Any] = field(init=False, repr=False, compare=False)
    _ours: dict[tuple[bool, Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        theirs = {_key(ours): value for ours, value in self.table.items()}
        ours: dict[tuple[bool, Any], Any] = {}
        for our_value, their_value in self.table.items():
            try:
                clash = ours.get(_key(their_value), _NONE)
            except TypeError:
                raise TransformSpecError(
                    f"theirs value {show(their_value)} is not a scalar",
                    transform=self.name,
                    option="values",
                ) from None
            if clash is not _NONE:
                raise TransformSpecError(
                    f"not one-to-one: {show(clash)} and {show(our_value)} both map to "
                    f"{show(their_value)}, so backward could not choose",
                    transform=self.name,
                    option="values",
                )
            ours[_key(their_value)] = our_value
        object.__setattr__(self, "_theirs", theirs)
        object.__setattr__(self, "_ours", ours)

    def forward(self, value: Any) -> Any:
        return self._look_up(self._theirs, value, side="theirs")

    def backward(self, value: Any) -> Any:
        return self._look_up(self._ours, value, side="ours")

    def _look_up(self, index: dict[tuple[bool, Any], Any], value: Any, *, side: str) -> Any:
        try:
            return index[_key(value)]
        except (KeyError, TypeError):
            known = list(self.table.keys() if side == "theirs" else self.table.values())
            other = "ours" if side == "theirs" else "theirs"
            raise TransformError(
                self.name,
                f"{show(value)} has no counterpart in {side}; known {other} values: "
                f"{_listing(known)}",
            ) from None


def build_enum(opts: Options) -> ValueMap:
    """``values: {ours: theirs, ...}``, one-to-one."""
    table = opts.mapping("values", what="a mapping of ours values to theirs values")
    return ValueMap(table=dict(table))


def build_bool_string(opts: Options) -> ValueMap:
    """``true_value: "Y"``, ``false_value: "N"`` (the defaults)."""
    true_text = opts.get("true_value", str, "Y")
    false_text = opts.get("false_value", str, "N")
    if true_text == false_text:
        raise opts.error(f"true_value and false_value are both {true_text!r}; they must differ")
    return ValueMap(name="bool_string", table={True: true_text, False: false_text})
