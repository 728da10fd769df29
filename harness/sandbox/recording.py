"""The request log: what the sandbox received, with secrets replaced, for timing asserts."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "[redacted]"
_ALWAYS_SECRET = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"}
)
_SECRET_QUERY = frozenset({"access_token", "client_secret", "api_key", "apikey", "key", "token"})


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedRequest:
    """One request as received: ``timestamp`` is real wall time (``time.time()``) on arrival."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timestamp: float
    operation_id: str | None = None
    status: int | None = None  # None: the connection was dropped
    note: str | None = None  # an answer the document does not describe (see NOTE_HEADER)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "timestamp": self.timestamp,
            "operation_id": self.operation_id,
            "status": self.status,
            "note": self.note,
        }


class RequestLog:
    """The last ``limit`` requests, secrets redacted; thread-safe."""

    def __init__(
        self,
        *,
        secret_headers: Iterable[str] = (),
        secret_query: Iterable[str] = (),
        secret_values: Iterable[str] = (),
        limit: int = 10_000,
    ) -> None:
        self._headers = _ALWAYS_SECRET | {name.lower() for name in secret_headers}
        self._query = _SECRET_QUERY | {name.lower() for name in secret_query}
        self._values = tuple(value for value in secret_values if len(value) >= 4)
        self._limit = limit
        # Raw tuples until someone reads the log: scrubbing stays off the request path.
        self._entries: list[RecordedRequest | tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def record(
        self,
        *,
        method: str,
        path: str,
        query: str,
        raw_headers: Iterable[tuple[bytes, bytes]],
        timestamp: float,
        operation_id: str | None,
        status: int | None,
        note: str | None = None,
    ) -> None:
        raw = (method, path, query, raw_headers, timestamp, operation_id, status, note)
        with self._lock:
            self._entries.append(raw)
            if len(self._entries) > 2 * self._limit:
                del self._entries[: -self._limit]

    def entries(self) -> list[RecordedRequest]:
        with self._lock:
            if len(self._entries) > self._limit:
                del self._entries[: -self._limit]
            for index, entry in enumerate(self._entries):
                if isinstance(entry, tuple):
                    self._entries[index] = self._scrubbed(entry)
            return [e for e in self._entries if isinstance(e, RecordedRequest)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _scrubbed(self, raw: tuple[Any, ...]) -> RecordedRequest:
        method, path, query, headers, timestamp, operation_id, status, note = raw
        return RecordedRequest(
            method=method,
            path=path,
            query=self._scrub_query(query),
            headers=self._scrub_headers(headers),
            timestamp=timestamp,
            operation_id=operation_id,
            status=status,
            note=note,
        )

    def _scrub_headers(self, raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name_bytes, value_bytes in raw:
            name = name_bytes.decode("latin-1")
            value = value_bytes.decode("latin-1")
            if name.lower() in self._headers or any(s in value for s in self._values):
                value = REDACTED
            headers[name] = value if name not in headers else f"{headers[name]}, {value}"
        return headers

    def _scrub_query(self, query: str) -> str:
        if not query:
            return ""
        pairs = parse_qsl(query, keep_blank_values=True)
        secret = any(
            k.lower() in self._query or any(s in v for s in self._values) for k, v in pairs
        )
        if not secret:
            return query
        return urlencode(
            [
                (
                    k,
                    REDACTED
                    if k.lower() in self._query or any(s in v for s in self._values)
                    else v,
                )
                for k, v in pairs
            ]
        )
