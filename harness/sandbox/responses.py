"""What the sandbox answers: a status, a body that fits the documented schema, headers.

``Answer`` is a response before it is written; ``ResponseBuilder`` makes documented
bodies (the document's examples first, then generated instances, cached per operation and
status because they never change for a seed) and turns an outcome into a Starlette
``Response`` with every header the documented response marks ``required``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from starlette.responses import Response

from harness.sandbox.dialect import Side
from harness.sandbox.generation import Generator
from harness.sandbox.spec import MediaSpec, OperationSpec, Spec

NO_BODY: Any = object()
_NO_CONTENT = frozenset({204, 205, 304})


@dataclass(slots=True, kw_only=True)
class Answer:
    """An answer: ``body`` is JSON data (or ``NO_BODY``); ``payload`` pre-serialised bytes."""

    status: int
    body: Any = NO_BODY
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    payload: bytes | None = None
    note: str | None = None  # what the sandbox did that the document does not say

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


def dump_json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class ResponseBuilder:
    """Documented bodies and the finishing of responses, for one document."""

    def __init__(self, spec: Spec, generator: Generator) -> None:
        self._spec = spec
        self._generator = generator
        self._cache: dict[tuple[str, int], tuple[str | None, Any]] = {}
        self._required: dict[tuple[str, int], list[tuple[str, str]]] = {}

    def media(self, op: OperationSpec, status: int) -> MediaSpec | None:
        response = op.response_for(status)
        return None if response is None else response.preferred_media()

    def schema(self, op: OperationSpec, status: int) -> str | None:
        media = self.media(op, status)
        return None if media is None else media.schema

    def fits(self, op: OperationSpec, status: int, body: Any) -> bool:
        """Whether ``body`` conforms to the documented schema of ``status``."""
        return self._spec.is_valid(body, self.schema(op, status), Side.RESPONSE)

    def documented(self, op: OperationSpec, status: int) -> Answer:
        """The documented answer for ``status``: an example when valid, else generated."""
        key = (op.operation_id, status)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._documented_body(op, status)
        media_type, body = cached
        return Answer(status=status, body=body, media_type=media_type)

    def generated(self, op: OperationSpec, status: int, *, key: str) -> Any:
        """A fresh instance of the documented schema (NO_BODY when there is none)."""
        schema = self.schema(op, status)
        if schema is None:
            return NO_BODY
        return self._generator.instance(schema, key=f"{op.operation_id}:{status}:{key}")

    def _documented_body(self, op: OperationSpec, status: int) -> tuple[str | None, Any]:
        media = self.media(op, status)
        if media is None or status in _NO_CONTENT:
            return None, NO_BODY
        for example in media.examples:
            if self._spec.is_valid(example, media.schema, Side.RESPONSE):
                return media.media_type, example
        if media.schema is None:
            return media.media_type, {} if media.is_json else ""
        body = self._generator.instance(media.schema, key=f"{op.operation_id}:{status}")
        return media.media_type, body

    # --- finishing -------------------------------------------------------------------------

    def render(self, op: OperationSpec | None, outcome: Answer) -> Response:
        """The Starlette response, with the documented body and required headers filled in."""
        if op is not None:
            self.complete(op, outcome)
            self._required_headers(op, outcome)
        content, media_type = _encode(outcome)
        return Response(
            content=content,
            status_code=outcome.status,
            headers=outcome.headers,
            media_type=media_type,
        )

    def complete(self, op: OperationSpec, outcome: Answer) -> None:
        """An answer whose status documents content carries it (a DELETE that documents a
        JSON body sends one, even when there was nothing to delete)."""
        if outcome.status in _NO_CONTENT or outcome.payload is not None:
            return
        media = self.media(op, outcome.status)
        if media is None:
            return
        if outcome.body is NO_BODY:
            documented = self.documented(op, outcome.status)
            outcome.body, outcome.media_type = documented.body, documented.media_type
        elif outcome.media_type is None:
            outcome.media_type = media.media_type

    def _required_headers(self, op: OperationSpec, outcome: Answer) -> None:
        key = (op.operation_id, outcome.status)
        required = self._required.get(key)
        if required is None:
            required = self._required[key] = self._required_of(op, outcome.status)
        if not required:
            return
        present = {name.lower() for name in outcome.headers}
        for name, value in required:
            if name.lower() not in present:
                outcome.headers[name] = value

    def _required_of(self, op: OperationSpec, status: int) -> list[tuple[str, str]]:
        """The documented required headers of ``status``, each with a documented value."""
        response = op.response_for(status)
        found = []
        for header in response.headers if response is not None else ():
            if not header.required or header.name.lower() == "content-type":
                continue
            value: Any = header.examples[0] if header.examples else None
            if value is None and header.schema is not None:
                value = self._generator.instance(header.schema, key=f"header:{header.name}")
            found.append((header.name, _header_text(value)))
        return found


def _encode(outcome: Answer) -> tuple[bytes, str | None]:
    if outcome.status in _NO_CONTENT or (outcome.body is NO_BODY and outcome.payload is None):
        return b"", None
    media_type = concrete_media_type(outcome.media_type or "application/json")
    if outcome.payload is not None:
        return outcome.payload, media_type
    lowered = media_type.lower()
    body = outcome.body
    if "json" in lowered:
        return dump_json(body), media_type
    if "xml" in lowered:
        return _xml("root", body).encode("utf-8"), media_type
    if isinstance(body, bytes):
        return body, media_type
    if lowered.startswith("text/") or isinstance(body, str):
        return (body if isinstance(body, str) else json.dumps(body)).encode("utf-8"), media_type
    return b"", media_type


def concrete_media_type(media_type: str) -> str:
    """A documented range (``*/*``, ``text/*``) as one type a client can parse."""
    main, _, sub = media_type.split(";", maxsplit=1)[0].strip().lower().partition("/")
    if main not in ("", "*") and sub not in ("", "*"):
        return media_type
    if main in ("", "*"):
        return "application/json"
    return f"{main}/{_RANGE_DEFAULTS.get(main, 'octet-stream')}"


_RANGE_DEFAULTS = {"application": "json", "text": "plain", "image": "png", "audio": "mpeg"}


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml(str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        inner = "".join(_xml("item", v) for v in value)
    elif value is None:
        inner = ""
    else:
        inner = escape(json.dumps(value) if isinstance(value, bool) else str(value))
    return f"<{tag}>{inner}</{tag}>"


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(item) for item in value)
    if value is None:
        return ""
    text = str(value)
    return "".join(ch for ch in text if 0x20 <= ord(ch) < 0x7F)
