"""The two cassette transports: ``RecordingTransport`` (live, keeps every interaction) and
``ReplayTransport`` (serves only from cassettes; never opens a socket).

Replay looks a request up in the index of the *current check's* cassette only — normalised
method, URL and canonical body → queue of responses — so it costs the same at 10 or 10,000
interactions. A request is scrubbed the way recorded ones were before it is looked up, and
``Authorization``, ``Idempotency-Key`` and every other header are not part of the match:
tokens, uuids and clocks differ between runs. A request without a recording in that cassette
raises ``NotRecorded`` (an error of the run, never a contract failure), naming the closest
recorded request; another check's cassette never answers for it. The one exception is the
contract's token endpoint: a client reuses its access token across checks, so the check that
fetched it depends on which checks ran before (those that need the sandbox's controls are
skipped in replay); a token request missing from the check's cassette is answered from the
token requests recorded by the other checks.

Recording measures each interaction (send → body read) into ``elapsed_ms``; a replayed
response carries that recorded time (see ``replay_timing``), so latency verdicts in replay
judge the target as it was recorded, never the speed of replay.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from harness.errors import TransportError
from harness.transports.cassette import Interaction
from harness.transports.cassette_scrub import Scrubber
from harness.transports.replay_timing import replayed_extensions

_NORMAL = (
    (re.compile(r"<(SECRET|TOKEN|PII)(:[^<>]*)?>"), r"<\1>"),
    (re.compile(r"pii-\d+@example\.invalid"), "pii@example.invalid"),
    (re.compile(r"\+1555\d{7}"), "+1555"),
)
_HOP_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


class NotRecorded(TransportError):
    """In replay mode, a request that the check's cassette does not hold: it was not sent."""


def interaction_from(
    request: httpx.Request, response: httpx.Response | None, elapsed_s: float | None = None
) -> Interaction:
    """An ``Interaction`` of an httpx request (and its read response, measured)."""
    fields: dict[str, object] = {
        "method": request.method,
        "uri": str(request.url),
        "request_headers": _headers(request.headers),
        "request_body": _decoded(request.content),
    }
    if response is not None:
        fields |= {
            "status": response.status_code,
            "reason": response.reason_phrase,
            "response_headers": {
                name: values
                for name, values in _headers(response.headers).items()
                if name.lower() not in _HOP_HEADERS
            },
            "response_body": _decoded(response.content),
            "elapsed_ms": None if elapsed_s is None else elapsed_s * 1000,
        }
    return Interaction(**fields)  # type: ignore[arg-type]


def match_key(item: Interaction) -> str:
    """Method, URL (query sorted) and a digest of the canonical body, placeholders generalised."""
    parts = urlsplit(item.uri)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    line = f"{item.method} {parts.scheme}://{parts.netloc}{parts.path}?{query}"
    body = _canonical(item.request_body)
    for pattern, text in _NORMAL:
        line = pattern.sub(text, line)
        body = pattern.sub(text, body)
    if not body:
        return line
    return line + " #" + hashlib.blake2b(body.encode(), digest_size=8).hexdigest()


def is_token_request(item: Interaction, token_path: str | None) -> bool:
    """A POST to the contract's token endpoint (``auth.token_url``, a path or a URL)."""
    if not token_path or item.method != "POST":
        return False
    wanted = urlsplit(token_path).path.rstrip("/")
    return bool(wanted) and urlsplit(item.uri).path.rstrip("/").endswith(wanted)


def request_line(item: Interaction) -> str:
    body = _canonical(item.request_body)
    return f"{item.method} {item.uri}" + (f" {body[:120]}" if body else "")


class RecordingTransport(httpx.BaseTransport):
    """Sends for real and hands each (unscrubbed, in-memory) interaction to ``keep``."""

    def __init__(
        self, keep: Callable[[Interaction], None], inner: httpx.BaseTransport | None = None
    ) -> None:
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        self._keep = keep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        began = time.perf_counter()
        response = self._inner.handle_request(request)
        try:
            raw = b"".join(response.stream)  # type: ignore[arg-type]
        finally:
            response.close()
        elapsed = time.perf_counter() - began
        copy = httpx.Response(response.status_code, headers=response.headers, content=raw)
        copy.read()  # decodes gzip/deflate for the cassette
        self._keep(interaction_from(request, copy, elapsed))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(raw),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


class ReplayIndex:
    """Recorded responses by match key, in recorded order."""

    def __init__(self, interactions: Iterable[Interaction] = ()) -> None:
        self._queues: dict[str, deque[Interaction]] = {}
        self._last: dict[str, Interaction] = {}
        self.lines: list[str] = []
        for item in interactions:
            self.add(item)

    def add(self, item: Interaction) -> None:
        key = match_key(item)
        self._queues.setdefault(key, deque()).append(item)
        self._last[key] = item
        self.lines.append(request_line(item))

    def take(self, key: str) -> Interaction | None:
        """The next recorded answer; once they are spent, the last one again (a retry, a poll)."""
        queue = self._queues.get(key)
        if queue:
            return queue.popleft()
        return self._last.get(key)


class ReplayTransport(httpx.BaseTransport):
    """Answers from the current check's cassette only; never from another check's.

    ``scrubber`` returns the scrubber of the current check (so a live request carries the
    same placeholders as the recording). Nothing here can open a connection.
    """

    def __init__(
        self,
        scrubber: Callable[[], Scrubber],
        *,
        tokens: ReplayIndex | None = None,
        token_path: str | None = None,
    ) -> None:
        self.current = ReplayIndex()
        self.source = "no cassette"
        self._scrubber = scrubber
        self._tokens = tokens if tokens is not None else ReplayIndex()
        self._token_path = token_path

    def load(self, interactions: Iterable[Interaction], *, source: str) -> None:
        """Serve ``interactions`` (those of the cassette ``source``) from now on."""
        self.current = ReplayIndex(interactions)
        self.source = source

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        live = self._scrubber().interaction(interaction_from(request, None))
        key = match_key(live)
        recorded = self.current.take(key)
        if recorded is None and is_token_request(live, self._token_path):
            recorded = self._tokens.take(key)
        if recorded is None:
            raise self._miss(live)
        body = recorded.response_body
        return httpx.Response(
            recorded.status,
            headers=[
                (name, value)
                for name, values in recorded.response_headers.items()
                if name.lower() not in _HOP_HEADERS
                for value in values
            ],
            stream=httpx.ByteStream(body.encode("utf-8") if isinstance(body, str) else body),
            request=request,
            extensions=replayed_extensions(recorded.elapsed_ms),
        )

    def _miss(self, live: Interaction) -> NotRecorded:
        line = request_line(live)
        close = difflib.get_close_matches(line, self.current.lines, n=1, cutoff=0.0)
        nearest = f"; the closest recorded request is: {close[0]}" if close else ""
        return NotRecorded(
            f"not recorded: {line} is not in {self.source}{nearest}. It was not sent (replay "
            "never uses the network, nor another check's cassette); the contract, the seed or "
            "the generated requests changed since the cassettes were recorded — re-record with "
            "`harness check CONTRACT --mode record`"
        )


def _headers(headers: httpx.Headers) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers.multi_items():
        grouped.setdefault(name.lower(), []).append(value)
    return grouped


def _decoded(data: bytes) -> str | bytes:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _canonical(body: str | bytes) -> str:
    if isinstance(body, bytes):
        return hashlib.blake2b(body, digest_size=8).hexdigest()
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return "&".join(sorted(body.split("&"))) if "=" in body else body
