"""The behaviours: create stores, read returns what was stored, update changes it,
delete removes it, list pages through it, and actions answer as documented.

A stored resource is built from the request body *projected onto the resource schema*:
each property the client sent and the schema accepts is kept, ids and timestamps are the
server's, required properties the client left out are ``null`` where allowed and generated
otherwise. So whatever a client sends, what the sandbox returns conforms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from harness.contract import Contract
from harness.sandbox.builder import ResourceBuilder
from harness.sandbox.clock import SandboxClock
from harness.sandbox.dialect import Side
from harness.sandbox.errors import ErrorBook
from harness.sandbox.generation import Generator
from harness.sandbox.integrity import Integrity
from harness.sandbox.pages import page_body, requested_slice
from harness.sandbox.requests import ParsedRequest
from harness.sandbox.resources import (
    Behaviour,
    Collection,
    Kind,
    object_properties,
)
from harness.sandbox.responses import Answer, ResponseBuilder
from harness.sandbox.spec import OperationSpec, Spec
from harness.sandbox.store import Record, Store

_MATERIALISED_LIST = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One request to an operation, as a behaviour needs it."""

    op: OperationSpec
    behaviour: Behaviour
    parsed: ParsedRequest
    path: str  # the request path, decoded
    path_params: Mapping[str, str]


@dataclass(slots=True)
class Result:
    outcome: Answer
    resource: dict[str, Any] | None = None  # what was created, changed or removed


