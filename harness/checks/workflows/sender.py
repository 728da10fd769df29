"""Workflow steps sent through the contract client, and the curl lines that repeat them.

``ClientSender`` is the ``Sender`` the runner calls: each step goes out through
``runtime.client()`` (auth, default headers, throttling, retries, recording to cassettes in
record mode, answers from cassettes in replay). It keeps the responses of the current run so
a failure can show one curl line per step sent, credentials as the contract's variables
(``Bearer "${TOKEN}"``) and every other secret redacted.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from harness.checks.base import CheckRuntime
from harness.transports.cassette_scrub import PLACEHOLDER
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange, to_curl
from harness.transports.scrub import redact_text
from harness.workflows import Reply, StepRequest

#: What the cassette scrubber leaves in place of PII (format-preserving forms included).
_SCRUBBED = re.compile(r"^(?:pii-\d+@example\.invalid|\+1555\d{7})$")
_FORM = "application/x-www-form-urlencoded"


class ClientSender:
    """Sends ``StepRequest``s with a ``HarnessClient``; remembers this run's responses."""

    def __init__(self, client: HarnessClient) -> None:
        self.client = client
        self.sent: list[httpx.Response] = []

    def start(self) -> None:
        """A new workflow run: forget the previous run's responses."""
        self.sent = []

    def send(self, request: StepRequest) -> Reply:
        body: dict[str, Any] = {}
        if request.has_body:
            form = (request.content_type or "").startswith(_FORM)
            body = {"data": request.body} if form else {"json": request.body}
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
        response = self.client.call(
            request.operation_id,
            path_params=request.path_params,
            params=dict(request.query) or None,
            headers=headers or None,
            cookies=dict(request.cookies) or None,
            **body,
        )
        self.sent.append(response)
        return Reply(
            status=response.status_code,
            headers={name.lower(): value for name, value in response.headers.items()},
            body=_body(response),
            url=str(response.request.url),
            method=response.request.method,
        )


def _body(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", "") and response.content:
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text or None


def scrubbed(value: Any) -> bool:
    """A value the cassette scrubber put in place of PII: replay cannot compare it."""
    return isinstance(value, str) and bool(PLACEHOLDER.match(value) or _SCRUBBED.match(value))


def curl_lines(responses: list[httpx.Response], runtime: CheckRuntime) -> list[str]:
    """One curl command per request sent, credentials as variables, secrets redacted."""
    variables = runtime.target.credentials.by_variable()
    secrets = runtime.secrets()
    lines = []
    for response in responses:
        request = response.request
        request.read()
        exchange = Exchange.from_httpx(request, started_at=time.time(), elapsed_s=0.0)
        lines.append(redact_text(to_curl(exchange, variables), secrets))
    return lines
