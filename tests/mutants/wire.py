"""What a mutant sees and rewrites: one HTTP request or response, as plain immutable data."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

Headers = tuple[tuple[str, str], ...]


def _get(headers: Headers, name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers if key.lower() == lowered), None)


def _without(headers: Headers, name: str) -> Headers:
    lowered = name.lower()
    return tuple((key, value) for key, value in headers if key.lower() != lowered)


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """A request on its way to the sandbox (or a webhook delivery on its way to harness)."""

    method: str
    path: str  # percent-decoded, for matching
    raw_path: str = ""  # as sent, for forwarding (empty: same as path)
    query: str = ""
    headers: Headers = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    def with_header(self, name: str, value: str) -> Request:
        return dataclasses.replace(self, headers=(*_without(self.headers, name), (name, value)))

    def without_header(self, name: str) -> Request:
        return dataclasses.replace(self, headers=_without(self.headers, name))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("latin-1"), keep_blank_values=True))

    def with_form(self, form: dict[str, str]) -> Request:
        return dataclasses.replace(self, body=urlencode(form).encode())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def with_json(self, document: Any) -> Request:
        return dataclasses.replace(self, body=json.dumps(document).encode())

    def params(self) -> dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def is_(self, method: str, path: str) -> bool:
        """Same method, and the path equal to ``path`` or under it when it ends with '/'."""
        if self.method != method.upper():
            return False
        return self.path.startswith(path) if path.endswith("/") else self.path == path


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """A response on its way back to harness. ``delay_s`` holds it; ``truncate`` drops the
    connection after the headers and part of the body (a dropped connection)."""

    status: int
    headers: Headers = ()
    body: bytes = b""
    delay_s: float = 0.0
    truncate: bool = False

    def header(self, name: str) -> str | None:
        return _get(self.headers, name)

    def with_header(self, name: str, value: str) -> Response:
        return dataclasses.replace(self, headers=(*_without(self.headers, name), (name, value)))

    def without_header(self, name: str) -> Response:
        return dataclasses.replace(self, headers=_without(self.headers, name))

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def with_json(self, document: Any) -> Response:
        return dataclasses.replace(self, body=json.dumps(document).encode())

    def with_status(self, status: int) -> Response:
        return dataclasses.replace(self, status=status)
