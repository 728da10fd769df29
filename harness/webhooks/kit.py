"""Sending deliveries to our handler and reading the contract's webhook settings.

Used by the ``webhooks`` family and by the ``harness_webhooks`` fixture. A handler is a URL,
or an in-process ASGI/WSGI app (``handler.app: "module:attr"``; an ASGI app is served by
Starlette's TestClient, a WSGI app by httpx's WSGITransport).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from harness.contract import Contract
from harness.contract.model import Webhooks
from harness.contract.references import resolve_schema
from harness.errors import TransportError, UsageError
from harness.webhooks import SignatureScheme, sign, verify
from harness.webhooks.configured import configured_scheme
from harness.webhooks.receiver import Received, Receiver
from harness.webhooks.sender import (
    CaseOutcome,
    Replay,
    other_secret,
    plan_matrix,
    send_matrix,
    tamper,
)
from harness.webhooks.signing import new_msg_id

HANDLER_TIMEOUT_S = 10.0
APP_BASE_URL = "http://handler.local"


def event_body_factory(contract: Contract) -> Callable[[], bytes]:
    """Fresh event payloads: the first declared event's schema example with a new ``id``."""
    webhooks = contract.webhooks
    example: Any = None
    for event in webhooks.events.values() if webhooks else ():
        schema = resolve_schema(contract, event.schema, event.loc)
        found = schema.get("examples") or ([schema["example"]] if "example" in schema else [])
        if found:
            example = found[0]
            break
    if not isinstance(example, dict):
        name = next(iter(webhooks.events), "event") if webhooks else "event"
        example = {"id": "evt_example", "type": name, "data": {}}

    def make() -> bytes:
        fresh = dict(example)
        if "id" in fresh:
            fresh["id"] = "evt_" + new_msg_id().removeprefix("msg_").replace("-", "").replace(
                "_", ""
            )
        return json.dumps(fresh, separators=(",", ":")).encode()

    return make


def load_app(reference: str, *, search: tuple[Path, ...] = ()) -> Any:
    """``module:attr`` → the object, importing from the working directory or ``search``."""
    module_name, colon, attr = reference.partition(":")
    if not colon or not module_name or not attr:
        raise UsageError(f"handler.app {reference!r} must be 'module:attribute'")
    added = [str(path) for path in search if str(path) not in sys.path]
    sys.path.extend(added)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UsageError(f"handler.app {reference!r}: cannot import {module_name}: {exc}") from exc
    finally:
        for path in added:
            sys.path.remove(path)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise UsageError(f"handler.app {reference!r}: {module_name} has no {attr!r}") from None


def is_asgi(app: Any) -> bool:
    call = getattr(app, "__call__", None)  # noqa: B004 - an app is any callable object
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)


@contextlib.contextmanager
def handler_client(target: str | Any) -> Iterator[tuple[httpx.Client, str]]:
    """A client to the handler and the URL (or path) to post to."""
    if isinstance(target, str):
        with httpx.Client(timeout=HANDLER_TIMEOUT_S) as client:
            yield client, target
        return
    transport: httpx.BaseTransport = (
        AsgiTransport(target) if is_asgi(target) else httpx.WSGITransport(app=target)
    )
    with httpx.Client(transport=transport, base_url=APP_BASE_URL) as client:
        yield client, APP_BASE_URL


class AsgiTransport(httpx.BaseTransport):
    """httpx's ASGITransport, for a sync client: each request runs on its own event loop."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = b"".join([chunk async for chunk in response.aiter_raw()])
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(send())


def handler_path(webhooks: Webhooks) -> str:
    """The path on an in-process app: that of ``handler.url`` when given, else ``/``."""
    url = webhooks.handler.url if webhooks.handler else None
    return (urlsplit(url).path or "/") if url else "/"


@contextlib.contextmanager
def secret_in_env(var: str | None, value: str) -> Iterator[None]:
    """``$var`` set to ``value`` while an in-process handler runs; restored afterwards."""
    if not var:
        yield
        return
    before = os.environ.get(var)
    os.environ[var] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = before


class WebhookKit:
    """The contract's webhooks, for a user's suite (the ``harness_webhooks`` fixture)."""

    def __init__(self, contract: Contract, *, secret: str | None = None) -> None:
        webhooks = contract.webhooks
        if webhooks is None or webhooks.signature is None:
            raise UsageError(f"contract {contract.id} declares no webhooks.signature")
        self.contract = contract
        self.signature = webhooks.signature
        self.scheme = configured_scheme(webhooks.signature)
        given = webhooks.signature.secret
        # Unset: an invented secret of the scheme's shape, exported to in-process apps.
        self.secret = secret or (given.reveal() if given.is_set else _invented(self.scheme))
        self.make_body = event_body_factory(contract)
        handler = webhooks.handler
        self.replay = Replay(handler.replay) if handler else Replay.REJECT
        self.path = handler_path(webhooks)

    def _secret(self, secret: str | None) -> str:
        return secret or self.secret

    def matrix(self, target: str | Any, *, secret: str | None = None) -> list[CaseOutcome]:
        """Send the whole matrix to a handler (URL or app); one outcome per case."""
        key = self._secret(secret)
        plans = plan_matrix(
            self.scheme,
            key,
            self.make_body,
            tolerance_s=self.signature.tolerance_s or 300,
            replay=self.replay,
        )
        with secret_in_env(self.signature.secret.var, key), handler_client(target) as (client, url):
            full = url + self.path if not isinstance(target, str) else url
            try:
                return send_matrix(client, full, plans)
            except httpx.HTTPError as exc:
                raise TransportError(f"handler unreachable at {full}: {exc}") from exc

    def send(
        self,
        target: str | Any,
        body: bytes | None = None,
        *,
        secret: str | None = None,
        tampered: bool = False,
    ) -> httpx.Response:
        """One signed delivery (tampered after signing if asked); the handler's response."""
        key = self._secret(secret)
        raw = self.make_body() if body is None else body
        headers = sign(self.scheme, key, raw) | {"Content-Type": "application/json"}
        with secret_in_env(self.signature.secret.var, key), handler_client(target) as (client, url):
            full = url + self.path if not isinstance(target, str) else url
            return client.post(full, content=tamper(raw) if tampered else raw, headers=headers)

    def verify(self, received: Received, secret: str, *, now: float | None = None) -> None:
        """Verify a delivery the receiver got (``VerificationError`` when it does not)."""
        verify(
            self.scheme,
            secret,
            received.headers,
            received.body,
            now=received.at if now is None else now,
        )

    def receiver(self, *, fail_first: bool = False) -> Receiver:
        """A receiver on 127.0.0.1 (use ``with``); subscribe its ``.url`` to the sandbox."""
        return Receiver(path=self.path if self.path != "/" else "/webhooks", fail_first=fail_first)


def _invented(scheme: SignatureScheme) -> str:
    return other_secret("whsec_" if scheme.name in ("standard-webhooks", "stripe") else "")