class Operations:
    """Runs the behaviour of each operation against the store."""

    def __init__(
        self,
        contract: Contract,
        spec: Spec,
        *,
        responses: ResponseBuilder,
        errors: ErrorBook,
        generator: Generator,
        store: Store,
        clock: SandboxClock,
        collections: Iterable[Collection] = (),
    ) -> None:
        self._spec = spec
        self._responses = responses
        self._errors = errors
        self._generator = generator
        self._store = store
        self._pagination = contract.api.pagination if contract.api is not None else None
        self._same: dict[tuple[str, str | None], bool] = {}
        self._builder = ResourceBuilder(spec, generator, store, clock)
        self._integrity = Integrity(spec, collections, store)

    def run(self, call: Call) -> Result:
        kind = call.behaviour.kind
        c = call.behaviour.collection
        if c is None or kind is Kind.ACTION:
            return Result(self._action(call.op))
        if c.parent is not None and call.op.first_documented(404, 410, 400) is not None:
            missing = self._missing_parent(call, c.parent)
            if missing is not None:
                return Result(self._not_found(call, c.parent, missing))
        handlers = {
            Kind.CREATE: self._create,
            Kind.READ: self._read,
            Kind.LIST: self._list,
            Kind.REPLACE: self._update,
            Kind.PATCH: self._update,
            Kind.DELETE: self._delete,
        }
        return handlers[kind](call, c)

    def _action(self, op: OperationSpec) -> Answer:
        documented = self._responses.documented(op, op.success_status(200, 201))
        return Answer(
            status=documented.status, body=documented.body, media_type=documented.media_type
        )

    # --- behaviours ------------------------------------------------------------------------

    def _create(self, call: Call, c: Collection) -> Result:
        bucket = _bucket(c, call)
        body = call.parsed.body if isinstance(call.parsed.body, dict) else {}
        rid_value = body.get(c.id_field) if c.id_field else None
        if rid_value is None or not self._builder.valid_id(c, rid_value):
            rid_value = self._builder.new_id(c, bucket)
        rid = str(rid_value)
        refused = self._dangling(call, body) or self._conflict(call, c, bucket, body, rid)
        if refused is None and self._store.get(bucket, rid) is not None and call.op.documents(409):
            refused = self._errors.outcome(
                call.op, 409, detail=f"{c.id_field} {rid} already exists.", instance=call.path
            )
        if refused is not None:
            return Result(refused)
        record = self._store.put(
            bucket, rid, self._builder.build(c, bucket, rid_value, body, None, partial=False)
        )
        status = call.op.success_status(201, 200)
        outcome = self._present(call.op, status, record, c)
        if c.item_template is not None and (
            status == 201 or _documents_header(call.op, status, "location")
        ):
            outcome.headers["Location"] = f"{quote(bucket)}/{quote(rid, safe='')}"
        return Result(outcome, record.data)

    def _read(self, call: Call, c: Collection) -> Result:
        bucket, rid = _bucket(c, call), self._rid(call, c)
        record = self._store.get(bucket, rid) if rid is not None else None
        if record is None and rid is not None and not c.strict:
            record = self._builder.materialise(c, bucket, rid)
        if record is None:
            return Result(self._not_found(call, c, rid))
        return Result(self._present(call.op, call.op.success_status(200), record, c))

    def _update(self, call: Call, c: Collection) -> Result:
        bucket, rid = _bucket(c, call), self._rid(call, c)
        previous = self._store.get(bucket, rid) if rid is not None else None
        if previous is None and rid is not None and not c.strict:
            previous = self._builder.materialise(c, bucket, rid)
        if previous is None or rid is None:
            return Result(self._not_found(call, c, rid))
        body = dict(call.parsed.body) if isinstance(call.parsed.body, dict) else {}
        if call.op.method == "post":  # form-style updates may come as query parameters
            body = {**call.parsed.query, **body}
        partial = call.behaviour.kind is Kind.PATCH
        values = {**previous.data, **body} if partial else body
        refused = self._dangling(call, body) or self._conflict(call, c, bucket, values, rid)
        if refused is not None:
            return Result(refused)
        rid_value = previous.data.get(c.id_field, rid) if c.id_field else rid
        data = self._builder.build(c, bucket, rid_value, body, previous.data, partial=partial)
        record = self._store.put(bucket, rid, data)
        return Result(self._present(call.op, call.op.success_status(200), record, c), record.data)

    def _delete(self, call: Call, c: Collection) -> Result:
        bucket, rid = _bucket(c, call), self._rid(call, c)
        removed = self._store.remove(bucket, rid) if rid is not None else None
        if removed is None and c.strict:
            return Result(self._not_found(call, c, rid))
        status = call.op.success_status(204, 200, 202)
        if removed is None or self._responses.media(call.op, status) is None:
            return Result(Answer(status=status), removed.data if removed else None)
        return Result(self._present(call.op, status, removed, c), removed.data)

    def _list(self, call: Call, c: Collection) -> Result:
        bucket = _bucket(c, call)
        if not c.strict and self._store.count(bucket) == 0:
            for index in range(1, _MATERIALISED_LIST + 1):
                self._builder.materialise(
                    c, bucket, str(self._builder.new_id(c, bucket, hint=index))
                )
        records = _filtered(self._store.all(bucket), call.parsed.query, c, self._spec)
        status = call.op.success_status(200)
        window = requested_slice(
            self._spec, call.op, call.parsed.query, self._pagination, len(records)
        )
        chosen = records[window.start : window.start + window.size]
        schema = self._responses.schema(call.op, status)
        media = self._responses.media(call.op, status)
        if schema is None or media is None:
            return Result(Answer(status=status, body=[r.data for r in chosen]))
        items = [r.data for r in chosen]
        body = page_body(
            self._spec,
            self._generator,
            schema,
            items_field=call.behaviour.items_field,
            items=items,
            window=window,
        )
        return Result(Answer(status=status, body=body, media_type=media.media_type))

    # --- pieces ----------------------------------------------------------------------------

    def _missing_parent(self, call: Call, parent: Collection) -> str | None:
        """The id of the parent resource a nested request names, if it does not exist."""
        if not parent.strict or not call.op.path.startswith(parent.template):
            return None
        depth = len([s for s in parent.template.split("/") if s])
        parts = [s for s in call.path.split("/") if s]
        if len(parts) <= depth:
            return None
        bucket = "/" + "/".join(parts[:depth])
        return parts[depth] if self._store.get(bucket, parts[depth]) is None else None

    def _rid(self, call: Call, c: Collection) -> str | None:
        if c.id_param is not None and c.id_param in call.path_params and call.op.path != c.template:
            return call.path_params[c.id_param]
        body = call.parsed.body
        if isinstance(body, dict) and c.id_field and body.get(c.id_field) is not None:
            return str(body[c.id_field])
        return None

    def _not_found(self, call: Call, c: Collection, rid: str | None) -> Answer:
        status = call.op.first_documented(404, 410, 400)
        if status is None:
            return self._action(call.op)
        what = c.id_param or c.id_field or "id"
        return self._errors.outcome(
            call.op, status, detail=f"No resource with {what} {rid}.", instance=call.path
        )

    def _dangling(self, call: Call, body: Mapping[str, Any]) -> Answer | None:
        """A reference in the body to a resource that does not exist (422 where documented)."""
        status = call.op.first_documented(422, 404, 400)
        found = self._integrity.dangling(call.op, body) if status is not None else None
        if found is None or status is None:
            return None
        name, value = found
        detail = f"{name} {value} does not exist."
        return self._errors.outcome(call.op, status, detail=detail, instance=call.path)

    def _conflict(
        self, call: Call, c: Collection, bucket: str, values: Mapping[str, Any], rid: str
    ) -> Answer | None:
        if not call.op.documents(409):
            return None
        for field in c.unique:
            value = values.get(field)
            owner = self._store.owner(bucket, field, value) if value is not None else None
            if owner is not None and owner != rid:
                detail = f"Another resource already has {field} {value}."
                return self._errors.outcome(call.op, 409, detail=detail, instance=call.path)
        return None

    def _present(self, op: OperationSpec, status: int, record: Record, c: Collection) -> Answer:
        media = self._responses.media(op, status)
        if media is None:
            return Answer(status=status)
        schema = media.schema
        if schema is None or self._same_schema(schema, c.schema):
            return Answer(status=status, payload=record.payload, media_type=media.media_type)
        if self._spec.is_valid(record.data, schema, Side.RESPONSE):
            return Answer(status=status, payload=record.payload, media_type=media.media_type)
        body = self._projected(op, status, schema, record.data)
        return Answer(status=status, body=body, media_type=media.media_type)

    def _same_schema(self, schema: str, resource: str | None) -> bool:
        key = (schema, resource)
        same = self._same.get(key)
        if same is None:
            same = self._same[key] = self._spec.identity(schema) == self._spec.identity(resource)
        return same

    def _projected(self, op: OperationSpec, status: int, schema: str, data: dict[str, Any]) -> Any:
        generated = self._responses.generated(op, status, key=str(data.get("id", "")))
        if not isinstance(generated, dict):
            return generated
        for name, pointer in object_properties(self._spec, schema):
            if self._spec.is_valid(data, pointer, Side.RESPONSE):
                return {**generated, name: data}  # an envelope such as {"data": {...}}
        for key, value in data.items():
            if key in generated and self._spec.is_valid(
                {**generated, key: value}, schema, Side.RESPONSE
            ):
                generated[key] = value
        return generated


def _bucket(c: Collection, call: Call) -> str:
    if not call.op.path.startswith(c.template):
        return c.template
    depth = len([s for s in c.template.split("/") if s])
    parts = [s for s in call.path.split("/") if s][:depth]
    return "/" + "/".join(parts)


def _filtered(
    records: list[Record], query: Mapping[str, Any], c: Collection, spec: Spec
) -> list[Record]:
    names = {name for name, _ in object_properties(spec, c.schema)} if c.schema else set()
    filters = {k: v for k, v in query.items() if k in names}
    if not filters:
        return records
    return [r for r in records if all(_matches(r.data.get(k), v) for k, v in filters.items())]


def _matches(held: Any, wanted: Any) -> bool:
    if isinstance(held, dict | list):
        return True  # structured values are not filtered by a query string
    if isinstance(wanted, list):
        return any(_matches(held, w) for w in wanted)
    if isinstance(held, str) and isinstance(wanted, str):
        return held.lower() == wanted.lower()
    return bool(held == wanted)


def _documents_header(op: OperationSpec, status: int, name: str) -> bool:
    response = op.response_for(status)
    return response is not None and any(h.name.lower() == name for h in response.headers)
