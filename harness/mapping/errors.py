"""The two ways a mapping goes wrong: a value that will not transform, a spec that will not build.

``TransformError`` is about *data* (the vendor sent ``2026-03-01T10:00:00``, with no offset).
``TransformSpecError`` is about the *contract* (``transform: iso8610``); it is raised while
building, so the contract loader can wrap it with the file and line of the field mapping.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from harness.errors import HarnessError

_MAX_SHOWN = 80


class TransformError(HarnessError, ValueError):
    """A value is outside a transform's domain, or has no counterpart on the other side.

    Also a ``ValueError``, the error a value outside a function's domain raises in Python, so
    a user's ``python:`` transform may raise either.
    """

    def __init__(self, transform: str, message: str) -> None:
        self.transform = transform
        self.message = message
        super().__init__(f"{transform}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.transform, self.message))


class TransformSpecError(HarnessError, ValueError):
    """A field mapping's transform options are invalid (unknown name, missing or bad option).

    ``option`` names the offending key, if any, so the loader can point at its line.
    """

    def __init__(
        self, message: str, *, transform: str = "", option: str = "", hint: str = ""
    ) -> None:
        self.message = message
        self.transform = transform
        self.option = option
        self.hint = hint
        where = f"option '{option}': " if option else ""
        text = f"{transform}: {where}{message}" if transform else f"{where}{message}"
        super().__init__(f"{text}; {hint}" if hint else text)

    def __reduce__(self) -> tuple[Any, ...]:
        rebuild = partial(type(self), transform=self.transform, option=self.option, hint=self.hint)
        return (rebuild, (self.message,))


def show(value: Any) -> str:
    """Render a value for a message: dates as ISO text, everything else as a short repr."""
    text = value.isoformat() if isinstance(value, date) else repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def show_got(value: Any) -> str:
    """Render a value with its type, for "expected X, got Y" messages."""
    return f"{show(value)} ({type(value).__name__})"
