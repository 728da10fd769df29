"""The OpenAPI document as the sandbox reads it: operations, parameters, bodies, responses.

Everything is resolved once, when the app is built, into small frozen records that keep
*JSON pointers* to their schemas rather than the schemas themselves: a pointer names a
compiled validator (cached) and a generator input, and it survives ``$ref`` chains.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from harness.contract.contract import HTTP_METHODS
from harness.contract.refs import follow_pointer, join_pointer
from harness.sandbox.dialect import Side, json_safe, translate

_URIS = {
    Side.REQUEST: "urn:harness:sandbox:request",
    Side.RESPONSE: "urn:harness:sandbox:response",
}
_JSON_HINTS = ("application/json", "+json", "/json")
_POINTER_SAFE = "/~!$&'()*+,;=:@-._"
_INLINE_CACHE = 4096
_REFUSALS = (404, 409, 415, 406, 405, 428)  # malformed-request stand-ins, in preference


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterSpec:
    name: str
    location: str  # path | query | header | cookie
    required: bool
    schema: str | None  # JSON pointer into the document
    explode: bool
    json_content: bool = False  # `content: {application/json: ...}` instead of `schema`


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaSpec:
    media_type: str
    schema: str | None
    examples: tuple[Any, ...] = ()

    @property
    def is_json(self) -> bool:
        lowered = self.media_type.lower()
        return any(hint in lowered for hint in _JSON_HINTS) or lowered == "*/*"


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderSpec:
    name: str
    required: bool
    schema: str | None
    examples: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseSpec:
    key: str  # "200", "4XX" or "default"
    media: tuple[MediaSpec, ...] = ()
    headers: tuple[HeaderSpec, ...] = ()

    def preferred_media(self) -> MediaSpec | None:
        """JSON (problem+json first) when documented, else the first media type."""
        for media in self.media:
            if "problem+json" in media.media_type.lower():
                return media
        return next((m for m in self.media if m.is_json), self.media[0] if self.media else None)


@dataclass(frozen=True, slots=True, kw_only=True)
class BodySpec:
    required: bool
    media: tuple[MediaSpec, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationSpec:
    operation_id: str
    method: str
    path: str
    parameters: tuple[ParameterSpec, ...]
    body: BodySpec | None
    responses: Mapping[str, ResponseSpec]
    security: tuple[Mapping[str, tuple[str, ...]], ...] | None  # None: not declared here

    def response_for(self, status: int) -> ResponseSpec | None:
        """The documented response for ``status``: exact code, then ``4XX``, then default."""
        found = self.responses.get(str(status)) or self.responses.get(f"{status // 100}XX")
        return found or self.responses.get("default")

    def documents(self, status: int) -> bool:
        return self.response_for(status) is not None

    def first_documented(self, *statuses: int) -> int | None:
        """The first of ``statuses`` this operation documents (``default`` counts)."""
        return next((status for status in statuses if self.documents(status)), None)

    def malformed_refusal(self) -> int | None:
        """A documented standard refusal for a malformed request when neither 400 nor 422 is
        documented (404 first); never one about credentials or rate, nor a vendor's own."""
        return next((status for status in _REFUSALS if str(status) in self.responses), None)

    def success_status(self, *preferred: int) -> int:
        """The status of a successful answer: a preferred 2xx, any 2xx, default, else any."""
        for status in preferred:
            if str(status) in self.responses:
                return status
        codes = sorted(int(key) for key in self.responses if key.isdigit())
        success = [code for code in codes if 200 <= code < 300]
        if success:
            return success[0]
        if "2XX" in self.responses or "default" in self.responses:
            return preferred[0] if preferred else 200
        return codes[0] if codes else 200


