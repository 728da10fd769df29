"""uvicorn internals harness relies on; written against uvicorn 0.54.0.

The sandbox must be able to drop a connection without answering (a fault the contract
declares: "the target closes the connection"). ASGI has no way to say that, so harness
subclasses uvicorn's HTTP protocol class, which is internal: its module path
(``uvicorn.protocols.http.h11_impl.H11Protocol`` / ``httptools_impl.HttpToolsProtocol``), its
constructor, and its ``app`` and ``transport`` attributes are not promised by uvicorn.
``tests/unit/test_compat_uvicorn.py`` checks each of them, then drops a real connection.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

#: The uvicorn release this wrapper was written and tested against.
WRITTEN_AGAINST = "0.54.0"

#: (module, class) of the HTTP protocols uvicorn's ``http="auto"`` chooses between.
HTTPTOOLS_PROTOCOL = ("uvicorn.protocols.http.httptools_impl", "HttpToolsProtocol")
H11_PROTOCOL = ("uvicorn.protocols.http.h11_impl", "H11Protocol")


def http_protocol_base() -> type[asyncio.Protocol]:
    """The protocol class uvicorn's ``auto`` would serve HTTP with (httptools when present)."""
    fast = importlib.util.find_spec("httptools") is not None
    module, name = HTTPTOOLS_PROTOCOL if fast else H11_PROTOCOL
    base: type[asyncio.Protocol] = getattr(importlib.import_module(module), name)
    return base


def dropping_protocol(
    extension: str, base: type[asyncio.Protocol] | None = None
) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol whose HTTP scopes carry ``extensions[extension]``.

    That extension is a zero-argument function: the app calls it to close the connection
    without a response. Pass the class as ``uvicorn.Config(http=...)``.
    """
    parent: Any = base if base is not None else http_protocol_base()

    class DroppingProtocol(parent):  # type: ignore[misc]
        app: Any
        transport: Any

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.app = _with_drop(self.app, extension, self._drop)

        def _drop(self) -> None:
            if self.transport is not None:
                self.transport.close()

    protocol: type[asyncio.Protocol] = DroppingProtocol
    return protocol


def _with_drop(inner: Any, extension: str, drop: Callable[[], None]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            scope.setdefault("extensions", {})[extension] = drop
        await inner(scope, receive, send)

    return app
