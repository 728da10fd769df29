"""``HarnessClient``: one httpx client that behaves the way the contract says a client should.

It sends the contract's default headers, authenticates as ``auth`` declares, stays inside
the declared rate limits, retries as ``retry`` declares (honouring ``Retry-After``, never
repeating a POST without an idempotency key) and re-authenticates once after a 401. Every
attempt, token requests included, is handed to ``record`` as an ``Exchange``, so reports
see every request that was sent. httpx exceptions become ``TransportError`` here.
"""

from __future__ import annotations

import difflib
import random
import re
import time
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from harness.auth import AuthProvider, Credentials, NoAuth, auth_for
from harness.contract import Contract, Operation
from harness.contract.model import Retry
from harness.errors import TransportError, UsageError
from harness.transports.exchange import Exchange, ExchangeHooks
from harness.transports.ratelimit_headers import parse_rate_limit, parse_retry_after
from harness.transports.retry_policy import Backoff, Jitter, RetryPolicy, next_delay, should_retry
from harness.transports.scrub import redact_url
from harness.transports.throttle import Throttle

DEFAULT_TIMEOUT_S = 30.0
#: Widens every declared rate window: a server counts arrivals, and latencies vary.
THROTTLE_MARGIN_S = 0.05
DEFAULT_IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Methods that get an idempotency key when the contract declares the header.
KEYED_METHODS = frozenset({"POST", "PATCH"})
# Failures after which the request may not have reached the server, or its answer was lost.
_RETRYABLE = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")
# The connection was up and the server dropped it while answering this request.
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

ResponseOrError = httpx.Response | httpx.RequestError


class RequestNotSendable(UsageError):
    """harness's own client cannot put this request on the wire (an illegal header value,
    a URL it cannot encode): a limitation of the client, never a finding about the target."""


class TargetDisconnected(TransportError):
    """The server closed or reset the connection instead of answering this request.

    ``request`` is the request as sent (secrets in it: never print it unredacted).
    """

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


def retry_policy_for(retry: Retry | None) -> RetryPolicy:
    """The contract's ``retry`` section as a ``RetryPolicy``; none declared: one attempt."""
    if retry is None:
        return RetryPolicy(max_attempts=1)
    return RetryPolicy(
        max_attempts=retry.max_attempts,
        backoff=Backoff(retry.backoff),
        base_delay_ms=retry.base_delay_ms,
        max_delay_ms=retry.max_delay_ms,
        jitter=Jitter(retry.jitter),
        retry_on=frozenset(retry.retry_on),
        honor_retry_after=retry.honor_retry_after,
        max_retry_after_ms=retry.max_retry_after_ms,
        deadline_ms=retry.deadline_ms,
        idempotency_header=retry.idempotency_header,
    )


def fill_path(operation: Operation, values: Mapping[str, Any]) -> str:
    """``/contacts/{external_id}`` with each parameter percent-encoded into its segment."""
    wanted = _PATH_PARAM.findall(operation.path)
    missing = [name for name in wanted if name not in values]
    unknown = sorted(set(values) - set(wanted))
    if missing or unknown:
        problems = [
            f"{kind} path parameter(s) {', '.join(names)}"
            for kind, names in (("missing", missing), ("unknown", unknown))
            if names
        ]
        raise UsageError(
            f"{operation.operation_id} ({operation.label}): {'; '.join(problems)}; "
            f"it takes {', '.join(wanted) or 'none'}"
        )
    return _PATH_PARAM.sub(
        lambda match: quote(str(values[match.group(1)]), safe=""), operation.path
    )