class Spec:
    """The operations of an OpenAPI document, and validators over its schemas."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.raw: dict[str, Any] = json_safe(document)
        self._views = {view: translate(self.raw, view) for view in Side}
        self._registries = {
            view: jsonschema_rs.Registry([(_URIS[view], self._views[view])]) for view in Side
        }
        self._validators: dict[tuple[Side, str], Any] = {}
        self._inline: dict[int, tuple[Any, Any]] = {}
        self._identities: dict[str, str] = {}
        self._lock = threading.Lock()
        self.operations: dict[str, OperationSpec] = dict(self._index())

    # --- schemas ---------------------------------------------------------------------------

    def node(self, pointer: str, view: Side | None = None) -> Any:
        return follow_pointer(
            self.raw if view is None else self._views[view], pointer, default=None
        )

    def deref(self, pointer: str, view: Side | None = None) -> tuple[str, Any]:
        """Follow a ``$ref`` chain from ``pointer``: the final pointer and node."""
        node = self.node(pointer, view)
        for _ in range(32):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            pointer = ref[1:]
            node = self.node(pointer, view)
        return pointer, node

    def identity(self, pointer: str | None) -> str | None:
        """Two schema pointers with the same identity name the same schema."""
        if pointer is None:
            return None
        found = self._identities.get(pointer)
        if found is None:
            found = self._identities[pointer] = self.deref(pointer)[0]
        return found

    def check(self, instance: Any, pointer: str, view: Side) -> str | None:
        """None when ``instance`` is valid against the schema at ``pointer``, else why not."""
        validator = self._validator(pointer, view)
        if validator is None or validator.is_valid(instance):
            return None
        for error in validator.iter_errors(instance):
            where = "/".join(str(part) for part in error.instance_path)
            return f"{where}: {error.message}" if where else str(error.message)
        return "invalid"

    def is_valid(self, instance: Any, pointer: str | None, view: Side) -> bool:
        if pointer is None:
            return True
        validator = self._validator(pointer, view)
        return validator is None or bool(validator.is_valid(instance))

    def fits(self, instance: Any, schema: Any, view: Side) -> bool:
        """Whether ``instance`` is valid against an inline schema node of ``view``."""
        key = id(schema)
        cached = self._inline.get(key)
        if cached is None or cached[0] is not schema:
            if len(self._inline) > _INLINE_CACHE:
                self._inline.clear()
            cached = (schema, self._compile(_absolute(schema, _URIS[view]), view))
            self._inline[key] = cached  # the node is kept alive, so its id stays its own
        return cached[1] is None or bool(cached[1].is_valid(instance))

    def _compile(self, schema: Any, view: Side) -> Any:
        try:
            return jsonschema_rs.validator_for(
                schema, registry=self._registries[view], validate_formats=True
            )
        except (ValueError, jsonschema_rs.ReferencingError):
            return None  # a schema the validator cannot compile constrains nothing

    def _validator(self, pointer: str, view: Side) -> Any:
        key = (view, pointer)
        cached = self._validators.get(key)
        if cached is not None or key in self._validators:
            return cached
        reference = _URIS[view] + "#" + quote(pointer, safe=_POINTER_SAFE)
        validator = self._compile({"$ref": reference}, view)
        with self._lock:
            self._validators[key] = validator
        return validator

    # --- operations ------------------------------------------------------------------------

    def _index(self) -> Iterator[tuple[str, OperationSpec]]:
        paths = self.raw.get("paths") or {}
        seen: set[str] = set()
        for route in paths:
            item_pointer, item_node = self.deref(join_pointer("/paths", route))
            if not isinstance(item_node, dict):
                continue
            for method in HTTP_METHODS:
                definition = item_node.get(method)
                if not isinstance(definition, dict):
                    continue
                op_id = str(definition.get("operationId") or f"{method.upper()} {route}")
                if op_id in seen:
                    continue
                seen.add(op_id)
                pointer = join_pointer(item_pointer, method)
                yield op_id, self._operation(op_id, method, route, item_pointer, pointer)

    def _operation(
        self, op_id: str, method: str, route: str, item_pointer: str, pointer: str
    ) -> OperationSpec:
        definition = self.node(pointer)
        security = definition.get("security")
        return OperationSpec(
            operation_id=op_id,
            method=method,
            path=route,
            parameters=tuple(self._parameters(item_pointer, pointer)),
            body=self._body(join_pointer(pointer, "requestBody")),
            responses=self._responses(join_pointer(pointer, "responses")),
            security=_requirements(security) if isinstance(security, list) else None,
        )

    def _parameters(self, item_pointer: str, pointer: str) -> Iterator[ParameterSpec]:
        merged: dict[tuple[str, str], ParameterSpec] = {}
        for owner in (item_pointer, pointer):
            listed = self.node(join_pointer(owner, "parameters"))
            for index in range(len(listed) if isinstance(listed, list) else 0):
                spec = self._parameter(join_pointer(owner, "parameters", str(index)))
                if spec is not None:
                    merged[(spec.name, spec.location)] = spec  # operation level wins
        yield from merged.values()

    def _parameter(self, pointer: str) -> ParameterSpec | None:
        pointer, node = self.deref(pointer)
        if not isinstance(node, dict) or "name" not in node or "in" not in node:
            return None
        location = str(node["in"])
        schema = join_pointer(pointer, "schema") if "schema" in node else None
        json_content = False
        if schema is None and isinstance(node.get("content"), dict) and node["content"]:
            media_type = next(iter(node["content"]))
            schema = join_pointer(pointer, "content", media_type, "schema")
            json_content = "json" in media_type
        style = node.get("style", "form" if location in ("query", "cookie") else "simple")
        return ParameterSpec(
            name=str(node["name"]),
            location=location,
            required=bool(node.get("required", location == "path")),
            schema=schema,
            explode=bool(node.get("explode", style == "form")),
            json_content=json_content,
        )

    def _body(self, pointer: str) -> BodySpec | None:
        pointer, node = self.deref(pointer)
        if not isinstance(node, dict):
            return None
        media = tuple(self._media(join_pointer(pointer, "content")))
        return BodySpec(required=bool(node.get("required", False)), media=media)

    def _responses(self, pointer: str) -> dict[str, ResponseSpec]:
        node = self.node(pointer)
        found: dict[str, ResponseSpec] = {}
        for key in node if isinstance(node, dict) else ():
            if key.startswith("x-"):
                continue
            response_pointer, response = self.deref(join_pointer(pointer, key))
            if not isinstance(response, dict):
                continue
            normalised = key.upper() if key.lower().endswith("xx") else key
            found[normalised] = ResponseSpec(
                key=normalised,
                media=tuple(self._media(join_pointer(response_pointer, "content"))),
                headers=tuple(self._headers(join_pointer(response_pointer, "headers"))),
            )
        return found

    def _media(self, pointer: str) -> Iterator[MediaSpec]:
        content = self.node(pointer)
        for media_type, media in (content or {}).items() if isinstance(content, dict) else ():
            if not isinstance(media, dict):
                continue
            media_pointer = join_pointer(pointer, media_type)
            schema = join_pointer(media_pointer, "schema") if "schema" in media else None
            yield MediaSpec(
                media_type=media_type, schema=schema, examples=self._examples(media_pointer)
            )

    def _headers(self, pointer: str) -> Iterator[HeaderSpec]:
        headers = self.node(pointer)
        for name in headers if isinstance(headers, dict) else ():
            header_pointer, header = self.deref(join_pointer(pointer, name))
            if not isinstance(header, dict):
                continue
            schema = join_pointer(header_pointer, "schema") if "schema" in header else None
            yield HeaderSpec(
                name=name,
                required=bool(header.get("required", False)),
                schema=schema,
                examples=self._examples(header_pointer),
            )

    def _examples(self, pointer: str) -> tuple[Any, ...]:
        node = self.node(pointer)
        found: list[Any] = []
        if isinstance(node, dict) and "example" in node:
            found.append(node["example"])
        examples = node.get("examples") if isinstance(node, dict) else None
        for name in examples if isinstance(examples, dict) else ():
            _, example = self.deref(join_pointer(pointer, "examples", name))
            if isinstance(example, dict) and "value" in example:
                found.append(example["value"])
        return tuple(found)


def _requirements(security: list[Any]) -> tuple[Mapping[str, tuple[str, ...]], ...]:
    return tuple(
        {str(name): tuple(str(s) for s in scopes or ()) for name, scopes in entry.items()}
        for entry in security
        if isinstance(entry, dict)
    )


def _absolute(node: Any, uri: str) -> Any:
    """A copy of an inline schema whose local ``$ref``s name the document by ``uri``."""
    if isinstance(node, list):
        return [_absolute(item, uri) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _absolute(value, uri) for key, value in node.items()}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        out["$ref"] = uri + "#" + quote(ref[1:], safe=_POINTER_SAFE)
    return out
