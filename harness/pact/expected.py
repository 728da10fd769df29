"""What the integration expects of its vendor, one ``Expected`` interaction at a time.

Built from the contract, not from a test run: one interaction per OpenAPI operation the
integration uses (named by a mapping, a trigger, the health check, a webhook or a workflow
step) and one per triggerable entry of the error table. Requests use the document's
examples; responses are example bodies (recorded ones when given) overlaid with what the
request and the provider states fix, so the example and the provider agree on which fields
are null. Provider states (``harness.pact.states``) carry what the provider must set up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from harness.contract import Contract
from harness.contract.contract import Operation
from harness.contract.policies import ErrorCode
from harness.errors import Location
from harness.pact.examples import example_of, resolve
from harness.pact.states import ProviderState, resource_state, token_state
from harness.pact.usage import used_operations

SUCCESS = ("200", "201", "202", "204")
_PARAM = re.compile(r"\{([^{}]+)\}")
_ITEM = re.compile(r"^(.*)/\{([^{}/]+)\}$")
Recorded = Mapping[tuple[str, int], Any]  # (operationId, status) → a recorded JSON body


@dataclass(frozen=True, slots=True, kw_only=True)
class Expected:
    """One interaction of the pact: a request, the states it needs, the answer expected."""

    description: str
    operation: str
    method: str
    path: str
    states: tuple[ProviderState, ...] = ()
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    authorised: bool = False  # Authorization: Bearer <token from the token state>
    body: Any = None
    media_type: str | None = None
    status: int = 200
    response_media: str | None = None
    response_schema: Any = None
    response_body: Any = None
    exact: Mapping[str, Any] = field(default_factory=dict)  # dotted path → literal value
    loc: Location


def expected_interactions(contract: Contract, recorded: Recorded | None = None) -> list[Expected]:
    """Every interaction the integration expects, operations first, then the error table."""
    if contract.document is None:
        return []
    planner = _Planner(contract, recorded or {})
    found = [planner.success(op, loc) for op, loc in used_operations(contract, recorded or {})]
    found += [planner.error(entry) for entry in contract.errors]
    return _unique([item for item in found if item is not None])


def _unique(items: list[Expected]) -> list[Expected]:
    seen: dict[str, int] = {}
    unique = []
    for item in items:
        count = seen[item.description] = seen.get(item.description, 0) + 1
        unique.append(_renamed(item, f"{item.description} (#{count})") if count > 1 else item)
    return unique


def _renamed(item: Expected, description: str) -> Expected:
    return replace(item, description=description)


class _Planner:
    def __init__(self, contract: Contract, recorded: Recorded) -> None:
        assert contract.document is not None
        self.contract = contract
        self.raw = contract.document.raw
        self.recorded = recorded
        self.resources = _resources(contract, self.raw)

    # --- an operation's documented success ----------------------------------------------

    def success(self, op: Operation, loc: Location) -> Expected | None:
        status = next((code for code in SUCCESS if code in _responses(op)), None)
        if status is None:
            return None
        path = _filled(op.path, self._path_values(op, {}))
        body, media = self._request_body(op, None)
        states = self._auth_states(op, "valid")
        item = _ITEM.match(op.path)
        fields: Mapping[str, Any] = {}
        if item is not None and item.group(1) in self.resources:
            fields = self.resources[item.group(1)][1]
            states += (resource_state(path, fields),)
        elif op.method == "get" and op.path in self.resources:
            rid, fields = self.resources[op.path]
            states += (resource_state(f"{_filled(op.path, {})}/{rid}", fields),)
        states += self._references(body)
        answer = self._answer(op, int(status), fields, body)
        return Expected(
            description=f"{op.operation_id} returns {status}",
            operation=op.operation_id,
            method=op.method.upper(),
            path=path,
            states=states,
            query=self._query(op, {}),
            headers=self._headers(op, {}),
            authorised=self._secured(op),
            body=body,
            media_type=media,
            status=int(status),
            loc=loc,
            **answer,
        )

    # --- an entry of the error table ------------------------------------------------------

    def error(self, entry: ErrorCode) -> Expected | None:
        trigger = entry.trigger
        document = self.contract.document
        if trigger is None or document is None or trigger.operation not in document.operations:
            return None
        op = document.operations[trigger.operation]
        path = _filled(op.path, self._path_values(op, trigger.path))
        body, media = self._request_body(op, trigger.body)
        states = self._auth_states(op, trigger.auth)
        item = _ITEM.match(op.path)
        if item is not None and item.group(1) in self.resources and not trigger.path:
            states += (resource_state(path, self.resources[item.group(1)][1]),)
        if trigger.repeat > 1 and op.path in self.resources and isinstance(body, Mapping):
            rid, fields = self.resources[op.path]
            states += (resource_state(f"{path}/{rid}", {**fields, **body}),)
        states += self._references(body)
        headers = dict(self._headers(op, trigger.headers))
        if trigger.auth in ("invalid", "expired"):
            headers["Authorization"] = "Bearer not-a-valid-token"
        answer = self._error_answer(op, entry)
        return Expected(
            description=f"{entry.code}: {op.operation_id} returns {entry.status}",
            operation=op.operation_id,
            method=op.method.upper(),
            path=path,
            states=states,
            query=self._query(op, trigger.query),
            headers=headers,
            authorised=trigger.auth == "valid" and self._secured(op),
            body=body,
            media_type=media,
            status=entry.status,
            loc=entry.loc,
            **answer,
        )

    # --- requests -------------------------------------------------------------------------

    def _parameters(self, op: Operation, where: str) -> Iterator[Mapping[str, Any]]:
        for source in (op.path_item.get("parameters"), op.definition.get("parameters")):
            for param in source if isinstance(source, list) else []:
                resolved = resolve(self.raw, param)
                if resolved.get("in") == where and isinstance(resolved.get("name"), str):
                    yield resolved

    def _example(self, param: Mapping[str, Any]) -> Any:
        if "example" in param:
            return param["example"]
        return example_of(self.raw, param.get("schema") or {})

    def _path_values(self, op: Operation, given: Mapping[str, Any]) -> dict[str, str]:
        values = {p["name"]: str(self._example(p)) for p in self._parameters(op, "path")}
        return {**values, **{k: str(v) for k, v in given.items()}}

    def _query(self, op: Operation, given: Mapping[str, Any]) -> dict[str, str]:
        values = {
            p["name"]: _text(self._example(p))
            for p in self._parameters(op, "query")
            if p.get("required")
        }
        return {**values, **{k: _text(v) for k, v in given.items()}}

    def _headers(self, op: Operation, given: Mapping[str, str]) -> dict[str, str]:
        headers = dict(self.contract.api.headers) if self.contract.api else {}
        for param in self._parameters(op, "header"):
            if param.get("required") and param["name"].lower() != "authorization":
                headers.setdefault(param["name"], _text(self._example(param)))
        return {**headers, **given}

    def _request_body(self, op: Operation, given: Any) -> tuple[Any, str | None]:
        content = resolve(self.raw, op.definition.get("requestBody") or {}).get("content") or {}
        media = _json_media(content)
        if media is None:
            return (given, "application/json") if given is not None else (None, None)
        if given is not None:
            return given, media
        return self._media_example(content[media]), media

    def _media_example(self, media: Mapping[str, Any]) -> Any:
        if "example" in media:
            return media["example"]
        examples = media.get("examples")
        if isinstance(examples, Mapping) and examples:
            return resolve(self.raw, next(iter(examples.values()))).get("value")
        return example_of(self.raw, media.get("schema") or {})

    def _secured(self, op: Operation) -> bool:
        security = op.definition.get("security", self.raw.get("security"))
        return isinstance(security, list) and any(bool(req) for req in security)

    def _auth_states(self, op: Operation, auth: str) -> tuple[ProviderState, ...]:
        if auth != "valid" or not self._secured(op):
            return ()
        security = op.definition.get("security", self.raw.get("security")) or []
        scopes = sorted({s for req in security for values in req.values() for s in values})
        return (token_state(scopes),)

    def _references(self, body: Any) -> tuple[ProviderState, ...]:
        """A body naming another resource by its example id needs that resource to exist."""
        if not isinstance(body, Mapping):
            return ()
        values = {str(v) for v in body.values() if isinstance(v, str)}
        return tuple(
            resource_state(f"{_filled(collection, {})}/{rid}", fields)
            for collection, (rid, fields) in self.resources.items()
            if rid in values
        )

    # --- answers --------------------------------------------------------------------------

    def _answer(
        self, op: Operation, status: int, fields: Mapping[str, Any], body: Any
    ) -> dict[str, Any]:
        content = self._content(op, str(status))
        media = _json_media(content)
        if media is None:
            return {"response_media": None, "response_schema": None, "response_body": None}
        schema = content[media].get("schema")
        example = self.recorded.get((op.operation_id, status))
        if example is None:
            example = self._media_example(content[media])
        example = _overlaid(example, fields, self._items_field())
        if op.method in ("post", "put", "patch") and isinstance(body, Mapping):
            example = _overlaid(example, body, None)
        return {"response_media": media, "response_schema": schema, "response_body": example}

    def _error_answer(self, op: Operation, entry: ErrorCode) -> dict[str, Any]:
        content = self._content(op, str(entry.status))
        media = _json_media(content)
        if media is None:
            return {"response_media": None, "response_schema": None, "response_body": None}
        example = self.recorded.get((op.operation_id, entry.status))
        if example is None:
            example = self._error_example(content[media], entry.code)
        exact: dict[str, Any] = {}
        where = entry.match.body if entry.match is not None else None
        if where and isinstance(example, dict):
            exact[where] = entry.match.equals if entry.match and entry.match.equals else entry.code
            example = _set_path(example, where, exact[where])
        return {
            "response_media": media,
            "response_schema": content[media].get("schema"),
            "response_body": example,
            "exact": exact,
        }

    def _error_example(self, media: Mapping[str, Any], code: str) -> Any:
        examples = media.get("examples")
        values = [
            resolve(self.raw, item).get("value")
            for item in (examples.values() if isinstance(examples, Mapping) else ())
        ]
        for value in values:
            if code in str(value):
                return value
        return self._media_example(media)

    def _content(self, op: Operation, status: str) -> Mapping[str, Any]:
        response = _responses(op).get(status)
        if response is None:
            response = _responses(op).get(f"{status[0]}XX", {})
        return resolve(self.raw, response).get("content") or {}

    def _items_field(self) -> str | None:
        pagination = self.contract.api.pagination if self.contract.api else None
        return pagination.items_field if pagination is not None else "data"


def _resources(contract: Contract, raw: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """Collection path → (example id, example fields), from each item path's GET answer."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    assert contract.document is not None
    for op in contract.document.operations.values():
        item = _ITEM.match(op.path)
        if op.method != "get" or item is None or "{" in item.group(1):
            continue
        declared = [
            *(op.path_item.get("parameters") or []),
            *(op.definition.get("parameters") or []),
        ]
        params = [resolve(raw, p) for p in declared]
        param = next((p for p in params if p.get("name") == item.group(2)), {})
        rid = str(param.get("example", example_of(raw, param.get("schema") or {})))
        status = next((code for code in SUCCESS if code in _responses(op)), None)
        response = resolve(raw, _responses(op).get(status or "", {}))
        content = response.get("content") or {}
        media = _json_media(content)
        fields = example_of(raw, content[media].get("schema") or {}) if media else {}
        found[item.group(1)] = (rid, dict(fields) if isinstance(fields, Mapping) else {})
    return found


