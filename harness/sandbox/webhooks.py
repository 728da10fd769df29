"""Webhook delivery: the declared event, signed with the declared scheme, retried on failure.

When an operation that triggers events succeeds, each subscriber gets the event: a payload
built from the event schema (the resource in its data member, the event name in its type
member, a fresh ``evt_`` id), signed by ``harness.webhooks.sign`` at the sandbox clock's
time. A delivery that does not get a 2xx is retried after ``backoff_ms``, doubling, up to
``max_attempts``, with the same webhook id and a fresh timestamp and signature. Deliveries
run on one background thread, so a slow receiver never slows the API.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import httpx

from harness.auth.credentials import Credentials
from harness.contract import Contract
from harness.contract.model import WebhookEvent
from harness.sandbox.clock import SandboxClock
from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.resources import object_properties
from harness.sandbox.responses import dump_json
from harness.sandbox.spec import Spec
from harness.webhooks import sign
from harness.webhooks.configured import configured_scheme

_ID_NAMES = ("id", "event_id", "eventid", "webhook_id")
_TYPE_NAMES = ("type", "event", "event_type", "eventtype", "kind", "topic")


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One delivery attempt; ``status`` is None when the receiver could not be reached."""

    event: str
    url: str
    webhook_id: str
    attempt: int
    status: int | None
    error: str | None
    timestamp: float  # real wall time of the attempt
    body: bytes

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "url": self.url,
            "webhook_id": self.webhook_id,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "timestamp": self.timestamp,
            "ok": self.ok,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class _Job:
    event: str
    url: str
    webhook_id: str
    body: bytes
    attempt: int = 1


