"""Swagger 2.0 → OpenAPI 3.0: many vendors still ship Swagger; every stage reads OpenAPI 3.

The conversion follows the mapping of the OpenAPI 3.0 specification's "upgrading" notes (the
same as swagger2openapi's): ``host``/``basePath``/``schemes`` → ``servers``; ``definitions``
→ ``components/schemas``; ``body`` and ``formData`` parameters → ``requestBody`` per
``consumes``; response ``schema`` → ``content`` per ``produces``; ``securityDefinitions`` →
``securitySchemes``; ``x-nullable`` → ``nullable``; ``type: file`` → binary strings.
No Python converter on PyPI is maintained (prance's sends the document to a web service), so
this is ours; it is small because it only needs what the checks read.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from harness.contract.contract import HTTP_METHODS
from harness.contract.refs import split_pointer

TARGET_VERSION = "3.0.3"
_DEFAULT_MEDIA = ["application/json"]
_PARAMETER_SCHEMA = (
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "enum", "multipleOf",
)  # fmt: skip
_OPERATION_KEYS = (
    "tags", "summary", "description", "externalDocs", "operationId", "deprecated", "security",
)  # fmt: skip
_FLOWS = {
    "implicit": ("implicit", ("authorizationUrl",)),
    "password": ("password", ("tokenUrl",)),
    "application": ("clientCredentials", ("tokenUrl",)),
    "accessCode": ("authorizationCode", ("authorizationUrl", "tokenUrl")),
}


def convert_swagger(source: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3.0 document equivalent to the Swagger 2.0 document ``source``."""
    swagger = copy.deepcopy(source)
    _upgrade_nodes(swagger)
    converter = _Converter(swagger)
    result: dict[str, Any] = {"openapi": TARGET_VERSION, "info": swagger.get("info") or {}}
    servers = _servers(swagger)
    if servers:
        result["servers"] = servers
    for key in ("tags", "externalDocs", "security"):
        if key in swagger:
            result[key] = swagger[key]
    result["paths"] = converter.paths()
    components = converter.components()
    if components:
        result["components"] = components
    result.update((key, value) for key, value in swagger.items() if key.startswith("x-"))
    return result


def _servers(swagger: dict[str, Any]) -> list[dict[str, str]]:
    host = swagger.get("host")
    base = str(swagger.get("basePath") or "")
    if not isinstance(host, str) or not host:
        return [{"url": base}] if base else []
    schemes = [s for s in swagger.get("schemes") or ["https"] if isinstance(s, str)]
    return [{"url": f"{scheme}://{host}{base}"} for scheme in schemes or ["https"]]


def _upgrade_nodes(document: Any) -> None:
    """In place, everywhere: references, ``x-nullable``, ``type: file``, discriminators."""
    stack = [document]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        ref = node.get("$ref")
        if isinstance(ref, str):
            node["$ref"] = _upgrade_ref(ref, document)
        if "x-nullable" in node:
            node["nullable"] = bool(node.pop("x-nullable"))
        if node.get("type") == "file":
            node["type"], node["format"] = "string", "binary"
        if isinstance(node.get("discriminator"), str):
            node["discriminator"] = {"propertyName": node["discriminator"]}
        stack.extend(node.values())


def upgrade_reference(reference: str) -> str:
    """``swagger.json#/definitions/Pet`` → ``swagger.json#/components/schemas/Pet``."""
    file_part, hash_, pointer = reference.partition("#")
    if hash_ and pointer.startswith("/definitions/"):
        return f"{file_part}#/components/schemas/{pointer[len('/definitions/') :]}"
    return reference


def _upgrade_ref(ref: str, document: dict[str, Any]) -> str:
    for old, new in (("#/definitions/", "#/components/schemas/"),
                     ("#/responses/", "#/components/responses/")):  # fmt: skip
        if ref.startswith(old):
            return new + ref[len(old) :]
    if ref.startswith("#/parameters/"):
        name = ref[len("#/parameters/") :]
        parameter = (document.get("parameters") or {}).get(split_pointer(name)[0] if name else "")
        kind = parameter.get("in") if isinstance(parameter, dict) else None
        folder = "requestBodies" if kind in ("body", "formData") else "parameters"
        return f"#/components/{folder}/{name}"
    return ref


