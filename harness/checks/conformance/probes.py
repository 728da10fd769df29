"""Follow-ups of a successful example: is the security enforced, is the new resource there.

Once per check, the first request that reached 2xx is sent again without credentials and
with a wrong one where the operation's security puts it: a secured operation that still
answers 2xx ignores its credentials. And once per check, a 201's ``Location`` is read back
when the document says how: a resource just created must be found there.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from harness.auth import NoAuth
from harness.auth.provider import KeyLocation
from harness.auth.unissued import UNISSUED, UnissuedCredential
from harness.checks.base import CheckRuntime
from harness.checks.conformance.cases import is_success, send_case
from harness.checks.conformance.evidence import SentCase
from harness.checks.conformance.judging import ResourceUnavailable
from harness.checks.conformance.resources import PATH_TEMPLATE
from harness.contract import Contract
from harness.contract.contract import Operation
from harness.errors import CheckFailure
from harness.transports.client import RequestNotSendable


class IgnoredAuth(CheckFailure):
    """A secured operation answered 2xx to a request with no or wrong credentials."""


def unissued_at(location: str, name: str) -> UnissuedCredential:
    """The never-issued credential where the operation's security scheme puts the real one."""
    if location == "query":
        return UnissuedCredential(name=name, value=UNISSUED, location=KeyLocation.QUERY)
    if name == "authorization":
        return UnissuedCredential(value=f"Bearer {UNISSUED}")
    return UnissuedCredential(name=name, value=UNISSUED)


def probe_auth(
    context: CheckRuntime, case: Any, credentials: list[tuple[str, str]]
) -> tuple[IgnoredAuth, SentCase] | None:
    """``case`` (answered 2xx) again without, then with wrong ``credentials``: the first
    probe that is accepted, as a finding with its exchange; None when all are refused."""
    probes: list[tuple[str, Any]] = [("no credentials", NoAuth())]
    probes += [("a wrong credential", unissued_at(*c)) for c in credentials]
    for what, auth in probes:
        try:
            probe = send_case(context, case, auth=auth)
        except RequestNotSendable:
            continue  # e.g. an empty credential our client refuses to send: not judged
        if is_success(probe.response):
            assert probe.response is not None
            found = IgnoredAuth(
                f"accepted a request with {what}: answered {probe.response.status_code} "
                "although the operation's security requires credentials"
            )
            return found, probe
    return None


def readable_location(context: CheckRuntime, response: httpx.Response) -> tuple[str, str] | None:
    """A 201's ``Location`` and its path under the base URL, when a documented GET reads it."""
    location = response.headers.get("Location")
    if response.status_code != 201 or not location:
        return None
    path = httpx.URL(response.url).join(location).path
    base = httpx.URL(context.target.base_url).path.rstrip("/")
    relative = path[len(base) :] if base and path.startswith(base) else path
    if not _documented_read(context.contract, relative):
        return None
    return location, relative


def require_location_found(
    context: CheckRuntime, operation: Operation, location: str, relative: str
) -> None:
    """The resource a 201's ``Location`` names must be there (RFC 9110 §15.3.2)."""
    answer = context.client(retry=False).request("GET", relative)
    if answer.status_code == 404:
        raise ResourceUnavailable(
            f"{operation.label} answered 201 with Location: {location}, but GET "
            f"{relative} answered 404: the Location names no resource"
        )


def _documented_read(contract: Contract, path: str) -> bool:
    """Whether a documented GET operation's path template matches ``path``."""
    document = contract.document
    if document is None:
        return False
    for operation in document.operations.values():
        if operation.method != "get":
            continue
        escaped = re.escape(operation.path).replace(r"\{", "{").replace(r"\}", "}")
        pattern = PATH_TEMPLATE.sub("[^/]+", escaped)
        if re.fullmatch(pattern, path):
            return True
    return False