class WebhookDispatcher:
    """Subscribers, the event payloads and the delivery thread."""

    def __init__(
        self,
        contract: Contract,
        spec: Spec,
        generator: Generator,
        credentials: Credentials,
        clock: SandboxClock,
    ) -> None:
        webhooks = contract.webhooks
        self._events: dict[str, list[WebhookEvent]] = {}
        for event in webhooks.events.values() if webhooks is not None else ():
            if event.trigger:
                self._events.setdefault(event.trigger, []).append(event)
        self._max_attempts = webhooks.delivery_max_attempts if webhooks else 3
        self._timeout_s = (webhooks.delivery_timeout_ms if webhooks else 5000) / 1000
        self._backoff_s = (webhooks.delivery_backoff_ms if webhooks else 500) / 1000
        signature = webhooks.signature if webhooks is not None else None
        self._scheme = configured_scheme(signature) if signature is not None else None
        self._secret = credentials.webhook_secret
        self._spec = spec
        self._document = contract.api.openapi if contract.api is not None else ""
        self._generator = generator
        self._clock = clock
        self._subscribers: list[str] = []
        self._deliveries: list[Delivery] = []
        self._queue: list[tuple[float, int, _Job]] = []
        self._sequence = itertools.count()
        self._active = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()

    # --- subscribers -----------------------------------------------------------------------

    def subscribe(self, url: str) -> None:
        with self._cond:
            if url not in self._subscribers:
                self._subscribers.append(url)

    def unsubscribe(self, url: str | None = None) -> None:
        with self._cond:
            self._subscribers = [] if url is None else [u for u in self._subscribers if u != url]

    def subscribers(self) -> list[str]:
        with self._cond:
            return list(self._subscribers)

    def deliveries(self) -> list[Delivery]:
        with self._cond:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._cond:
            self._deliveries.clear()
            self._queue.clear()

    def triggers(self, operation_id: str) -> bool:
        return operation_id in self._events

    # --- emitting --------------------------------------------------------------------------

    def emit(self, operation_id: str, resource: Mapping[str, Any]) -> list[str]:
        """Queue the events ``operation_id`` triggers; their webhook ids."""
        subscribers = self.subscribers()
        ids = []
        for event in self._events.get(operation_id, ()):
            webhook_id = "evt_" + secrets.token_hex(12)
            body = dump_json(self.payload(event, webhook_id, resource))
            ids.append(webhook_id)
            for url in subscribers:
                self._push(
                    time.monotonic(),
                    _Job(event=event.name, url=url, webhook_id=webhook_id, body=body),
                )
        return ids

    def payload(self, event: WebhookEvent, webhook_id: str, resource: Mapping[str, Any]) -> Any:
        """The event body: the event schema filled with the id, name, time and resource."""
        now = dt.datetime.fromtimestamp(int(self._clock.now()), tz=dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        plain = {"id": webhook_id, "type": event.name, "created_at": now, "data": dict(resource)}
        pointer = _local_pointer(event.schema, self._document)
        if pointer is None or not isinstance(self._spec.node(pointer), dict):
            return plain
        body = self._generator.instance(pointer, key=f"event:{event.name}", examples=False)
        if not isinstance(body, dict):
            return plain
        for name, prop in object_properties(self._spec, pointer):
            value = _member(name, webhook_id, event.name, now, resource)
            if value is not _NONE and self._spec.is_valid(value, prop, Side.RESPONSE):
                body[name] = value
            elif self._spec.is_valid(dict(resource), prop, Side.RESPONSE):
                body[name] = dict(resource)
        return body

    # --- the delivery thread ---------------------------------------------------------------

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or in flight; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._active:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout_s + 1)

    def _push(self, due: float, job: _Job) -> None:
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._queue, (due, next(self._sequence), job))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-webhooks", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self._timeout_s) as client:
            while True:
                job = self._next()
                if job is None:
                    return
                delivery = self._attempt(client, job)
                with self._cond:
                    self._deliveries.append(delivery)
                    self._active -= 1
                    if not delivery.ok and job.attempt < self._max_attempts and not self._closed:
                        delay = self._backoff_s * 2 ** (job.attempt - 1)
                        retry = _Job(
                            event=job.event, url=job.url, webhook_id=job.webhook_id,
                            body=job.body, attempt=job.attempt + 1,
                        )  # fmt: skip
                        heapq.heappush(
                            self._queue, (time.monotonic() + delay, next(self._sequence), retry)
                        )
                    self._cond.notify_all()

    def _next(self) -> _Job | None:
        with self._cond:
            while not self._closed:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    self._active += 1
                    return heapq.heappop(self._queue)[2]
                wait = self._queue[0][0] - time.monotonic() if self._queue else None
                self._cond.wait(wait)
            return None

    def _attempt(self, client: httpx.Client, job: _Job) -> Delivery:
        headers = {"Content-Type": "application/json", "User-Agent": "harness-sandbox"}
        if self._scheme is not None and self._secret is not None:
            stamp = int(self._clock.now())
            headers.update(
                sign(
                    self._scheme,
                    self._secret.reveal(),
                    job.body,
                    msg_id=job.webhook_id,
                    timestamp=stamp,
                )
            )
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(job.url, content=job.body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        return Delivery(
            event=job.event, url=job.url, webhook_id=job.webhook_id, attempt=job.attempt,
            status=status, error=error, timestamp=time.time(), body=job.body,
        )  # fmt: skip


_NONE = object()


def _member(name: str, webhook_id: str, event: str, now: str, resource: Mapping[str, Any]) -> Any:
    lowered = name.lower()
    if lowered in _ID_NAMES:
        return webhook_id
    if lowered in _TYPE_NAMES:
        return event
    if any(word in lowered for word in ("created", "timestamp", "occurred", "time")):
        return now
    return _NONE


def _local_pointer(reference: str, document: str) -> str | None:
    """``openapi.yaml#/components/schemas/X`` → ``/components/schemas/X`` (in the document)."""
    file, hash_mark, pointer = reference.partition("#")
    if not hash_mark or (file and PurePosixPath(file).name != PurePosixPath(document).name):
        return None
    return pointer
