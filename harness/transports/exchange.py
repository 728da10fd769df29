"""The one normalised record of a request and what came back: an ``Exchange``.

Every transport produces them and every report consumes them. An ``Exchange`` holds the
bytes as they went over the wire, secrets included, because checks must judge what was
really sent; so nothing here prints those bytes. ``repr`` shows only the method, the path
and the status, and the two ways out of the process (``excerpt`` for reports and
``to_curl`` for reproducing a failure) remove every secret on the way.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from harness.transports.replay_timing import timing_of
from harness.transports.scrub import (
    REDACTED,
    SENSITIVE_FIELDS,
    SENSITIVE_HEADERS,
    SENSITIVE_QUERY_KEYS,
    redact_body,
    redact_header_pairs,
    redact_text,
    redact_url,
)

#: Header fields as sent: (name, value) pairs in order, names in their original case.
Headers = tuple[tuple[str, str], ...]

# Set by httpx or curl itself; a curl line that repeats them is noise (or wrong, for length).
_CURL_SKIPPED = frozenset(
    {"host", "content-length", "connection", "accept-encoding", "transfer-encoding"}
)
_TRUNCATED = "… [{more} more characters]"
# Marks a placeholder inside a curl argument; NUL cannot occur in text a shell would accept.
#: Credentials harness makes up on purpose (wrong, forged): never secrets, shown as sent.
HARNESS_MARKERS = ("harness-forged-", "-from-harness")
_VAR = "\x00"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _header(headers: Headers, name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeRequest:
    """A request as sent."""

    method: str
    url: str
    headers: Headers = field(default=())
    body: bytes = field(default=b"")

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        return _header(self.headers, name)

    def __repr__(self) -> str:
        # The query may carry an API key and the headers a token: show neither.
        return f"ExchangeRequest({self.method} {_without_query(self.url)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeResponse:
    """A response as received, its body fully read."""

    status: int
    headers: Headers = field(default=())
    body: bytes = field(default=b"")
    http_version: str = "HTTP/1.1"

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or None."""
        return _header(self.headers, name)

    def __repr__(self) -> str:
        return f"ExchangeResponse({self.status}, {len(self.body)} bytes)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Exchange:
    """One attempt: the request, and either its response or the transport error.

    ``started_at`` is epoch seconds; ``elapsed_s`` runs from sending to the body being read.
    ``attempt`` counts the sends of one logical request, from 1 (retries share an operation).
    """

    request: ExchangeRequest
    response: ExchangeResponse | None = None
    error: str | None = None
    started_at: float
    elapsed_s: float
    operation_id: str | None = None
    attempt: int = 1
    timed: bool = True  # False: replayed from a cassette without recorded timings

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None

    def json(self) -> Any:
        """The response body as JSON, or None when there is none or it does not parse."""
        if self.response is None or not self.response.body:
            return None
        try:
            return json.loads(self.response.body)
        except ValueError:  # includes UnicodeDecodeError
            return None

    def __repr__(self) -> str:
        if self.response is not None:
            outcome = str(self.response.status)
        else:  # the error text may quote a URL; its class name is enough here
            outcome = (self.error or "no response").partition(":")[0]
        return (
            f"Exchange(#{self.attempt} {self.request.method} {_without_query(self.request.url)}"
            f" -> {outcome} in {self.elapsed_s * 1000:.1f} ms)"
        )

    @classmethod
    def from_httpx(
        cls,
        request: httpx.Request,
        response: httpx.Response | None = None,
        *,
        error: BaseException | None = None,
        started_at: float,
        elapsed_s: float,
        operation_id: str | None = None,
        attempt: int = 1,
    ) -> Exchange:
        """Record an httpx request and its (read) response or the exception it raised.

        A replayed response reports the time recorded with it, not the speed of replay.
        """
        elapsed_s, timed = timing_of(response, elapsed_s)
        recorded = None
        if response is not None:
            recorded = ExchangeResponse(
                status=response.status_code,
                headers=_pairs(response.headers),
                body=response.content,
                http_version=response.http_version,
            )
        return cls(
            request=ExchangeRequest(
                method=request.method,
                url=str(request.url),
                headers=_pairs(request.headers),
                body=request.content,
            ),
            response=recorded,
            error=None if error is None else f"{type(error).__name__}: {error}",
            started_at=started_at,
            elapsed_s=elapsed_s,
            operation_id=operation_id,
            attempt=attempt,
            timed=timed,
        )


