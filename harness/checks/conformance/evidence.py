"""Turning a failing exchange into a message a person can act on, with secrets removed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from harness._compat.schemathesis import failure_title, is_schemathesis_error
from harness.checks.base import CheckRuntime
from harness.contract.contract import Operation
from harness.contract.locate import operation_location
from harness.errors import CheckFailure
from harness.transports.exchange import Exchange, to_curl
from harness.transports.scrub import redact_text, response_excerpt

BODY_LIMIT = 600


@dataclass(frozen=True, slots=True)
class SentCase:
    """A generated case, the request as sent, and the response (None: the server hung up).

    Not an ``Exchange`` (``transports.exchange``: the client's record of any request): this
    keeps the Schemathesis case with what became of it, for judging and for the message.
    """

    case: Any
    request: httpx.Request
    response: httpx.Response | None = None
    error: str | None = None

    @classmethod
    def answered(cls, case: Any, response: httpx.Response) -> SentCase:
        return cls(case=case, request=response.request, response=response)

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    def evidence(self, context: CheckRuntime) -> tuple[dict[str, Any], ...]:
        secrets = context.secrets()
        found: list[dict[str, Any]] = []
        if self.response is not None:
            found.append(response_excerpt(self.response, secrets, limit=BODY_LIMIT))
        else:
            found.append({"error": redact_text(self.error or "no response", secrets)})
        found.append({"curl": curl_line(self, context)})
        return tuple(found)


def failure_titles(exc: BaseException) -> list[str] | None:
    """The contract violations inside ``exc`` (Schemathesis failures, groups), or None."""
    if isinstance(exc, CheckFailure):
        return [exc.message]
    group = getattr(exc, "exceptions", None)
    if group:
        found = [title for inner in group for title in failure_titles(inner) or []]
        return found or None
    title = failure_title(exc)
    return [title] if title is not None else None


def failure_kinds(exc: BaseException) -> list[str]:
    """Schemathesis's names of the failures in ``exc`` (``ServerError``, ...), for comparison."""
    group = getattr(exc, "exceptions", None)
    if group:
        return [kind for inner in group for kind in failure_kinds(inner)]
    if isinstance(exc, CheckFailure) or is_schemathesis_error(exc):
        return [type(exc).__name__]
    return []


def credential_variables(context: CheckRuntime) -> dict[str, str]:
    """The run's credentials by the variable the contract names them with (``WIDGETS_KEY``)."""
    return context.target.credentials.by_variable()


def curl_line(sent: SentCase, context: CheckRuntime) -> str:
    """A curl command that repeats the request exactly as it was sent.

    Credentials appear as the contract's own variables in the contract's own scheme (an
    API-key header or query parameter, ``-u`` for basic, ``Bearer ${TOKEN}`` for issued
    tokens), and a request sent without credentials shows none.
    """
    request = sent.request
    request.read()
    exchange = Exchange.from_httpx(request, started_at=time.time(), elapsed_s=0.0)
    command = to_curl(exchange, credential_variables(context))
    return redact_text(command, context.secrets())


def describe_failure(
    context: CheckRuntime, operation: Operation, sent: SentCase | None, titles: list[str]
) -> str:
    """Operation, what broke, the minimal request and response, contract line, seed, curl."""
    secrets = context.secrets()
    lines = [f"{operation.label} ({operation.operation_id}) broke the contract:"]
    for title in dict.fromkeys(titles):
        text = redact_text(title, secrets).replace("\n", "\n    ")
        lines.append(f"  - {text}")
    if sent is not None:
        lines += _request_and_response(sent, secrets)
    document = context.contract.document
    if document is not None:
        lines.append(f"Contract:  {operation_location(document, operation)}")
    lines.append(f"Seed:      {context.seed} (run seed {context.settings.seed}: "
                 f"--harness-seed {context.settings.seed} reproduces the run)")  # fmt: skip
    if sent is not None:
        lines.append(f"Reproduce: {curl_line(sent, context)}")
    return "\n".join(lines)


def _request_and_response(sent: SentCase, secrets: frozenset[str]) -> list[str]:
    request = sent.request
    request.read()
    lines = [f"Request:   {request.method} {redact_text(str(request.url), secrets)}"]
    body = request.content.decode("utf-8", "replace")[:BODY_LIMIT]
    if body:
        lines.append(_indented(redact_text(body, secrets)))
    response = sent.response
    if response is None:
        error = redact_text(sent.error or "no answer", secrets)
        lines.append(f"Response:  none — the server closed the connection ({error})")
        return lines
    text = response.text[:BODY_LIMIT]
    content_type = response.headers.get("content-type", "no content-type")
    lines.append(f"Response:  {response.status_code} ({content_type})")
    if text:
        lines.append(_indented(redact_text(text, secrets)))
    return lines


def _indented(text: str) -> str:
    return "\n".join("           " + line for line in text.rstrip().splitlines())
