"""Names and objects that installed packages add to harness through entry points.

A project adds a signature scheme or a transform without forking harness by declaring an
entry point in its packaging metadata, e.g. in its ``pyproject.toml``::

    [project.entry-points."harness.signature_schemes"]
    acme-v2 = "acme_hooks.signing:AcmeScheme"    # a SignatureScheme factory

    [project.entry-points."harness.transforms"]
    phone_e164 = "acme_hooks.mapping:PhoneE164"  # a Transform factory

The contract layer knows the group names (its validation lets the names pass); the
registries in ``webhooks`` and ``mapping`` load the objects. Built-in names take precedence
over a plugin of the same name. Nothing is cached here: an entry point installed (or put on
``sys.path``) while the process runs is seen by the next lookup.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final, cast

from harness.errors import UsageError

SIGNATURE_SCHEMES: Final = "harness.signature_schemes"
TRANSFORMS: Final = "harness.transforms"


@dataclass(frozen=True, slots=True)
class Plugin:
    """A loaded entry point: the object, and how to name it in a message."""

    name: str
    value: object
    label: str  # "entry point 'acme-v2' = 'acme_hooks.signing:AcmeScheme' (harness....)"

    def fault(self, problem: str) -> UsageError:
        """The error for a plugin that loaded but does not work: it names the entry point."""
        return UsageError(f"{self.label}: {problem}; fix or uninstall the package providing it")

    def parameters(self, what: str) -> tuple[str, ...]:
        """The keyword options the plugin's factory of ``what`` takes (a fault if none)."""
        if not callable(self.value):
            raise self.fault(f"expected a {what} factory, got {type(self.value).__name__}")
        try:
            return tuple(inspect.signature(self.value).parameters)
        except (TypeError, ValueError) as exc:
            raise self.fault(f"its parameters cannot be read: {exc}") from None

    def build(self, options: Mapping[str, object], *, passing: tuple[type[Exception], ...]) -> Any:
        """The factory called with ``options``; what it raises, but ``passing``, is its bug."""
        factory = cast(Callable[..., Any], self.value)  # parameters() checked it is callable
        try:
            return factory(**options)
        except passing:
            raise
        except Exception as exc:  # a plugin's bug, reported as such
            raise self.fault(f"raised {type(exc).__name__}: {exc}") from None


def plugin_names(group: str) -> tuple[str, ...]:
    """The names installed packages declare in ``group``, sorted."""
    return tuple(sorted({point.name for point in entry_points(group=group)}))


def load_plugin(group: str, name: str) -> Plugin | None:
    """The object behind entry point ``name`` of ``group``; None when no package declares it.

    A point that fails to import, or two packages declaring the same name differently, is a
    ``UsageError`` naming the entry point, never a traceback from inside the plugin.
    """
    points = {point.value: point for point in entry_points(group=group, name=name)}
    if not points:
        return None
    if len(points) > 1:
        labels = " and ".join(_label(group, point) for point in points.values())
        raise UsageError(f"{labels} declare the same name; uninstall one of the packages")
    point = next(iter(points.values()))
    label = _label(group, point)
    try:
        value = point.load()
    except Exception as exc:  # anything a third-party import raises
        raise UsageError(
            f"{label} failed to load: {type(exc).__name__}: {exc}; "
            "fix or uninstall the package providing it"
        ) from None
    return Plugin(name=name, value=value, label=label)


def _label(group: str, point: EntryPoint) -> str:
    source = f" from {point.dist.name}" if point.dist is not None else ""
    return f"entry point {point.name!r} = {point.value!r} ({group}{source})"
