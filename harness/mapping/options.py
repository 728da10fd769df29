"""Typed, validated access to one field mapping's transform options.

Every builder reads its options through ``Options`` so that a wrong type, a missing key or a typo
gets the same kind of message: which transform, which option, expected vs got, and a fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from harness.mapping.errors import TransformSpecError, show_got

T = TypeVar("T")

_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def suggest(word: str, candidates: Iterable[str]) -> str:
    """ "did you mean 'x'?" for the closest candidate, or "" when none is close."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """The options of one transform spec, e.g. ``{transform: money, currency: USD}``."""

    transform: str
    values: Mapping[str, Any]

    @classmethod
    def from_spec(cls, transform: str, spec: Mapping[Any, Any], allowed: Iterable[str]) -> Options:
        """Reject any key not in ``allowed``, suggesting the closest."""
        known = sorted(allowed)
        for key in spec:
            if not isinstance(key, str):
                raise TransformSpecError(f"option names must be strings, got {show_got(key)}")
            if key not in known:
                hint = suggest(key, known) or f"known options: {', '.join(known)}"
                raise TransformSpecError(
                    "unknown option", transform=transform, option=key, hint=hint
                )
        return cls(transform=transform, values=dict(spec))

    def error(self, message: str, *, option: str = "", hint: str = "") -> TransformSpecError:
        return TransformSpecError(message, transform=self.transform, option=option, hint=hint)

    def find(self, key: str, kind: type[T]) -> T | None:
        """The option's value if present and not null (checked against ``kind``), else None."""
        value = self.values.get(key)
        if value is None:
            return None
        # bool is an int subclass, but `exponent: true` is a mistake, not 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            expected = _KIND_NAMES.get(kind, kind.__name__)
            raise self.error(f"expected {expected}, got {show_got(value)}", option=key)
        return value

    def get(self, key: str, kind: type[T], default: T) -> T:
        found = self.find(key, kind)
        return default if found is None else found

    def raw(self, key: str, *, what: str) -> Any:
        """A mandatory option of any type (null included); ``what`` describes it when missing."""
        if key not in self.values:
            raise self.error(f"missing required option '{key}' ({what})")
        return self.values[key]

    def require(self, key: str, kind: type[T], *, what: str) -> T:
        """A mandatory, non-null option checked against ``kind``."""
        self.raw(key, what=what)
        found = self.find(key, kind)
        if found is None:
            raise self.error(f"expected {what}, got null", option=key)
        return found

    def mapping(self, key: str, *, what: str) -> Mapping[Any, Any]:
        """A mandatory, non-empty mapping option (e.g. enum ``values``)."""
        value = self.raw(key, what=what)
        if not isinstance(value, Mapping) or not value:
            raise self.error(f"expected {what}, got {show_got(value)}", option=key)
        return value

    def forbid_exact(self, reason: str) -> None:
        """Reject ``lossy: false`` on a transform that has no inverse."""
        if self.values.get("lossy") is False:
            raise self.error(f"cannot be declared lossy: false: {reason}", option="lossy")
