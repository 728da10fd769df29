"""Read a request the way its operation declares it, or say precisely what is wrong.

Parameters arrive as text; they are turned into the types their schemas name (``"7"`` →
``7`` for an integer, ``a,b`` → ``["a", "b"]`` for a non-exploded array) before they are
validated against the request view of the document. Bodies are parsed by media type
(JSON, form and multipart bodies are validated; other media types are taken as they come).

A query parameter the operation does not declare is refused: a client that misspells
``limit`` as ``limt`` learns it from the 400 instead of silently getting the default page.
The names a security scheme or the contract's API key put in the query are declared too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote
from xml.etree import ElementTree

from starlette.requests import Request

from harness.errors import HarnessError
from harness.sandbox.dialect import Side
from harness.sandbox.multipart import MalformedMultipart, parse_multipart
from harness.sandbox.spec import BodySpec, MediaSpec, OperationSpec, ParameterSpec, Spec

_INTEGER = re.compile(r"-?[0-9]{1,40}")
MISSING = "is required"  # the message of a required parameter left out
_SEGMENT_SAFE = "!$&'()*+,;=:@"  # sub-delimiters a path segment carries unencoded (RFC 3986)
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class InvalidRequest(HarnessError):
    """The request does not match its operation; ``location`` is path/query/header/body."""

    def __init__(self, location: str, name: str, message: str) -> None:
        self.location = location
        self.name = name
        self.message = message
        where = f"{location} {name}".strip()
        super().__init__(f"{where}: {message}")


@dataclass(slots=True, kw_only=True)
class ParsedRequest:
    """The declared parts of a request, typed."""

    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    media_type: str | None = None


class RequestReader:
    """Parses and validates requests against one document."""

    def __init__(self, spec: Spec, *, credential_query: frozenset[str] = frozenset()) -> None:
        self._spec = spec
        self._kinds: dict[str, tuple[str, str]] = {}
        self._credential_query = credential_query | _scheme_query_names(spec)

    async def read(
        self,
        op: OperationSpec,
        request: Request,
        path_params: Mapping[str, str],
    ) -> ParsedRequest:
        """The typed request; ``InvalidRequest`` at the first thing that is wrong."""
        parsed = ParsedRequest()
        for param in op.parameters:
            value = self._raw_parameter(param, request, path_params)
            if value is _ABSENT:
                if param.required:
                    raise InvalidRequest(param.location, param.name, MISSING)
                continue
            typed = self._valid(param, self._typed(param, value))
            _target(parsed, param.location)[param.name] = typed
        self._refuse_undeclared_query(op, request)
        if op.body is not None:
            await self._read_body(op.body, request, parsed)
        return parsed

    # --- parameters ------------------------------------------------------------------------

    def _valid(self, param: ParameterSpec, typed: Any) -> Any:
        """``typed`` when its schema accepts it. A path segment is also taken as sent when
        the document lists it percent-encoded (nytimes: ``enum: [N.Y.%20%2F%20Region]``)."""
        if param.schema is None:
            return typed
        problem = self._spec.check(typed, param.schema, Side.REQUEST)
        if problem is None:
            return typed
        if param.location == "path" and isinstance(typed, str):
            encoded = quote(typed, safe=_SEGMENT_SAFE)
            if encoded != typed and self._spec.is_valid(encoded, param.schema, Side.REQUEST):
                return encoded
        raise InvalidRequest(param.location, param.name, problem)

    def _refuse_undeclared_query(self, op: OperationSpec, request: Request) -> None:
        query = [p for p in op.parameters if p.location == "query"]
        if any(self._kind(p)[0] == "object" and not p.json_content for p in query):
            return  # an exploded object parameter spreads its properties over the query
        declared = {p.name for p in query}
        for name in request.query_params:
            if name in declared or name in self._credential_query:
                continue
            if "[" in name and name.partition("[")[0] in declared:  # deepObject: f[a]=1
                continue
            raise InvalidRequest("query", name, "is not a parameter of this operation")

    def _raw_parameter(
        self, param: ParameterSpec, request: Request, path_params: Mapping[str, str]
    ) -> Any:
        if param.location == "path":
            return path_params.get(param.name, _ABSENT)
        if param.location == "header":
            return request.headers.get(param.name, _ABSENT)
        if param.location == "cookie":
            return request.cookies.get(param.name, _ABSENT)
        if param.location != "query":
            return _ABSENT
        if self._kind(param)[0] == "object" and not param.json_content:
            return _deep_object(param.name, request) or _ABSENT
        values = request.query_params.getlist(param.name)
        if not values:
            return _ABSENT
        return values if self._kind(param)[0] == "array" and param.explode else values[-1]

    def _typed(self, param: ParameterSpec, value: Any) -> Any:
        if param.json_content and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        kind, item_kind = self._kind(param)
        if kind == "array":
            items = value if isinstance(value, list) else _split(str(value), param)
            return [coerce(item, item_kind) for item in items]
        if kind == "object" and isinstance(value, dict):
            return value
        return coerce(value, kind)

    def _kind(self, param: ParameterSpec) -> tuple[str, str]:
        key = param.schema or ""
        cached = self._kinds.get(key)
        if cached is None:
            schema = self._spec.deref(param.schema, Side.REQUEST)[1] if param.schema else {}
            kind = schema_kind(self._spec, schema)
            items = schema.get("items") if isinstance(schema, dict) else None
            item_kind = schema_kind(self._spec, items) if isinstance(items, dict) else "string"
            cached = self._kinds[key] = (kind, item_kind)
        return cached

    # --- bodies ----------------------------------------------------------------------------

    async def _read_body(self, spec: BodySpec, request: Request, parsed: ParsedRequest) -> None:
        raw = await request.body()
        if not raw:
            if spec.required:
                raise InvalidRequest("body", "", "a request body is required")
            return
        media = _match_media(spec, request.headers.get("content-type"))
        if media is None:
            given = request.headers.get("content-type", "none")
            documented = ", ".join(m.media_type for m in spec.media)
            raise InvalidRequest("header", "Content-Type", f"{given} is not one of {documented}")
        parsed.media_type = media.media_type
        parsed.body = self._parse_body(media, raw, request.headers.get("content-type", ""))
        if media.schema is not None and parsed.body is not _UNPARSED:
            problem = self._spec.check(parsed.body, media.schema, Side.REQUEST)
            if problem is not None:
                raise InvalidRequest("body", "", problem)
        if parsed.body is _UNPARSED:
            parsed.body = None

    def _parse_body(self, media: MediaSpec, raw: bytes, content_type: str) -> Any:
        lowered = media.media_type.lower()
        if media.is_json and lowered != "*/*":
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise InvalidRequest("body", "", f"is not valid JSON: {exc}") from None
        if lowered.startswith("application/x-www-form-urlencoded"):
            return self._form(media, raw)
        if lowered.startswith("multipart/form-data"):
            return self._multipart(media, raw, content_type)
        if "xml" in lowered:
            self._xml(media, raw)
        return _UNPARSED

    def _xml(self, media: MediaSpec, raw: bytes) -> None:
        """Well-formed XML, whose root has elements when the schema is an object."""
        try:
            root = ElementTree.fromstring(raw)  # noqa: S314 - expat refuses entity expansion bombs
        except ElementTree.ParseError as exc:
            raise InvalidRequest("body", "", f"is not well-formed XML: {exc}") from None
        schema = self._spec.deref(media.schema, Side.REQUEST)[1] if media.schema else {}
        flat = len(root) == 0 and not root.attrib and (root.text or "").strip()
        if flat and schema_kind(self._spec, schema) == "object":
            raise InvalidRequest("body", "", f"<{root.tag}> holds text, not an object")

    def _multipart(self, media: MediaSpec, raw: bytes, content_type: str) -> dict[str, Any]:
        schema = self._spec.deref(media.schema, Side.REQUEST)[1] if media.schema else {}
        properties = _form_properties(self._spec, schema)

        def kind_of(name: str) -> str:
            return schema_kind(self._spec, properties.get(name, {}))

        try:
            return parse_multipart(content_type, raw, kind_of, coerce)
        except MalformedMultipart as exc:
            raise InvalidRequest("body", "", str(exc)) from None

    def _form(self, media: MediaSpec, raw: bytes) -> dict[str, Any]:
        try:
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise InvalidRequest("body", "", "is not UTF-8 form data") from None
        schema = self._spec.deref(media.schema, Side.REQUEST)[1] if media.schema else {}
        properties = _form_properties(self._spec, schema)
        form: dict[str, Any] = {}
        for name, value in pairs:
            kind = schema_kind(self._spec, properties.get(name, {}))
            if kind == "array":
                form.setdefault(name, []).append(value)
            else:
                form[name] = coerce(value, kind)
        return form


_ABSENT = object()
_UNPARSED = object()


def _scheme_query_names(spec: Spec) -> frozenset[str]:
    """The query parameters the document's API-key security schemes name."""
    components = spec.raw.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return frozenset(
        str(scheme["name"])
        for scheme in (schemes.values() if isinstance(schemes, dict) else ())
        if isinstance(scheme, dict) and scheme.get("in") == "query" and "name" in scheme
    )


