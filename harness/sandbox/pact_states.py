"""The sandbox's Pact provider-state endpoint: ``POST /__harness__/pact/states``.

Any Pact verifier can drive the local sandbox through it (pact-python's ``Verifier``
``state_handler(url, body=True)``, ``pact verifier --state-change-url``). It takes Pact's
state change request ``{"state": ..., "params": ..., "action": "setup"|"teardown"}`` (or the
same as query parameters) and understands the states ``harness.pact.states`` writes:

* ``a fresh sandbox and an access token``: drops every resource, idempotency answer and
  spent rate-limit budget, then answers ``{"access_token": ...}`` for the verifier's
  provider-state generators;
* ``<noun> <id> exists`` with ``{"path", "fields"}``: stores the resource at ``path`` (its
  missing fields generated so it conforms); teardown removes it.

Any other state is refused with 400 naming the known ones: a state the sandbox cannot set up
must fail its interaction, never pass it by luck.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from harness.pact.states import STATE_PATH, TOKEN_KEY, TOKEN_STATE
from harness.sandbox.builder import ResourceBuilder
from harness.sandbox.controls import Controls
from harness.sandbox.generation import Generator
from harness.sandbox.pipeline import Parts
from harness.sandbox.ratelimit import RateLimiter
from harness.sandbox.resources import Collection
from harness.sandbox.store import IdempotencyCache, Store

_EXISTS = re.compile(r"^.+ \S+ exists$")


def pact_state_route(parts: Parts, controls: Controls, seed: int) -> Route:
    """The provider-state route (mount it before the admin API, which owns the prefix)."""
    store = controls._parts.store  # the resources live in the controls' parts
    states = _States(
        builder=ResourceBuilder(parts.spec, Generator(parts.spec, seed=seed), store, parts.clock),
        store=store,
        collections=[b.collection for b in parts.behaviours.values() if b.collection],
        store_clear=lambda: _clear(store, parts.idempotency, parts.limiter),
        issue=controls.issue_token,
    )
    return Route(STATE_PATH, states.handle, methods=["POST"])


class _States:
    def __init__(
        self,
        *,
        builder: ResourceBuilder,
        store: Store,
        collections: list[Collection],
        store_clear: Callable[[], None],
        issue: Callable[[frozenset[str] | None], str],
    ) -> None:
        self._builder = builder
        self._store = store
        self._collections = {c.item_template: c for c in collections if c.item_template}
        self._clear = store_clear
        self._issue = issue

    async def handle(self, request: Request) -> Response:
        change = await _change(request)
        state, action = str(change.get("state") or ""), str(change.get("action") or "setup")
        given = change.get("params")
        params: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        if not state:
            return JSONResponse({})
        if state == TOKEN_STATE:
            return JSONResponse(self._token(params) if action == "setup" else {})
        if _EXISTS.match(state) and isinstance(params.get("path"), str):
            return self._resource(params["path"], params.get("fields"), action)
        return _refused(
            f"unknown provider state {state!r}; the local sandbox sets up {TOKEN_STATE!r} "
            '(params {"scopes": [...]}) and \'<noun> <id> exists\' (params {"path": '
            '"/contacts/ct_1", "fields": {...}}), as harness pact export writes them'
        )

    def _token(self, params: Mapping[str, Any]) -> dict[str, str]:
        self._clear()
        scopes = params.get("scopes")
        wanted = frozenset(str(s) for s in scopes) if isinstance(scopes, list) and scopes else None
        return {TOKEN_KEY: self._issue(wanted)}

    def _resource(self, path: str, fields: Any, action: str) -> Response:
        found = self._collection(path)
        if found is None:
            return _refused(f"no collection of this sandbox has an item at {path!r}")
        collection, bucket, rid = found
        if action == "teardown":
            self._store.remove(bucket, rid)
            return JSONResponse({})
        body = fields if isinstance(fields, Mapping) else {}
        value: Any = rid
        if rid.isdigit() and not self._builder.valid_id(collection, rid):
            value = int(rid)
        data = self._builder.build(collection, bucket, value, body, None, partial=False)
        self._store.put(bucket, rid, data)
        return JSONResponse({"path": path})

    def _collection(self, path: str) -> tuple[Collection, str, str] | None:
        for template, collection in self._collections.items():
            pattern = re.sub(r"\\\{[^{}]+\\\}", "([^/]+)", re.escape(template))
            if re.fullmatch(pattern, path):
                bucket, _, rid = path.rpartition("/")
                return collection, bucket, rid
        return None


def _clear(store: Store, idempotency: IdempotencyCache, limiter: RateLimiter) -> None:
    """A fresh sandbox for the next interaction: no resources, answers or spent budget."""
    store.clear()
    idempotency.clear()
    limiter.reset()


async def _change(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if raw:
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    query = dict(request.query_params)
    state, action = query.pop("state", ""), query.pop("action", "setup")
    return {"state": state, "action": action, "params": query}


def _refused(reason: str) -> Response:
    return JSONResponse({"error": reason}, status_code=400)