def _pairs(headers: httpx.Headers) -> Headers:
    return tuple((key.decode("latin-1"), value.decode("latin-1")) for key, value in headers.raw)


def _without_query(url: str) -> str:
    base, mark, _ = url.partition("?")
    return base + ("?…" if mark else "")


class ExchangeHooks:
    """httpx event hooks that record every exchange of a plain ``httpx.Client``.

    For clients whose sends harness does not drive itself (the OAuth token client). A
    request that fails before a response is not seen by hooks; its caller reports it.
    """

    def __init__(self, record: Callable[[Exchange], None], *, operation_id: str | None) -> None:
        self._record = record
        self._operation_id = operation_id
        self._starts: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def event_hooks(self) -> dict[str, list[Callable[..., Any]]]:
        return {"request": [self._sent], "response": [self._received]}

    def _sent(self, request: httpx.Request) -> None:
        with self._lock:
            self._starts[id(request)] = (time.time(), time.perf_counter())

    def _received(self, response: httpx.Response) -> None:
        response.read()  # response hooks run before the body is read
        with self._lock:
            started_at, began = self._starts.pop(id(response.request), (time.time(), None))
        elapsed = time.perf_counter() - began if began is not None else 0.0
        self._record(
            Exchange.from_httpx(
                response.request,
                response,
                started_at=started_at,
                elapsed_s=elapsed,
                operation_id=self._operation_id,
            )
        )


# --- Redaction --------------------------------------------------------------------------------


