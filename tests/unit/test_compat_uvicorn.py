"""The uvicorn internals ``harness._compat.uvicorn`` subclasses are still what it expects.

Each assertion names what changed, so an incompatible uvicorn upgrade fails here, loudly,
and not as a sandbox that silently answers a "drop the connection" fault.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect

import pytest
import uvicorn
from uvicorn.server import ServerState

from harness._compat import uvicorn as compat

BASES = [compat.H11_PROTOCOL]
if importlib.util.find_spec("httptools") is not None:
    BASES.append(compat.HTTPTOOLS_PROTOCOL)


async def _app(scope: object, receive: object, send: object) -> None:  # never served here
    raise AssertionError


def test_written_against_the_installed_release() -> None:
    assert uvicorn.__version__.split(".")[:2] == compat.WRITTEN_AGAINST.split(".")[:2], (
        f"uvicorn {uvicorn.__version__} is installed, harness._compat.uvicorn was written "
        f"against {compat.WRITTEN_AGAINST}: re-run these tests and update WRITTEN_AGAINST"
    )


@pytest.mark.parametrize("where", BASES, ids=lambda where: where[1])
def test_the_protocol_class_is_where_harness_imports_it(where: tuple[str, str]) -> None:
    module, name = where
    found = getattr(importlib.import_module(module), name, None)
    assert inspect.isclass(found), f"uvicorn moved or renamed {module}.{name}"
    assert issubclass(found, asyncio.Protocol), f"{module}.{name} is no asyncio.Protocol"
    parameters = list(inspect.signature(found.__init__).parameters)
    assert parameters[:4] == ["self", "config", "server_state", "app_state"], (
        f"{module}.{name}.__init__ now takes {parameters}; DroppingProtocol passes them on"
    )


@pytest.mark.parametrize("where", BASES, ids=lambda where: where[1])
def test_the_subclass_wraps_the_app_and_has_a_transport(where: tuple[str, str]) -> None:
    module, name = where
    base = getattr(importlib.import_module(module), name)
    protocol = compat.dropping_protocol("harness.drop", base)
    config = uvicorn.Config(_app, http=protocol, lifespan="off")
    loop = asyncio.new_event_loop()
    try:
        instance = protocol(  # type: ignore[call-arg]
            config=config, server_state=ServerState(), app_state={}, _loop=loop
        )
    finally:
        loop.close()
    assert "transport" in vars(instance), f"{name} keeps its transport elsewhere now"
    assert instance.transport is None  # set by connection_made
    assert getattr(instance, "app", None) is not None, f"{name} no longer holds the app in .app"
    assert instance.app is not config.loaded_app, "the app was not wrapped"


def test_the_default_base_is_the_one_uvicorn_auto_would_choose() -> None:
    fast = importlib.util.find_spec("httptools") is not None
    expected = compat.HTTPTOOLS_PROTOCOL if fast else compat.H11_PROTOCOL
    base = compat.http_protocol_base()
    assert (base.__module__, base.__name__) == expected
