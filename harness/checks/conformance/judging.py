"""Judging one answer to a generated request: which Schemathesis checks, and harness's own.

Schemathesis's checks judge the answer against the document (status, content type, body
and header schemas, refusal of invalid data). Harness adds what its contract knows: an
invalid request is refused with one of the contract's declared errors, a server that hangs
up on one request after answering others crashed on it, and a refusal the local sandbox
marks as missing from the document is the document's gap, not the target's.
"""

from __future__ import annotations

from typing import Any

import httpx
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from harness.checks.base import CheckRuntime
from harness.checks.conformance.evidence import SentCase
from harness.checks.conformance.reached import Reached
from harness.errors import CheckFailure, TransportError
from harness.settings import Mode

#: The local sandbox's header on an answer the document does not describe (sandbox/pipeline.py).
SANDBOX_NOTE = "Harness-Sandbox-Note"
#: Refusals HTTP defines for any resource; no error table lists them.
_PROTOCOL_REFUSALS = frozenset({405, 501})
POSITIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    st_checks.allow_header_conformance,
)
NEGATIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.negative_data_rejection,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,  # a documented refusal has a documented body
    st_checks.missing_required_header,
    st_checks.unsupported_method,
    st_checks.allow_header_conformance,
)


class TargetCrashed(CheckFailure):
    """The server dropped the connection on one request after answering others."""


class ResourceUnavailable(CheckFailure):
    """A resource the target had just created was answered 404."""


def checks_for(mode: GenerationMode, response: httpx.Response, *, noted: bool) -> list[Any]:
    """The Schemathesis checks that judge ``response`` to a case generated in ``mode``.

    ``noted``: the local sandbox marked the refusal as missing from the document, so the
    status is not held against the target.
    """
    positive = mode is GenerationMode.POSITIVE
    checks: list[Any] = list(POSITIVE_CHECKS if positive else NEGATIVE_CHECKS)
    if not positive and response.status_code < 400:
        # accepted invalid data is negative_data_rejection's finding; the body of the
        # acceptance is the positive check's business
        checks = [c for c in checks if c is not st_checks.response_schema_conformance]
    if noted:
        checks = [c for c in checks if c is not st_checks.status_code_conformance]
    return checks


def noted_refusal(context: CheckRuntime, mode: GenerationMode, response: httpx.Response) -> bool:
    """The local sandbox refused an invalid request with a status the document lacks."""
    local = context.target.controls is not None
    replayed = context.settings.mode == Mode.REPLAY  # the note was recorded with it
    if mode is not GenerationMode.NEGATIVE or not (local or replayed):
        return False
    note: str = response.headers.get(SANDBOX_NOTE, "")
    return note.startswith("undocumented 4")


def require_declared_error(context: CheckRuntime, sent: SentCase) -> None:
    """An invalid request must be answered with a declared 4xx error of the contract."""
    response = sent.response
    if response is None or not 400 <= response.status_code < 500:
        return  # negative_data_rejection reports this with its own message
    if response.status_code in _PROTOCOL_REFUSALS:
        return  # HTTP's own answers (an undeclared method); unsupported_method judges them
    declared = [e for e in context.contract.errors if e.status == response.status_code]
    if not context.contract.errors:
        return
    if not declared:
        codes = ", ".join(sorted({f"{e.code}={e.status}" for e in context.contract.errors}))
        raise CheckFailure(
            f"rejected with {response.status_code}, which no declared error has ({codes})"
        )


def disconnected(context: CheckRuntime, reached: Reached, sent: SentCase) -> Exception:
    """A dropped connection: a finding when the target answered other requests."""
    answered = any(status is not None for status in reached.statuses) or any(
        exchange.response is not None for exchange in context.exchanges()
    )
    if not answered:
        return TransportError(
            f"{sent.request.method} {sent.request.url.path}: the target closed the "
            f"connection and has answered no request yet ({sent.error}): is it up?"
        )
    return TargetCrashed(
        "the server closed the connection instead of answering this request "
        f"({sent.error}), after answering others: a crash on this input"
    )