def redact_headers(
    headers: Iterable[tuple[str, str]] | Mapping[str, str],
    secret_header_names: Collection[str] = (),
    *,
    secrets: Collection[str] = (),
) -> Headers:
    """Headers with credential-carrying values replaced by ``[redacted]``.

    A header is redacted by name when it is a known credential header (Authorization,
    Cookie, X-API-Key, ...) or named in ``secret_header_names`` (any case); any other value
    has the ``secrets`` in it redacted.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return redact_header_pairs(pairs, secrets, secret_header_names)


def _headers_dict(headers: Headers) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + _TRUNCATED.format(more=len(text) - limit)


def excerpt(
    exchange: Exchange,
    secrets: Collection[str],
    limit: int = 2000,
    *,
    secret_header_names: Collection[str] = (),
) -> dict[str, Any]:
    """JSON-safe evidence of ``exchange`` for results and reports, with no secret in it.

    Bodies are redacted before they are cut to ``limit`` characters, so a secret at the
    cut can never survive as a prefix.
    """
    request = exchange.request
    response = exchange.response
    evidence: dict[str, Any] = {
        "operation_id": exchange.operation_id,
        "attempt": exchange.attempt,
        "started_at": exchange.started_at,
        "elapsed_ms": round(exchange.elapsed_s * 1000, 3),
        "request": {
            "method": request.method,
            "url": redact_url(request.url, secrets),
            "headers": _headers_dict(
                redact_headers(request.headers, secret_header_names, secrets=secrets)
            ),
            "body": _truncate(_body_text(request.body, request.headers, secrets), limit),
        },
        "response": None,
        "error": None if exchange.error is None else redact_text(exchange.error, secrets),
        "curl": to_curl(exchange, secrets, secret_header_names=secret_header_names),
    }
    if response is not None:
        evidence["response"] = {
            "status": response.status,
            "http_version": response.http_version,
            "headers": _headers_dict(
                redact_headers(response.headers, secret_header_names, secrets=secrets)
            ),
            "body": _truncate(_body_text(response.body, response.headers, secrets), limit),
        }
    return evidence


def _body_text(body: bytes, headers: Headers, secrets: Collection[str]) -> str:
    return redact_body(body, _header(headers, "content-type") or "", secrets)


# --- curl -------------------------------------------------------------------------------------


def to_curl(
    exchange: Exchange,
    secrets: Collection[str] | Mapping[str, str],
    *,
    secret_header_names: Collection[str] = (),
) -> str:
    """A shell command that repeats ``exchange``'s request, with no secret in it.

    Credential headers become shell variables (``Authorization: Bearer $TOKEN``). With
    ``secrets`` as a mapping of variable name to value (``{"ACME_CLIENT_SECRET": ...}``) each
    value becomes ``${ACME_CLIENT_SECRET}`` so the line runs once the variables are exported;
    any other secret, and any encoded form of one, becomes ``[redacted]``.
    """
    names = {name.lower() for name in secret_header_names} | SENSITIVE_HEADERS
    variables = (
        {var: value for var, value in secrets.items() if _ENV_NAME.fullmatch(var)}
        if isinstance(secrets, Mapping)
        else {}
    )
    values = list(secrets.values()) if isinstance(secrets, Mapping) else list(secrets)

    def scrub(text: str) -> str:
        for var, value in sorted(variables.items(), key=lambda item: -len(item[1])):
            if value:
                text = text.replace(value, f"{_VAR}{var}{_VAR}")
        return redact_text(text, values)

    request = exchange.request
    words = ["curl", "-sS", "-X", request.method, _curl_url(request.url, variables, scrub)]
    for name, value in request.headers:
        if name.lower() in _CURL_SKIPPED:
            continue
        basic = _basic_pair(name, value, scrub)
        if basic is not None:
            words += ["-u", basic]
            continue
        scrubbed = scrub(value)
        known = _VAR in scrubbed  # a credential the caller named: show its own variable
        hidden = name.lower() in names and not known and not is_harness_marker(value)
        shown = _placeholder(name, value) if hidden else scrubbed
        words += ["-H", f"{name}: {shown}"]
    if b"\x00" in request.body:  # binary: no shell argument can hold it
        words += ["--data-binary", "@request-body.bin"]
    elif request.body:
        body = redact_body(request.body, request.header("content-type") or "", ())
        words += ["--data-binary", scrub(body)]
    return " ".join(_shell_word(word) for word in words)


def _curl_url(url: str, variables: Mapping[str, str], scrub: Callable[[str], str]) -> str:
    """The URL with a query credential the caller named shown as its variable
    (``?api_key=${WIDGETS_KEY}``), any other sensitive parameter and userinfo redacted."""
    parsed = httpx.URL(url)
    named = {value: var for var, value in variables.items() if value}
    if not any(item in named for _, item in parsed.params.multi_items()):
        return scrub(redact_url(url, ()))
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    tokens: dict[str, str] = {}
    params = []
    for key, item in parsed.params.multi_items():
        if item in named:
            token = f"HARNESSVAR{len(tokens)}X"  # survives URL encoding unchanged
            tokens[token] = f"{_VAR}{named[item]}{_VAR}"
            params.append((key, token))
        elif key.lower() in SENSITIVE_FIELDS | SENSITIVE_QUERY_KEYS:
            params.append((key, REDACTED))
        else:
            params.append((key, item))
    shown = str(parsed.copy_with(query=urlencode(params).encode("ascii")))
    for token, placeholder in tokens.items():
        shown = shown.replace(token, placeholder)
    return scrub(shown)


def _basic_pair(name: str, value: str, scrub: Callable[[str], str]) -> str | None:
    """``Authorization: Basic b64(user:pass)`` as curl's ``-u user:"${PASSWORD}"``, or None."""
    scheme, _, encoded = value.partition(" ")
    if name.lower() != "authorization" or scheme.lower() != "basic":
        return None
    try:
        pair = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, colon, password = pair.partition(":")
    if not colon:
        return None
    shown = scrub(password)
    if _VAR not in shown:  # a password nobody named: a variable the reader sets
        shown = f"{_VAR}PASSWORD{_VAR}"
    return f"{scrub(user)}:{shown}"


def is_harness_marker(value: str) -> bool:
    """A credential harness made up to be refused: public, shown as sent in curl lines."""
    return any(marker in value for marker in HARNESS_MARKERS)


def _placeholder(name: str, value: str) -> str:
    """``Bearer <token>`` → ``Bearer $TOKEN``; other credential headers → ``$X_API_KEY``."""
    scheme, space, _ = value.partition(" ")
    if name.lower() in {"authorization", "proxy-authorization"} and space:
        var = "TOKEN" if scheme.lower() == "bearer" else f"{scheme.upper()}_CREDENTIALS"
        return f"{scheme} {_VAR}{var}{_VAR}"
    return f"{_VAR}{name.upper().replace('-', '_')}{_VAR}"


def _shell_word(word: str) -> str:
    """Quote ``word`` for a POSIX shell, expanding the placeholders in it as ``"${VAR}"``."""
    parts = word.split(_VAR)
    rendered = []
    for index, part in enumerate(parts):
        if index % 2:
            rendered.append(f'"${{{part}}}"')
        elif part:
            rendered.append(shlex.quote(part))
    return "".join(rendered) or "''"