class _Converter:
    def __init__(self, swagger: dict[str, Any]) -> None:
        self.swagger = swagger
        self.consumes = _media(swagger.get("consumes")) or _DEFAULT_MEDIA
        self.produces = _media(swagger.get("produces")) or _DEFAULT_MEDIA

    def components(self) -> dict[str, Any]:
        swagger, found = self.swagger, {}
        if isinstance(swagger.get("definitions"), dict):
            found["schemas"] = swagger["definitions"]
        parameters, bodies = {}, {}
        for name, parameter in _items(swagger.get("parameters")):
            if parameter.get("in") in ("body", "formData"):
                bodies[name] = self.request_body([parameter], self.consumes)
            else:
                parameters[name] = _parameter(parameter)
        if parameters:
            found["parameters"] = parameters
        if bodies:
            found["requestBodies"] = bodies
        responses = {
            name: self.response(response, self.produces)
            for name, response in _items(swagger.get("responses"))
        }
        if responses:
            found["responses"] = responses
        schemes = {
            name: _security_scheme(scheme)
            for name, scheme in _items(swagger.get("securityDefinitions"))
        }
        if schemes:
            found["securitySchemes"] = schemes
        return found

    def paths(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        for route, item in _items(self.swagger.get("paths")):
            if "$ref" in item:
                paths[route] = item
                continue
            shared = [p for p in item.get("parameters") or [] if isinstance(p, dict)]
            converted: dict[str, Any] = {}
            plain = [p for p in shared if not self._is_body(p)]
            if plain:
                converted["parameters"] = [self.parameter_or_ref(p) for p in plain]
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    bodies = [p for p in shared if self._is_body(p)]
                    converted[method] = self.operation(item[method], bodies)
            converted.update((k, v) for k, v in item.items() if k.startswith("x-"))
            paths[route] = converted
        return paths

    def operation(self, operation: dict[str, Any], inherited: list[Any]) -> dict[str, Any]:
        result = {key: operation[key] for key in _OPERATION_KEYS if key in operation}
        consumes = _media(operation.get("consumes")) or self.consumes
        produces = _media(operation.get("produces")) or self.produces
        own = [p for p in operation.get("parameters") or [] if isinstance(p, dict)]
        bodies = [*inherited, *(p for p in own if self._is_body(p))]
        plain = [self.parameter_or_ref(p) for p in own if not self._is_body(p)]
        if plain:
            result["parameters"] = plain
        if bodies:
            refs = [p for p in bodies if "$ref" in p]
            inline = [self._deref_parameter(p) for p in bodies]
            if len(refs) == 1 and len(bodies) == 1:
                result["requestBody"] = {"$ref": refs[0]["$ref"]}
            else:
                result["requestBody"] = self.request_body(inline, consumes)
        result["responses"] = {
            str(code): response if "$ref" in response else self.response(response, produces)
            for code, response in _items(operation.get("responses"))
        } or {"default": {"description": "no responses documented"}}
        result.update((k, v) for k, v in operation.items() if k.startswith("x-"))
        return result

    def _is_body(self, parameter: dict[str, Any]) -> bool:
        return self._deref_parameter(parameter).get("in") in ("body", "formData")

    def _deref_parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        ref = parameter.get("$ref")
        if not isinstance(ref, str) or "/components/" not in ref:
            return parameter
        name = ref.rsplit("/", 1)[-1]
        found = (self.swagger.get("parameters") or {}).get(split_pointer(name)[0])
        return found if isinstance(found, dict) else parameter

    def parameter_or_ref(self, parameter: dict[str, Any]) -> dict[str, Any]:
        return parameter if "$ref" in parameter else _parameter(parameter)

    def request_body(self, parameters: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
        body = next((p for p in parameters if p.get("in") == "body"), None)
        if body is not None:
            schema = body.get("schema") if isinstance(body.get("schema"), dict) else {}
            result: dict[str, Any] = {"content": {media: {"schema": schema} for media in consumes}}
            if body.get("description"):
                result["description"] = body["description"]
            if body.get("required"):
                result["required"] = True
            return result
        return _form_body(parameters, consumes)

    def response(self, response: dict[str, Any], produces: list[str]) -> dict[str, Any]:
        result: dict[str, Any] = {"description": str(response.get("description") or "")}
        if isinstance(response.get("schema"), dict):
            result["content"] = {media: {"schema": response["schema"]} for media in produces}
        headers = {
            name: {"schema": _schema_of(header), **_described(header)}
            for name, header in _items(response.get("headers"))
        }
        if headers:
            result["headers"] = headers
        result.update((k, v) for k, v in response.items() if k.startswith("x-"))
        return result


def _form_body(parameters: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    fields = [p for p in parameters if p.get("in") == "formData" and isinstance(p.get("name"), str)]
    has_file = any(p.get("type") == "string" and p.get("format") == "binary" for p in fields)
    media = "multipart/form-data"
    if not has_file and "multipart/form-data" not in consumes:
        media = "application/x-www-form-urlencoded"
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p["name"]: {**_schema_of(p), **_described(p)} for p in fields},
    }
    required = [p["name"] for p in fields if p.get("required")]
    if required:
        schema["required"] = required
    return {"content": {media: {"schema": schema}}, **({"required": True} if required else {})}


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        key: parameter[key]
        for key in ("name", "in", "description", "required", "allowEmptyValue")
        if key in parameter
    }
    if result.get("in") == "path":
        result["required"] = True
    result["schema"] = _schema_of(parameter)
    style = _style(parameter.get("collectionFormat"), str(parameter.get("in")))
    result.update(style)
    result.update((k, v) for k, v in parameter.items() if k.startswith("x-"))
    return result


def _style(collection: Any, location: str) -> dict[str, Any]:
    if collection == "multi":
        return {"style": "form", "explode": True}
    if collection == "ssv":
        return {"style": "spaceDelimited", "explode": False}
    if collection == "pipes":
        return {"style": "pipeDelimited", "explode": False}
    if collection in ("csv", "tsv") and location == "query":
        return {"style": "form", "explode": False}
    return {}


def _schema_of(node: dict[str, Any]) -> dict[str, Any]:
    return {key: node[key] for key in _PARAMETER_SCHEMA if key in node}


def _described(node: dict[str, Any]) -> dict[str, Any]:
    return {"description": node["description"]} if "description" in node else {}


def _security_scheme(scheme: dict[str, Any]) -> dict[str, Any]:
    kind = scheme.get("type")
    described = _described(scheme)
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **described}
    if kind == "apiKey":
        return {"type": "apiKey", "name": scheme.get("name", ""), "in": scheme.get("in", "header"),
                **described}  # fmt: skip
    if kind == "oauth2":
        name, urls = _FLOWS.get(str(scheme.get("flow")), ("clientCredentials", ("tokenUrl",)))
        flow: dict[str, Any] = {url: str(scheme.get(url) or "") for url in urls}
        flow["scopes"] = scheme.get("scopes") if isinstance(scheme.get("scopes"), dict) else {}
        return {"type": "oauth2", "flows": {name: flow}, **described}
    return scheme


def _media(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _items(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        yield from ((str(k), v) for k, v in value.items() if isinstance(v, dict))
