"""Sending a Schemathesis case through harness's contract-driven client.

The client adds the contract's credentials, except to a negative case whose invalid part
may be the credential itself (a missing or malformed ``X-API-Key``): that one reaches the
server exactly as generated, so a server that refuses it is never blamed for accepting
"schema-violating" data it was never sent. A request the client cannot put on the wire is
harness's limitation (``RequestNotSendable``); a server that hangs up on one request
(``TargetDisconnected``) comes back as a ``SentCase`` with no response, for the check to
judge.
"""

from __future__ import annotations

from typing import Any

import httpx

from harness._compat.schemathesis import (
    document,
    negated_keywords,
    negated_locations,
    negated_parameters,
    operation_definition,
)
from harness.auth import AuthProvider, NoAuth
from harness.checks.base import CheckRuntime
from harness.checks.conformance.evidence import SentCase
from harness.transports.client import RequestNotSendable, TargetDisconnected

#: Where HTTP authentication schemes (basic, bearer, OAuth2) put the credential.
_AUTHORIZATION = ("header", "authorization")


def send_case(context: CheckRuntime, case: Any, *, auth: AuthProvider | None = None) -> SentCase:
    """Send ``case`` (no retries); a dropped connection is a ``SentCase`` without response.

    ``auth`` replaces the contract's credentials (``NoAuth()`` sends none). Raises
    ``RequestNotSendable`` when harness's client cannot encode the request.
    """
    _refuse_lost_negation(case)
    kwargs = case.as_transport_kwargs(base_url=context.target.base_url)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, (bytes, str)):
        body["content"] = data
    elif data is not None:
        body["data"] = data
    if kwargs.get("files"):
        body["files"] = httpx_files(kwargs["files"])  # multipart/form-data with file parts
    headers = {
        k: v for k, v in kwargs.get("headers", {}).items() if not k.startswith("X-Schemathesis")
    }
    options: dict[str, Any] = {}
    if auth is not None:
        options["auth"] = auth
    elif generated_credential_negated(case):
        options["auth"] = NoAuth()
    client = context.client(retry=False)
    try:
        response = client.request(
            kwargs["method"], kwargs["url"], params=kwargs.get("params") or None,
            headers=headers, cookies=kwargs.get("cookies") or None, **body, **options,
        )  # fmt: skip
    except TargetDisconnected as exc:
        cause = exc.__cause__
        error = f"{type(cause).__name__}: {cause}" if cause is not None else str(exc)
        return SentCase(case=case, request=exc.request, error=error)
    return SentCase.answered(case, response)


FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def _refuse_lost_negation(case: Any) -> None:
    """A negative form body made invalid only by value *types* is valid on the wire.

    Form encoding sends every value as text (and an array field as repeated parts), so "an
    array became a string" reaches the server as a valid form: a server accepting it is not
    at fault. Harness does not send such a case (counted unsendable, never a finding).
    """
    media = str(getattr(case, "media_type", "") or "").split(";")[0].strip().lower()
    if media not in FORM_MEDIA or negated_locations(case) != {"body"}:
        return
    keywords = negated_keywords(case)
    if keywords and keywords <= {"type"}:
        raise RequestNotSendable(
            f"a {media} body made invalid only by value types is valid once form-encoded "
            "(every value is text on the wire): not judged"
        )


def httpx_files(files: Any) -> list[tuple[str, Any]]:
    """Schemathesis's multipart file parts (shaped for ``requests``) in the shape httpx sends.

    ``requests`` takes any part content and spells it as text; httpx takes only bytes, text
    or a file. A generated part holding a number (a loose schema) is sent as its text, as
    Schemathesis's own transport would, instead of failing in harness's client.
    """
    pairs = files.items() if isinstance(files, dict) else files
    sent: list[tuple[str, Any]] = []
    for name, value in pairs:
        if isinstance(value, tuple):
            filename, content, *rest = value
            sent.append((str(name), (filename, _sendable(content), *rest)))
        else:
            sent.append((str(name), _sendable(value)))
    return sent


def _sendable(content: Any) -> Any:
    if isinstance(content, (bytes, str)) or hasattr(content, "read"):
        return content
    return str(content).encode()


def generated_credential_negated(case: Any) -> bool:
    """Whether Schemathesis made the case invalid in the operation's credential itself.

    Then the invalid part is the credential (missing, empty, malformed), and adding valid
    credentials would turn the generated request into a different, valid one.
    """
    touched = negated_parameters(case)
    if not touched:
        return False
    wanted = credential_parameters(case.operation)
    return any((location, name.lower()) in wanted for location, name in touched)


def credential_parameters(operation: Any) -> set[tuple[str, str]]:
    """(location, lower-case name) of each credential the operation's security declares."""
    raw = document(operation)
    definition = operation_definition(operation)
    requirements = definition.get("security", raw.get("security")) or []
    schemes = (raw.get("components") or {}).get("securitySchemes") or {}
    schemes = schemes or raw.get("securityDefinitions") or {}  # Swagger 2.0
    found: set[tuple[str, str]] = set()
    for requirement in requirements:
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = schemes.get(name)
            if not isinstance(scheme, dict):
                continue
            if scheme.get("type") == "apiKey":
                found.add((str(scheme.get("in", "header")), str(scheme.get("name", "")).lower()))
            else:  # http basic/bearer, oauth2, openIdConnect
                found.add(_AUTHORIZATION)
    return found


def is_success(response: httpx.Response | None) -> bool:
    return response is not None and 200 <= response.status_code < 300
