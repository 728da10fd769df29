"""Family ``auth``: credentials are obtained, reused, refreshed and refused as declared."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

from harness.auth.unissued import UNISSUED, UnissuedCredential, unissued_credential
from harness.checks.auth.oauth import oauth_checks
from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.operations import secured_operations
from harness.contract import Contract
from harness.contract.contract import SAFE_METHODS, Operation
from harness.contract.model import AuthType
from harness.errors import CheckFailure
from harness.transports.scrub import redact_text, response_excerpt


def plan(contract: Contract) -> list[Check]:
    auth = contract.auth
    if auth is None or auth.type is AuthType.NONE:
        return []
    checks = oauth_checks(contract) if auth.type is AuthType.OAUTH2_CLIENT_CREDENTIALS else []
    checks.append(
        Check(
            family="auth",
            name="wrong_credentials_rejected",
            run=check_wrong_credentials,
            description=f"{auth.type} credentials that are wrong are refused",
            loc=auth.loc,
        )
    )
    for operation in secured_operations(contract):
        checks.append(
            Check(
                family="auth",
                name=f"no_bypass[{operation.operation_id}]",
                run=partial(check_no_bypass, operation_id=operation.operation_id),
                description=f"{operation.label} refuses requests without credentials",
                loc=auth.loc,
                mutating=operation.method not in SAFE_METHODS,
            )
        )
    return checks


def check_no_bypass(context: CheckRuntime, *, operation_id: str) -> Verdict:
    """Requests with no credentials, and with credentials never issued, get 401 or 403.

    The refusal proves something only if valid credentials are accepted: when they are
    refused too (expired, revoked, deleted by a fuzzer), the check is inconclusive.
    """
    operation = context.contract.operation(operation_id)
    probes = [("without credentials", _send_plain(context, operation))]
    unissued = unissued_credential(context.contract.auth)
    if unissued is not None:
        probes.append(
            ("with credentials it never issued", _send_plain(context, operation, unissued))
        )
    where = context.contract.auth.loc if context.contract.auth else context.contract.loc
    for how, response in probes:
        if response.status_code not in (401, 403):
            raise CheckFailure(
                f"auth bypass: {operation.label} answered {response.status_code} to a request "
                f"{how}; the contract requires auth ({where})",
                evidence=(response_excerpt(response, context.secrets(), limit=600),),
            )
    seen = ", ".join(f"{how}: {response.status_code}" for how, response in probes)
    refused = _valid_credentials_refused(context)
    if refused:
        return inconclusive(
            f"{operation.label} {seen}; but {refused}: a refusal says nothing about the "
            "credentials sent"
        )
    return Verdict(message=f"{operation.label} {seen}")


def _valid_credentials_refused(context: CheckRuntime) -> str | None:
    """'GET /contacts with valid credentials: 401' when the target refuses those too."""
    reads = [
        op
        for op in secured_operations(context.contract)
        if op.method in SAFE_METHODS and "{" not in op.path
    ]
    if not reads:  # nothing safe to try valid credentials on: judge the refusal as it is
        return None
    response = context.client().call(reads[0].operation_id)
    if response.status_code not in (401, 403):
        return None
    return f"{reads[0].label} with valid credentials: {response.status_code}"


def _send_plain(
    context: CheckRuntime, operation: Operation, credential: UnissuedCredential | None = None
) -> httpx.Response:
    """``operation`` with the contract's fixed headers and no credentials but ``credential``."""
    path = operation.path
    for name in operation.path_parameters:
        path = path.replace("{" + name + "}", "harness-probe")
    options: dict[str, Any] = {}
    if operation.method in ("post", "put", "patch"):
        options["json"] = {}
    if credential is not None:
        options["auth"] = credential
    headers = dict(context.contract.api.headers if context.contract.api else {})
    return context.http().request(operation.method.upper(), path, headers=headers, **options)


def check_wrong_credentials(context: CheckRuntime) -> Verdict:
    """Wrong credentials are refused: OAuth2 with invalid_client, others with 401/403."""
    auth = context.contract.auth
    assert auth is not None  # planned only with auth
    if auth.type is AuthType.OAUTH2_CLIENT_CREDENTIALS:
        return _wrong_client_secret(context)
    wrong = unissued_credential(auth)
    assert wrong is not None  # planned only with credentials
    operations = secured_operations(context.contract)
    safe = [op for op in operations if op.method in SAFE_METHODS] or operations
    safe.sort(key=lambda op: "{" in op.path)  # a made-up id could 404 before auth is judged
    if not safe:
        return inconclusive(
            "the OpenAPI document has no secured operation to try wrong credentials on"
        )
    response = _send_plain(context, safe[0], wrong)
    if response.status_code not in (401, 403):
        raise CheckFailure(
            f"{safe[0].label} accepted wrong {auth.type} credentials ({response.status_code})",
            evidence=(response_excerpt(response, context.secrets(), limit=600),),
        )
    refused = _valid_credentials_refused(context)
    if refused:
        return inconclusive(
            f"wrong credentials refused with {response.status_code}, but {refused}: the "
            "target refuses every credential"
        )
    return Verdict(message=f"wrong credentials refused with {response.status_code}")


def _wrong_client_secret(context: CheckRuntime) -> Verdict:
    auth = context.contract.auth
    assert auth is not None
    assert auth.token_url is not None
    credentials = context.target.credentials
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id or "",
        "client_secret": UNISSUED,
    }
    response = context.http().post(auth.token_url, data=form)
    evidence = (response_excerpt(response, context.secrets(), limit=600),)
    error = _json(response).get("error")
    if response.status_code not in (400, 401) or error != "invalid_client":
        raise CheckFailure(
            f"token request with a wrong client secret got {response.status_code} "
            f"error={error!r}; RFC 6749 §5.2 requires 400/401 with error=invalid_client "
            f"({redact_text(response.text[:200], context.secrets())!r})",
            evidence=evidence,
        )
    if response.status_code == 401 and "www-authenticate" not in response.headers:
        raise CheckFailure("401 from the token endpoint without WWW-Authenticate (RFC 6749 §5.2)")
    return Verdict(message=f"wrong client secret refused: {response.status_code} invalid_client")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