class HarnessClient:
    """A contract-driven HTTP client: auth, default headers, throttling, retries, recording.

    ``throttle`` may be a ``Throttle`` to share one rate budget between clients (and, with a
    ``FileBudget``, between processes); ``True`` gives this client its own. ``clock`` times
    the retry deadline; ``sleep`` waits out retry delays and the throttle.
    """

    def __init__(
        self,
        contract: Contract,
        *,
        base_url: str,
        credentials: Credentials,
        transport: httpx.BaseTransport | None = None,
        retry: bool = True,
        throttle: bool | Throttle = True,
        record: Callable[[Exchange], None] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout_s: float | None = None,
        auth: AuthProvider | None = None,
    ) -> None:
        self.contract = contract
        self.base_url = base_url
        self.policy = retry_policy_for(contract.retry) if retry else RetryPolicy(max_attempts=1)
        declared = contract.retry.idempotency_header if contract.retry else None
        self.idempotency_header = declared
        self.timeout_s = timeout_s or _contract_timeout(contract)
        self.throttle = self._throttle_for(throttle, sleep, clock)
        self._record = record
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._sleep = sleep
        self._clock = clock
        options: dict[str, Any] = {
            "base_url": base_url,
            "transport": transport,
            "timeout": httpx.Timeout(self.timeout_s),
            "headers": {
                "Accept": "application/json",
                **(contract.api.headers if contract.api else {}),
            },
            "follow_redirects": False,
        }
        self._http = httpx.Client(**options)
        # Token requests go out on their own client, recorded like every other request.
        hooks = ExchangeHooks(self._keep, operation_id=_token_operation(contract))
        self._token_http = httpx.Client(**options, event_hooks=hooks.event_hooks())
        self._credentials = credentials
        self.auth = auth or auth_for(contract.auth, credentials, token_client=self._token_http)

    def __repr__(self) -> str:
        return f"HarnessClient({self.contract.id!r}, base_url={self.base_url!r})"

    def __enter__(self) -> HarnessClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        self._token_http.close()

    def secret_values(self) -> frozenset[str]:
        """Every secret this client holds or was issued, for scrubbing (never for printing)."""
        return (
            self._credentials.secret_values()
            | self.contract.secret_values()
            | self.auth.secret_values()
        )

    # --- Sending --------------------------------------------------------------------------

    def call(
        self,
        operation_id: str,
        *,
        path_params: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> httpx.Response:
        """Send the contract's operation ``operation_id``; ``options`` are as for ``request``.

        An operation the OpenAPI document marks ``security: []`` is sent without credentials.
        """
        operation = self._operation(operation_id)
        if options.get("auth") is None and operation.definition.get("security") == []:
            options["auth"] = NoAuth()
        path = fill_path(operation, path_params or {})
        return self.request(operation.method, path, operation_id=operation_id, **options)

    def request(
        self,
        method: str,
        url: str,
        *,
        operation_id: str | None = None,
        params: Any = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        content: bytes | str | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        auth: AuthProvider | None = None,
    ) -> httpx.Response:
        """Send a request (a path relative to the base URL, or an absolute URL); the last response.

        A response is returned whatever its status, once retries are spent; a transport
        failure that outlives them raises ``TransportError``. ``auth`` replaces the client's
        credentials for this request (``NoAuth()`` sends none). ``files`` sends a
        ``multipart/form-data`` body (httpx's form: ``[(field, (filename, content, type))]``).
        """
        method = method.upper()
        merged = dict(headers or {})
        if cookies:
            merged["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self._add_idempotency_key(method, merged, idempotency_key)
        try:
            template = self._http.build_request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                content=content,
                files=files,
                headers=merged,
            )
        except (httpx.InvalidURL, UnicodeEncodeError) as exc:
            raise RequestNotSendable(
                f"harness's client cannot encode {method} {url!r}: {exc}"
            ) from exc
        except (httpx.UnsupportedProtocol, TypeError) as exc:
            raise UsageError(f"cannot build {method} {url!r}: {exc}") from exc
        return self._send(template, operation_id, auth or self.auth)

    def _add_idempotency_key(
        self, method: str, headers: dict[str, str], idempotency_key: str | None
    ) -> None:
        name = self.idempotency_header or DEFAULT_IDEMPOTENCY_HEADER
        if any(key.lower() == name.lower() for key in headers):
            return
        if idempotency_key is not None:
            headers[name] = idempotency_key
        elif self.idempotency_header and method in KEYED_METHODS:
            headers[name] = str(uuid.uuid4())

    def _send(
        self, template: httpx.Request, operation_id: str | None, auth: AuthProvider
    ) -> httpx.Response:
        key_header = self.idempotency_header or DEFAULT_IDEMPOTENCY_HEADER
        keyed = key_header in template.headers
        started = self._clock()
        tries = sends = 0  # tries: what the retry policy counts; sends: every attempt
        reauthorized = False
        while True:
            sends += 1
            tries += 1
            request, outcome = self._attempt(template, auth, operation_id, sends)
            if not reauthorized and _refused(outcome) and auth.on_unauthorized(request):
                reauthorized = True  # one more send with fresh credentials, not a retry
                tries -= 1
                continue
            delay = self._retry_delay(template.method, outcome, tries, started, keyed)
            if delay is None:
                if isinstance(outcome, httpx.Response):
                    return outcome
                if isinstance(outcome, httpx.UnsupportedProtocol):
                    url = redact_url(str(request.url), self.secret_values())
                    raise UsageError(f"cannot send {request.method} {url}: {outcome}")
                if isinstance(outcome, httpx.LocalProtocolError):
                    url = redact_url(str(request.url), self.secret_values())
                    raise RequestNotSendable(
                        f"harness's client cannot send {request.method} {url}: {outcome}"
                    ) from outcome
                raise self._unreachable(request, outcome, sends) from outcome
            self._sleep(delay)

    def _attempt(
        self, template: httpx.Request, auth: AuthProvider, operation_id: str | None, number: int
    ) -> tuple[httpx.Request, ResponseOrError]:
        request = httpx.Request(
            template.method,
            template.url,
            headers=template.headers.copy(),
            stream=template.stream,
            extensions=dict(template.extensions),
        )
        request.read()  # the body is in memory already; this makes request.content available
        try:
            auth.apply(request)
        except UnicodeEncodeError as exc:
            raise RequestNotSendable(f"cannot add credentials to {template.method}: {exc}") from exc
        outcome: ResponseOrError
        with self._slot(operation_id):
            started_at, began = time.time(), time.perf_counter()
            try:
                outcome = self._http.send(request)
            except httpx.RequestError as exc:
                outcome = exc
        elapsed = time.perf_counter() - began
        response = outcome if isinstance(outcome, httpx.Response) else None
        error = outcome if isinstance(outcome, httpx.RequestError) else None
        self._keep(
            Exchange.from_httpx(
                request,
                response,
                error=error,
                started_at=started_at,
                elapsed_s=elapsed,
                operation_id=operation_id,
                attempt=number,
            )
        )
        if response is not None:
            self._observe_rate_limit(response, operation_id)
        return request, outcome

    def _retry_delay(
        self, method: str, outcome: ResponseOrError, tries: int, started: float, keyed: bool
    ) -> float | None:
        """Seconds to wait before the next try, or None when the policy allows no more."""
        if isinstance(outcome, httpx.Response):
            status: int | None = outcome.status_code
            retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
        elif isinstance(outcome, _RETRYABLE):
            status, retry_after = None, None
        else:
            return None  # a bad URL or protocol: the next try would fail the same way
        if status is not None and status not in self.policy.retry_on:
            return None
        delay = next_delay(self.policy, tries, retry_after_s=retry_after, rng=self._rng)
        allowed = should_retry(
            self.policy,
            method=method,
            status=status,
            attempt=tries,
            elapsed_s=self._clock() - started,
            has_idempotency_key=keyed,
            next_delay_s=delay,
        )
        return delay if allowed else None

    def _unreachable(
        self, request: httpx.Request, error: httpx.RequestError, sends: int
    ) -> TransportError:
        url = redact_url(str(request.url), self.secret_values())
        tries = f"{sends} attempt{'s' if sends > 1 else ''}"
        if isinstance(error, _DROPPED):
            return TargetDisconnected(
                f"{request.method} {url} failed after {tries}: the server closed the "
                f"connection without a complete answer ({type(error).__name__}: {error})",
                request=request,
            )
        if isinstance(error, httpx.TimeoutException):
            hint = (
                f"no answer within {self.timeout_s:g} s (api.timeout_ms in the contract, "
                "or timeout_s); the target may be overloaded or unreachable"
            )
        else:
            hint = (
                f"target unreachable: check that a server is listening at {self.base_url} "
                "(for the local sandbox: `harness sandbox CONTRACT_DIR`), that the base URL "
                "and environment are right, and any proxy settings"
            )
        return TransportError(
            f"{request.method} {url} failed after {tries}: {type(error).__name__}: {error} — {hint}"
        )

    # --- Throttling and recording ---------------------------------------------------------

    def _throttle_for(
        self, throttle: bool | Throttle, sleep: Callable[[float], None], clock: Callable[[], float]
    ) -> Throttle | None:
        if isinstance(throttle, Throttle):
            return throttle
        if not throttle or not self.contract.rate_limits:
            return None
        scope = f"{self.contract.id}@{self.base_url}"
        return Throttle(
            self.contract.rate_limits,
            scope=scope,
            clock=clock,
            sleep=sleep,
            margin_s=THROTTLE_MARGIN_S,
        )

    def _slot(self, operation_id: str | None) -> AbstractContextManager[None]:
        return self.throttle.slot(operation_id) if self.throttle is not None else nullcontext()

    def _observe_rate_limit(self, response: httpx.Response, operation_id: str | None) -> None:
        """A server that says its quota is spent is believed: the throttle waits it out."""
        if self.throttle is None:
            return
        info = parse_rate_limit(response.headers)
        if info is not None and info.remaining == 0 and info.reset_s is not None:
            self.throttle.pause(info.reset_s, operation_id)  # that operation's windows only

    def _keep(self, exchange: Exchange) -> None:
        if self._record is not None:
            self._record(exchange)

    def _operation(self, operation_id: str) -> Operation:
        try:
            return self.contract.operation(operation_id)
        except KeyError:
            known = list(self.contract.document.operations) if self.contract.document else []
            close = difflib.get_close_matches(operation_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"contract {self.contract.id!r} has no operation {operation_id!r}{hint}"
            ) from None


def _refused(outcome: ResponseOrError) -> bool:
    return isinstance(outcome, httpx.Response) and outcome.status_code == 401


def _contract_timeout(contract: Contract) -> float:
    if contract.api is not None and contract.api.timeout_ms:
        return contract.api.timeout_ms / 1000
    return DEFAULT_TIMEOUT_S


def _token_operation(contract: Contract) -> str | None:
    """The operation id of the token endpoint, so token exchanges are labelled like others."""
    token_url = contract.auth.token_url if contract.auth else None
    if not token_url or contract.document is None:
        return None
    for operation in contract.document.operations.values():
        if operation.method == "post" and operation.path == token_url:
            return operation.operation_id
    return None