def _responses(op: Operation) -> Mapping[str, Any]:
    responses = op.definition.get("responses")
    return {str(k): v for k, v in responses.items()} if isinstance(responses, Mapping) else {}


def _json_media(content: Mapping[str, Any]) -> str | None:
    names = [name for name in content if isinstance(name, str)]
    return next((n for n in names if n.split(";")[0].strip().endswith("json")), None)


def _filled(template: str, values: Mapping[str, str]) -> str:
    return _PARAM.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _overlaid(example: Any, values: Mapping[str, Any], items_field: str | None) -> Any:
    """``example`` with the fields it shares with ``values`` set to them (list items too)."""
    if not isinstance(example, dict):
        return example
    if items_field and isinstance(example.get(items_field), list) and values:
        items = example[items_field]
        usable = bool(items) and isinstance(items[0], dict) and bool(items[0])
        first = _overlaid(items[0], values, None) if usable else dict(values)
        return {**example, items_field: [first]}
    return {**example, **{key: value for key, value in values.items() if key in example}}


def _set_path(value: dict[str, Any], dotted: str, literal: Any) -> dict[str, Any]:
    head, _, rest = dotted.partition(".")
    if not rest:
        return {**value, head: literal}
    inner = value.get(head)
    return {**value, head: _set_path(inner if isinstance(inner, dict) else {}, rest, literal)}
