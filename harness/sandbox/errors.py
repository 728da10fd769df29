"""The contract's error table, answered: declared status, declared body, declared code.

For an error code the body starts from the document's example carrying that code (or
any example of the status, or a generated instance), puts the code at the contract's
``match.body`` path (``error.code``), keeps RFC 9457 members honest (``status``,
``detail``, ``instance``) and is checked against the documented schema; the first
candidate that conforms wins. ``TriggerTable`` makes every declared trigger produce its
error exactly, even for rules the sandbox could not infer from the document.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from harness.contract import Contract
from harness.contract.model import ErrorCode, Trigger
from harness.sandbox.responses import NO_BODY, Answer, ResponseBuilder
from harness.sandbox.spec import OperationSpec

_VALIDATION_STATUSES = (400, 422)
_DETAIL_MEMBERS = ("detail", "message", "error_description", "description")


class ErrorBook:
    """Declared errors by status and code, and their bodies per operation."""

    def __init__(self, contract: Contract, responses: ResponseBuilder) -> None:
        self._errors = contract.errors
        self._responses = responses
        paths = [e.match.body for e in self._errors if e.match is not None and e.match.body]
        self._code_path = paths[0] if paths else None

    def declared(self, status: int, operation_id: str | None = None) -> ErrorCode | None:
        """The contract error for ``status``, preferring one triggered by ``operation_id``."""
        candidates = [e for e in self._errors if e.status == status]
        for error in candidates:
            if error.trigger is not None and error.trigger.operation == operation_id:
                return error
        return candidates[0] if candidates else None

    def for_validation(self, op: OperationSpec) -> ErrorCode | None:
        """The error a malformed request to ``op`` gets (documented status first)."""
        for status in _VALIDATION_STATUSES:
            error = self.declared(status, op.operation_id)
            if error is not None and error.trigger and error.trigger.operation == op.operation_id:
                return error
        for status in _VALIDATION_STATUSES:
            error = self.declared(status, op.operation_id)
            if error is not None and op.documents(status):
                return error
        return None

    def outcome(
        self,
        op: OperationSpec,
        status: int,
        *,
        code: ErrorCode | None = None,
        detail: str | None = None,
        instance: str | None = None,
    ) -> Answer:
        """The answer for an error: the status and a conforming body carrying the code."""
        code = code if code is not None else self.declared(status, op.operation_id)
        media = self._responses.media(op, status)
        if media is None:
            return Answer(status=status, headers=_code_header(code))
        for body in self._candidates(op, status, code, detail, instance):
            if self._responses.fits(op, status, body):
                return Answer(
                    status=status,
                    body=body,
                    media_type=media.media_type,
                    headers=_code_header(code),
                )
        fallback = self._responses.documented(op, status)
        fallback.headers.update(_code_header(code))
        return fallback

    def _candidates(
        self,
        op: OperationSpec,
        status: int,
        code: ErrorCode | None,
        detail: str | None,
        instance: str | None,
    ) -> Iterator[Any]:
        media = self._responses.media(op, status)
        examples = list(media.examples) if media is not None else []
        path = _match_path(code) or self._code_path
        wanted = _code_value(code)
        exact = [e for e in examples if path and wanted and _get(e, path) == wanted]
        others = sorted(
            (e for e in examples if e not in exact),
            key=lambda e: 0 if isinstance(e, dict) and e.get("status") == status else 1,
        )
        documented = self._responses.documented(op, status).body
        generated = self._responses.generated(op, status, key="error")
        for base in [*exact, *others, documented, generated]:
            if base is NO_BODY:
                continue
            body = copy.deepcopy(base)
            if wanted is not None and path and isinstance(body, dict):
                _put(body, path, wanted)
            elif path and isinstance(body, dict):
                _restatus(body, path, status)
            if isinstance(body, dict):
                _problem_members(body, status, detail, instance)
            yield body
            if wanted is None:
                yield base  # as documented; never a body carrying some other code


def _match_path(code: ErrorCode | None) -> str | None:
    return code.match.body if code is not None and code.match is not None else None


def _code_value(code: ErrorCode | None) -> Any:
    if code is None:
        return None
    if code.match is not None and code.match.equals is not None:
        return code.match.equals
    return code.code


def _code_header(code: ErrorCode | None) -> dict[str, str]:
    if code is None or code.match is None or not code.match.header:
        return {}
    return {code.match.header: str(_code_value(code))}


def _problem_members(
    body: dict[str, Any], status: int, detail: str | None, instance: str | None
) -> None:
    if isinstance(body.get("status"), int) and not isinstance(body.get("status"), bool):
        body["status"] = status
    if detail is not None:
        for member in _DETAIL_MEMBERS:
            if isinstance(body.get(member), str):
                body[member] = detail
                break
    if instance is not None and isinstance(body.get("instance"), str):
        body["instance"] = instance


def _restatus(body: dict[str, Any], path: str, status: int) -> None:
    """An example for another status of a range (ERR_503 for a 500) gets this status's code."""
    old = body.get("status")
    value = _get(body, path)
    if isinstance(old, int) and old != status and isinstance(value, str) and str(old) in value:
        _put(body, path, value.replace(str(old), str(status)))


def _get(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = body
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


class TriggerTable:
    """The contract's error triggers, matched exactly against incoming requests."""

    def __init__(self, contract: Contract) -> None:
        self._by_operation: dict[str, list[ErrorCode]] = {}
        for error in contract.errors:
            trigger = error.trigger
            if trigger is not None and trigger.auth == "valid":
                self._by_operation.setdefault(trigger.operation, []).append(error)
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def __contains__(self, operation_id: str) -> bool:
        return operation_id in self._by_operation

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def match(
        self,
        operation_id: str,
        *,
        path: Mapping[str, str],
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> ErrorCode | None:
        """The error this request triggers (counting repeats), or None."""
        for error in self._by_operation.get(operation_id, ()):
            trigger = error.trigger
            assert trigger is not None
            if not _matches(trigger, path, query, headers, body):
                continue
            if trigger.repeat <= 1:
                return error
            with self._lock:
                seen = self._counts[error.code] = self._counts.get(error.code, 0) + 1
            if seen >= trigger.repeat:
                return error
        return None


def _matches(
    trigger: Trigger,
    path: Mapping[str, str],
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
) -> bool:
    if any(str(path.get(k)) != _text(v) for k, v in trigger.path.items()):
        return False
    if any(str(query.get(k)) != _text(v) for k, v in trigger.query.items()):
        return False
    lowered = {k.lower(): v for k, v in headers.items()}
    if any(lowered.get(k.lower()) != _text(v) for k, v in trigger.headers.items()):
        return False
    if trigger.body is None:
        return True
    try:
        return bool(json.loads(body) == trigger.body) if body else False
    except ValueError:
        return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
