"""Removing secrets from anything harness shows or stores: text, headers, bodies, excerpts.

A secret is removed in every form it may take on the wire: raw, URL-encoded, base64 and
base64url, JSON-escaped and hex. Headers that carry credentials and OAuth fields in bodies
are removed by name, whatever their value.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Collection, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import httpx

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
    }
)
SENSITIVE_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "id_token",
        "client_assertion",
        "password",
        "api_key",
        "secret",
    }
)


def secret_forms(secret: str) -> Iterator[str]:
    """Every encoding of ``secret`` that may appear in a request, response or log."""
    raw = secret.encode("utf-8")
    yield secret
    yield quote(secret, safe="")
    yield quote_plus(secret)
    yield json.dumps(secret)[1:-1]
    yield raw.hex()
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        yield text
        yield text.rstrip("=")


def redact_text(text: str, secrets: Collection[str]) -> str:
    """``text`` with every form of every secret replaced by ``[redacted]``."""
    return _replace_forms(text, _all_forms(secrets))


def _all_forms(secrets: Collection[str]) -> list[str]:
    """Every form of every secret, longest first (so no form is cut by a shorter one)."""
    forms = {
        form
        for secret in secrets
        if len(secret) >= MIN_SECRET_LENGTH
        for form in secret_forms(secret)
        if len(form) >= MIN_SECRET_LENGTH
    }
    return sorted(forms, key=len, reverse=True)


def _replace_forms(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, REDACTED)
    return text


def redact_header_pairs(
    pairs: Iterable[tuple[str, str]], secrets: Collection[str], extra: Collection[str] = ()
) -> tuple[tuple[str, str], ...]:
    """(name, value) pairs with credential headers (and ``extra`` names) removed by name and
    every secret removed from the other values; order and case are kept."""
    names = SENSITIVE_HEADERS | {name.lower() for name in extra}
    return tuple(
        (name, REDACTED if name.lower() in names else redact_text(value, secrets))
        for name, value in pairs
    )


def redact_fields(value: Any) -> Any:
    """JSON data with OAuth and password fields removed by key, at any depth."""
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in SENSITIVE_FIELDS else redact_fields(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_fields(item) for item in value]
    return value


def redact_body(body: bytes, content_type: str, secrets: Collection[str]) -> str:
    """A body as text, with sensitive fields (JSON or form) and secret values removed."""
    text = body.decode("utf-8", "replace")
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind.endswith(("json", "+json")):
        with contextlib.suppress(ValueError):
            text = json.dumps(redact_fields(json.loads(text)), ensure_ascii=False)
    elif kind == "application/x-www-form-urlencoded":
        pairs = [
            (key, REDACTED if key.lower() in SENSITIVE_FIELDS else item)
            for key, item in parse_qsl(text, keep_blank_values=True)
        ]
        text = urlencode(pairs)
    return redact_text(text, secrets)


def redact_url(url: str, secrets: Collection[str]) -> str:
    """A URL without userinfo, sensitive query parameters or secret values."""
    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    params = [
        (key, REDACTED if key.lower() in SENSITIVE_FIELDS | SENSITIVE_QUERY_KEYS else item)
        for key, item in parsed.params.multi_items()
    ]
    if params:
        parsed = parsed.copy_with(query=urlencode(params).encode("ascii"))
    return redact_text(str(parsed), secrets)


SENSITIVE_QUERY_KEYS = frozenset(
    {"key", "apikey", "api_key", "token", "access_token", "sig", "signature"}
)
_SPACES = re.compile(r"\s+")


def response_excerpt(
    response: httpx.Response, secrets: Collection[str], *, limit: int = 2000
) -> dict[str, Any]:
    """JSON-safe evidence of a request and its response, with no secret in it."""
    request = response.request
    request_type = request.headers.get("content-type", "")
    response_type = response.headers.get("content-type", "")
    return {
        "request": {
            "method": request.method,
            "url": redact_url(str(request.url), secrets),
            "headers": dict(redact_header_pairs(request.headers.items(), secrets)),
            "body": redact_body(request.content, request_type, secrets)[:limit],
        },
        "response": {
            "status": response.status_code,
            "headers": dict(redact_header_pairs(response.headers.items(), secrets)),
            "body": redact_body(response.content, response_type, secrets)[:limit],
            "elapsed_ms": round(response.elapsed.total_seconds() * 1000, 2)
            if _has_elapsed(response)
            else None,
        },
    }


def _has_elapsed(response: httpx.Response) -> bool:
    try:
        response.elapsed  # noqa: B018 - raises until the response is closed
    except RuntimeError:
        return False
    return True


def one_line(text: str) -> str:
    """Collapse whitespace, for messages that must stay on one line."""
    return _SPACES.sub(" ", text).strip()


#: Response fields whose values are credentials a server hands out (RFC 6749 section 5.1).
ISSUED_FIELDS = frozenset({"access_token", "refresh_token", "id_token", "client_secret"})
# Cheap test before parsing: a body that names no issued field holds none.
_ISSUED_MARKERS = tuple(name.encode("ascii") for name in ISSUED_FIELDS)


def issued_values(body: bytes, content_type: str) -> frozenset[str]:
    """The credentials a response body hands out (JSON at any depth, or a form body)."""
    if not any(marker in body for marker in _ISSUED_MARKERS):
        return frozenset()
    text = body.decode("utf-8", "replace")
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        return frozenset(v for k, v in pairs if k.lower() in ISSUED_FIELDS and v)
    try:
        return frozenset(_issued_in(json.loads(text)))
    except ValueError:
        return frozenset()


def _issued_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in ISSUED_FIELDS and isinstance(item, str) and item:
                yield item
            else:
                yield from _issued_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _issued_in(item)


class IssuedSecrets:
    """Every credential a server issued during a run, whichever client or probe saw it.

    Tokens issued to harness's own providers, to a check's bare probe, even to deliberately
    wrong credentials (a server that should have refused them): all join the run's secrets,
    so no message, result, JUnit or Allure file shows them. Thread-safe.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            self._values.update(value for value in values if len(value) >= MIN_SECRET_LENGTH)

    def harvest(self, body: bytes, content_type: str) -> None:
        """Remember the credentials ``body`` hands out."""
        self.add(issued_values(body, content_type))

    def on_response(self, response: httpx.Response) -> None:
        """An httpx ``response`` event hook: read the body, remember what it hands out."""
        response.read()
        self.harvest(response.content, response.headers.get("content-type", ""))

    def values(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._values)


def redact_value(value: Any, secrets: Collection[str]) -> Any:
    """JSON-like data (results' ``data`` and evidence) with every secret removed from every
    string in it, keys included; other values as they are."""
    return _redact_value(value, _all_forms(secrets))


def _redact_value(value: Any, forms: list[str]) -> Any:
    if isinstance(value, str):
        return _replace_forms(value, forms)
    if isinstance(value, dict):
        return {
            _redact_value(key, forms): _redact_value(item, forms) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact_value(item, forms) for item in value]
    if isinstance(value, tuple):
        return tuple(_redact_value(item, forms) for item in value)
    return value
