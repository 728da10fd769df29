"""The user's own code as a transform: ``python: package.module:function`` (+ ``inverse:``).

The functions are imported when the transform is built, so a typo fails the contract load with
file and line, not the first check that happens to use the mapping. Without ``inverse`` the
transform is one-way, hence lossy; with it, the user vouches for the round trip.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.mapping.errors import TransformError, show
from harness.mapping.options import Options, suggest

_REFERENCE = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class PythonFunction:
    """forward = ``function(value)``; backward = ``inverse(value)``, or an error if none.

    Exceptions raised by the user's functions become ``TransformError`` naming the function and
    the value (the original stays chained as ``__cause__``).
    """

    name: str = "python"
    reference: str
    function: Callable[[Any], Any] = field(repr=False)
    inverse_reference: str = ""
    inverse: Callable[[Any], Any] | None = field(default=None, repr=False)
    lossy: bool = True

    def forward(self, value: Any) -> Any:
        return self._call(self.function, self.reference, value)

    def backward(self, value: Any) -> Any:
        if self.inverse is None:
            raise TransformError(
                self.name,
                f"{self.reference} has no inverse, so {show(value)} cannot be mapped back "
                "(add inverse: package.module:function)",
            )
        return self._call(self.inverse, self.inverse_reference, value)

    def _call(self, function: Callable[[Any], Any], reference: str, value: Any) -> Any:
        try:
            return function(value)
        except TransformError:
            raise
        except Exception as exc:
            raise TransformError(
                self.name, f"{reference} raised {type(exc).__name__}: {exc} (value: {show(value)})"
            ) from exc


def resolve_function(opts: Options, option: str, reference: str) -> Callable[[Any], Any]:
    """Import ``package.module:attribute[.attribute]`` and check it is callable."""
    if not _REFERENCE.fullmatch(reference):
        raise opts.error(
            f"{reference!r} is not a reference of the form 'package.module:function'",
            option=option,
        )
    module_name, _, attribute_path = reference.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise opts.error(
            f"cannot import {module_name!r} for {reference!r}: {type(exc).__name__}: {exc}",
            option=option,
            hint="is the package installed, or on sys.path (pytest's pythonpath ini option)?",
        ) from exc
    for attribute in attribute_path.split("."):
        if not hasattr(target, attribute):
            public = [name for name in dir(target) if not name.startswith("_")]
            raise opts.error(
                f"{reference!r}: {getattr(target, '__name__', target)!r} has no attribute "
                f"{attribute!r}",
                option=option,
                hint=suggest(attribute, public),
            )
        target = getattr(target, attribute)
    if not callable(target):
        raise opts.error(f"{reference!r} is not callable: {show(target)}", option=option)
    return target  # type: ignore[no-any-return]


def build_python(opts: Options) -> PythonFunction:
    """``python: package.module:function``, optional ``inverse: package.module:function``."""
    reference = opts.require("python", str, what="'package.module:function'")
    inverse_reference = opts.get("inverse", str, "")
    if not inverse_reference:
        opts.forbid_exact("without 'inverse' there is no way back")
    return PythonFunction(
        reference=reference,
        function=resolve_function(opts, "python", reference),
        inverse_reference=inverse_reference,
        inverse=resolve_function(opts, "inverse", inverse_reference) if inverse_reference else None,
        lossy=not inverse_reference,
    )
