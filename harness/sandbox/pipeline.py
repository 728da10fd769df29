"""One request, start to finish: faults → auth → concurrency → latency → rate limit →
declared triggers → validation → behaviour → headers → webhooks → the request log.

Every answer is one the operation documents where the document allows it: a refused
request gets the contract's declared error for that status, a malformed one the declared
validation error (or, when the operation documents neither 400 nor 422, another of its
documented refusals such as 404 or 409; never 401/403/429, which would mislead). When the
operation documents no refusal at all, the sandbox refuses anyway, as a real server would
(400 for a malformed request, 404 for a bad path parameter, 415 for an unknown media type,
401 without credentials), with a problem+json body, and says so: the answer carries
``Harness-Sandbox-Note`` and the request log records the note.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

import httpx
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from harness.contract.contract import SAFE_METHODS
from harness.sandbox.auth import Authenticator, Denied, Principal
from harness.sandbox.clock import SandboxClock
from harness.sandbox.errors import ErrorBook, TriggerTable
from harness.sandbox.faults import FaultAction, FaultBoard
from harness.sandbox.oauth import TokenEndpoint
from harness.sandbox.operations import Call, Operations
from harness.sandbox.ratelimit import Quota, RateLimiter
from harness.sandbox.recording import RequestLog
from harness.sandbox.requests import MISSING, InvalidRequest, RequestReader
from harness.sandbox.resources import Behaviour
from harness.sandbox.responses import Answer, ResponseBuilder
from harness.sandbox.spec import OperationSpec, Spec
from harness.sandbox.store import IdempotencyCache
from harness.sandbox.webhooks import WebhookDispatcher

DROP_EXTENSION = "harness.drop_connection"
NOTE_HEADER = "Harness-Sandbox-Note"  # an answer the document does not describe, and why
_NO_AUTHORIZATION = ("header", "authorization", MISSING)
_log = logging.getLogger("harness.sandbox")


@dataclass(frozen=True, slots=True, kw_only=True)
class Parts:
    """What the pipeline works with (built once per app)."""

    spec: Spec
    behaviours: Mapping[str, Behaviour]
    reader: RequestReader
    responses: ResponseBuilder
    errors: ErrorBook
    triggers: TriggerTable
    operations: Operations
    auth: Authenticator
    token_endpoint: TokenEndpoint | None
    token_operations: frozenset[str]
    limiter: RateLimiter
    clock: SandboxClock
    faults: FaultBoard
    log: RequestLog
    webhooks: WebhookDispatcher
    idempotency: IdempotencyCache
    idempotency_header: str | None
    subscription_operation: str | None


class Pipeline:
    def __init__(self, parts: Parts) -> None:
        self._p = parts
        self._date_cache = (0, "")

    async def __call__(
        self,
        op_id: str | None,
        path_params: Mapping[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        arrived = time.time()
        status: int | None = None
        recorded = False
        try:
            request = Request(scope, receive)
            action = self._p.faults.take(op_id)
            if action is not None and action.drop_connection:
                await asyncio.sleep(action.latency_s)
                self._record(scope, arrived, op_id, None)
                recorded = True
                await _drop(scope)
                return
            outcome = await self._answer(op_id, request, path_params, action)
            op = self._p.spec.operations.get(op_id) if op_id else None
            outcome.headers.setdefault("Date", self._date())
            if outcome.note is not None:
                outcome.headers[NOTE_HEADER] = _header_safe(outcome.note)
            response = self._p.responses.render(op, outcome)
            status = response.status_code
            # Recorded before the client can see the answer:
            self._record(scope, arrived, op_id, status, outcome.note)
            recorded = True
            await response(scope, receive, send)
        finally:
            if not recorded:
                self._record(scope, arrived, op_id, status)

    def _date(self) -> str:
        """``Date`` from the sandbox clock, so a client sees the skew it is tested against."""
        second = int(self._p.clock.now())
        if self._date_cache[0] != second:
            self._date_cache = (second, formatdate(second, usegmt=True))
        return self._date_cache[1]

    def _record(
        self,
        scope: Scope,
        arrived: float,
        op_id: str | None,
        status: int | None,
        note: str | None = None,
    ) -> None:
        self._p.log.record(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            raw_headers=scope["headers"],
            timestamp=arrived,
            operation_id=op_id,
            status=status,
            note=note,
        )

    async def _answer(
        self,
        op_id: str | None,
        request: Request,
        params: Mapping[str, str],
        action: FaultAction | None,
    ) -> Answer:
        op = self._p.spec.operations.get(op_id) if op_id else None
        if op_id in self._p.token_operations or (op is None and self._p.token_endpoint):
            if action is not None:
                await asyncio.sleep(action.latency_s)
                if action.status is not None:
                    return self._fault(op, action, None) if op else Answer(status=action.status)
            assert self._p.token_endpoint is not None
            return await self._p.token_endpoint.answer(op, request)
        assert op is not None
        who = self._principal(op, request)
        client = who.client if isinstance(who, Principal) else _address(request)
        if not self._p.limiter.enter(client, op.operation_id):
            return self._too_many(op, self._p.limiter.peek(client, op.operation_id), request)
        try:
            if action is not None:
                await asyncio.sleep(action.latency_s)
                if action.status is not None:
                    return self._fault(op, action, self._p.limiter.peek(client, op.operation_id))
            if isinstance(who, Denied):
                return self._denied(op, who, request)
            return await self._limited(op, request, params, client)
        finally:
            self._p.limiter.leave(client, op.operation_id)

    async def _limited(
        self, op: OperationSpec, request: Request, params: Mapping[str, str], client: str
    ) -> Answer:
        verdict = self._p.limiter.consume(client, op.operation_id)
        if not verdict.allowed:
            return self._too_many(op, verdict.quota, request)
        try:
            outcome = await self._served(op, request, params, client)
        except Exception:  # a bug must not become an undocumented 500 without a trace
            _log.exception("sandbox failure in %s", op.operation_id)
            status = op.first_documented(500, 503) or 500
            outcome = self._p.errors.outcome(op, status, instance=_raw_path(request))
        if verdict.quota is not None:
            _announce(outcome, verdict.quota)
        return outcome

    async def _served(
        self, op: OperationSpec, request: Request, params: Mapping[str, str], client: str
    ) -> Answer:
        path = _raw_path(request)
        declared = await self._declared_trigger(op, request, params)
        if declared is not None:
            return declared
        try:
            parsed = await self._p.reader.read(op, request, params)
        except InvalidRequest as problem:
            return self._invalid(op, problem, path)
        # Validation comes first: an invalid request is refused even under a reused key.
        key = await self._idempotency_key(op, request, client)
        if key is not None:
            replay = self._p.idempotency.get(key)
            if replay is not None:
                return replace(replay, headers=dict(replay.headers))
        behaviour = self._p.behaviours[op.operation_id]
        result = self._p.operations.run(
            Call(
                op=op,
                behaviour=behaviour,
                parsed=parsed,
                path=request.scope["path"],
                path_params=params,
            )
        )
        outcome = result.outcome
        if 200 <= outcome.status < 300:
            self._after_success(op, parsed.body, result.resource)
        if key is not None:
            self._p.idempotency.put(key, replace(outcome, headers=dict(outcome.headers)))
        return outcome

    async def _declared_trigger(
        self, op: OperationSpec, request: Request, params: Mapping[str, str]
    ) -> Answer | None:
        """The contract error this exact request is declared to trigger, if any."""
        if op.operation_id not in self._p.triggers:
            return None
        error = self._p.triggers.match(
            op.operation_id,
            path=params,
            query=request.query_params,
            headers=request.headers,
            body=await request.body() if op.body is not None else b"",
        )
        if error is None:
            return None
        detail = error.description
        return self._p.errors.outcome(
            op, error.status, code=error, detail=detail, instance=_raw_path(request)
        )

    def _after_success(self, op: OperationSpec, body: Any, resource: dict[str, Any] | None) -> None:
        if op.operation_id == self._p.subscription_operation:
            url = _find_url(body)
            if url is not None:
                self._p.webhooks.subscribe(url)
        if resource is not None and self._p.webhooks.triggers(op.operation_id):
            self._p.webhooks.emit(op.operation_id, resource)

    # --- refusals --------------------------------------------------------------------------

    def _principal(self, op: OperationSpec, request: Request) -> Principal | Denied:
        if not self._p.auth.secured(op.operation_id):
            return Principal(_address(request))
        return self._p.auth.authenticate(op, request, self._p.clock.now())

    def _denied(self, op: OperationSpec, denied: Denied, request: Request) -> Answer:
        """The refusal: a documented status if any, else ``denied.status`` (and a note)."""
        preferred = (403, 401) if denied.status == 403 else (401, 403)
        status = op.first_documented(*preferred)  # never a 404 or 400 that hides the reason
        if status is None:
            detail = f"credentials {denied.reason}"
            outcome = undocumented_refusal(denied.status, detail, _raw_path(request))
        else:
            code = self._p.errors.declared(status, op.operation_id)
            outcome = self._p.errors.outcome(op, status, code=code, instance=_raw_path(request))
        outcome.headers["WWW-Authenticate"] = denied.challenge
        return outcome

    def _too_many(self, op: OperationSpec, quota: Quota | None, request: Request) -> Answer:
        outcome = self._p.errors.outcome(op, 429, instance=_raw_path(request))
        outcome.headers["Retry-After"] = str(quota.retry_after_s if quota else 1)
        if quota is not None:
            _announce(outcome, quota)
        return outcome

    def _fault(self, op: OperationSpec, action: FaultAction, quota: Quota | None) -> Answer:
        assert action.status is not None
        outcome = self._p.errors.outcome(op, action.status)
        if action.retry_after_s is not None:
            outcome.headers["Retry-After"] = str(action.retry_after_s)
        if quota is not None:
            _announce(outcome, quota)
        return outcome

    def _invalid(self, op: OperationSpec, problem: InvalidRequest, path: str) -> Answer:
        """The declared validation error, else a documented 400/422 (404 for a path, 415 for
        a media type), else another documented refusal, else that status undocumented. A
        missing ``Authorization`` header parameter is a missing credential: 401."""
        if (problem.location, problem.name.lower(), problem.message) == _NO_AUTHORIZATION:
            return self._unauthenticated(op, problem, path)
        declared = self._p.errors.for_validation(op)
        declared_status = declared.status if declared is not None else 400
        if problem.location == "path":
            preferred: tuple[int, ...] = (404, declared_status, 400, 422)
        elif problem.name == "Content-Type":
            preferred = (415, declared_status, 400, 422)
        else:
            preferred = (declared_status, 400, 422)
        status = op.first_documented(*preferred) or op.malformed_refusal()
        if status is None:
            return undocumented_refusal(preferred[0], str(problem), path)
        code = declared if declared is not None and declared.status == status else None
        code = code or self._p.errors.declared(status, op.operation_id)
        return self._p.errors.outcome(op, status, code=code, detail=str(problem), instance=path)

    def _unauthenticated(self, op: OperationSpec, problem: InvalidRequest, path: str) -> Answer:
        if op.first_documented(401) is None:
            outcome = undocumented_refusal(401, str(problem), path)
        else:
            code = self._p.errors.declared(401, op.operation_id)
            outcome = self._p.errors.outcome(op, 401, code=code, detail=str(problem), instance=path)
        outcome.headers.setdefault("WWW-Authenticate", "Bearer")
        return outcome

    async def _idempotency_key(
        self, op: OperationSpec, request: Request, client: str
    ) -> tuple[str, str, str] | None:
        """A repeated key replays the first answer only for the same request (path and body);
        a different request under a reused key is served as a new one."""
        name = self._p.idempotency_header
        if name is None or op.method in SAFE_METHODS:
            return None
        value = request.headers.get(name)
        if not value:
            return None
        digest = hashlib.sha256(_raw_path(request).encode() + b"\0" + await request.body())
        return (client, op.operation_id, f"{value}:{digest.hexdigest()}")


def undocumented_refusal(status: int, detail: str, instance: str) -> Answer:
    """A refusal with a status the operation does not document: problem+json, and a note."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Refused"
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return Answer(
        status=status,
        body={**body, "instance": instance},
        media_type="application/problem+json",
        note=f"undocumented {status}: the document declares no status for this refusal ({detail})",
    )


def _header_safe(text: str) -> str:
    printable = "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)
    return printable if len(printable) <= 400 else printable[:397] + "..."


def _announce(outcome: Answer, quota: Quota) -> None:
    for name, value in quota.headers().items():
        outcome.headers.setdefault(name, value)


def _raw_path(request: Request) -> str:
    """The path as sent (percent-encoded): a valid URI reference for ``instance``."""
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(request.scope["path"])


def _address(request: Request) -> str:
    return f"ip:{request.client.host}" if request.client else "ip:local"


def _find_url(body: Any) -> str | None:
    if isinstance(body, str) and body.startswith(("http://", "https://")):
        return body
    if isinstance(body, dict):
        for value in body.values():
            found = _find_url(value)
            if found is not None:
                return found
    return None


async def _drop(scope: Scope) -> None:
    """Close the connection without an answer (uvicorn, via the server's protocol hook)."""
    drop = scope.get("extensions", {}).get(DROP_EXTENSION)
    if drop is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    drop()
    for _ in range(3):  # let the server see the closed transport before the app returns
        await asyncio.sleep(0)