def _target(parsed: ParsedRequest, location: str) -> dict[str, Any]:
    if location == "path":
        return parsed.path
    if location == "query":
        return parsed.query
    return parsed.headers


def _split(text: str, param: ParameterSpec) -> list[str]:
    if param.location == "query" and not param.explode:
        return text.split(",") if text else []
    return [part.strip() for part in text.split(",")] if text else []


def _deep_object(name: str, request: Request) -> dict[str, str]:
    prefix = name + "["
    return {
        key[len(prefix) : -1]: value
        for key, value in request.query_params.multi_items()
        if key.startswith(prefix) and key.endswith("]")
    }


def _match_media(spec: BodySpec, content_type: str | None) -> MediaSpec | None:
    if not spec.media:
        return MediaSpec(media_type=content_type or "application/octet-stream", schema=None)
    if content_type is None:
        return spec.media[0] if len(spec.media) == 1 else None
    given = content_type.split(";")[0].strip().lower()
    for media in spec.media:
        documented = media.media_type.split(";")[0].strip().lower()
        if documented in (given, "*/*"):
            return media
        if documented.endswith("/*") and given.startswith(documented[:-1]):
            return media
    return None


def _form_properties(spec: Spec, schema: Any, depth: int = 0) -> dict[str, Any]:
    """The properties of a form schema, through composition (a cycle stops at depth 16)."""
    if not isinstance(schema, dict) or depth > 16:
        return {}
    found = schema.get("properties")
    properties = dict(found) if isinstance(found, dict) else {}
    for part in schema.get("allOf") or schema.get("oneOf") or schema.get("anyOf") or ():
        if isinstance(part, dict):
            ref = part.get("$ref")
            resolved = spec.deref(ref[1:], Side.REQUEST)[1] if isinstance(ref, str) else part
            for name, sub in _form_properties(spec, resolved, depth + 1).items():
                properties.setdefault(name, sub)
    return properties


def schema_kind(spec: Spec, schema: Any) -> str:
    """The JSON type a (possibly ``$ref``) schema mostly describes; ``string`` by default."""
    for _ in range(16):
        if not isinstance(schema, dict):
            return "string"
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            schema = spec.deref(ref[1:], Side.REQUEST)[1]
            continue
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if isinstance(kind, str):
            return kind
        options = schema.get("allOf") or schema.get("oneOf") or schema.get("anyOf")
        if isinstance(options, list) and options:
            schema = next(
                (o for o in options if isinstance(o, dict) and o.get("type") != "null"), options[0]
            )
            continue
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        enum = schema.get("enum")
        if isinstance(enum, list) and enum and not isinstance(enum[0], str):
            return "number" if isinstance(enum[0], int | float) else "string"
        return "string"
    return "string"


def coerce(value: Any, kind: str) -> Any:
    """Text from a URL, header or form as the JSON type ``kind`` (unchanged if it is not)."""
    if not isinstance(value, str):
        return value
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind == "number" and _NUMBER.fullmatch(value):
        return int(value) if _INTEGER.fullmatch(value) else float(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "null" and value in ("", "null"):
        return None
    return value
