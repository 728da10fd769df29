"""Turning a failing exchange into a message a person can act on, with secrets removed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from harness.checks.base import CheckContext
from harness.contract.contract import Operation
from harness.contract.locate import operation_location
from harness.errors import CheckFailure
from harness.transports.scrub import redact_text, response_excerpt

BODY_LIMIT = 600


@dataclass(frozen=True, slots=True)
class Exchanged:
    """A generated case and the response it got."""

    case: Any
    response: httpx.Response

    def evidence(self, context: CheckContext) -> tuple[dict[str, Any], ...]:
        secrets = context.secrets()
        return (
            response_excerpt(self.response, secrets, limit=BODY_LIMIT),
            {"curl": curl_line(self.case, context)},
        )


def failure_titles(exc: BaseException) -> list[str] | None:
    """The contract violations inside ``exc`` (Schemathesis failures, groups), or None."""
    if isinstance(exc, CheckFailure):
        return [exc.message]
    group = getattr(exc, "exceptions", None)
    if group:
        found = [title for inner in group for title in failure_titles(inner) or []]
        return found or None
    title = getattr(exc, "title", None)
    if title is not None and type(exc).__module__.startswith("schemathesis"):
        detail = str(getattr(exc, "message", "") or "").strip()
        return [f"{title}: {detail}" if detail else str(title)]
    return None


def curl_line(case: Any, context: CheckContext) -> str:
    """A curl command that reproduces the request, with credentials as placeholders."""
    command = str(case.as_curl_command(base_url=context.target.base_url))
    command = command.replace("Authorization: [Filtered]", "Authorization: Bearer $TOKEN")
    command = command.replace("[Filtered]", "$SECRET")
    if "Authorization:" not in command and "authorization:" not in command:
        security = case.operation.definition.raw.get("security")
        if security != [] and context.contract.auth is not None:
            command = command.replace("curl ", "curl -H 'Authorization: Bearer $TOKEN' ", 1)
    return redact_text(command, context.secrets())


def describe_failure(
    context: CheckContext, operation: Operation, exchanged: Exchanged | None, titles: list[str]
) -> str:
    """Operation, what broke, the minimal request and response, contract line, seed, curl."""
    secrets = context.secrets()
    lines = [f"{operation.label} ({operation.operation_id}) broke the contract:"]
    for title in dict.fromkeys(titles):
        text = redact_text(title, secrets).replace("\n", "\n    ")
        lines.append(f"  - {text}")
    if exchanged is not None:
        request = exchanged.response.request
        body = request.content.decode("utf-8", "replace")[:BODY_LIMIT]
        lines.append(f"Request:   {request.method} {redact_text(str(request.url), secrets)}")
        if body:
            lines.append(_indented(redact_text(body, secrets)))
        response = exchanged.response
        text = response.text[:BODY_LIMIT]
        content_type = response.headers.get("content-type", "no content-type")
        lines.append(f"Response:  {response.status_code} ({content_type})")
        if text:
            lines.append(_indented(redact_text(text, secrets)))
    document = context.contract.document
    if document is not None:
        lines.append(f"Contract:  {operation_location(document, operation)}")
    lines.append(f"Seed:      {context.seed} (run seed {context.settings.seed}: "
                 f"--harness-seed {context.settings.seed} reproduces the run)")  # fmt: skip
    if exchanged is not None:
        lines.append(f"Reproduce: {curl_line(exchanged.case, context)}")
    return "\n".join(lines)


def _indented(text: str) -> str:
    return "\n".join("           " + line for line in text.rstrip().splitlines())
