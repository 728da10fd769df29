"""Claim ``credentials_not_echoed``: no answer quotes the credentials of its request.

A refusal that repeats the credential it refused puts a client's mistyped or stale secret in
every log and trace on the way; an answer that repeats a valid one leaks it outright. The
check sends a never-issued credential carrying a per-run marker (``harness.auth.unissued``)
and then valid credentials, and looks for either in the answers.
"""

from __future__ import annotations

import base64

from harness.auth.unissued import unissued_credential
from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.operations import secured_operations
from harness.checks.security.files import MIN_SECRET_LENGTH
from harness.contract import Contract
from harness.contract.contract import SAFE_METHODS
from harness.contract.model import AuthType
from harness.errors import CheckFailure


def checks(contract: Contract) -> list[Check]:
    """Planned when the contract declares credentials."""
    if contract.auth is None or contract.auth.type is AuthType.NONE:
        return []
    return [
        Check(
            family="security",
            name="credentials_not_echoed",
            run=check_credentials_not_echoed,
            description="answers never echo the credentials of the request (accepted or refused)",
            loc=contract.auth.loc,
        )
    ]


def check_credentials_not_echoed(context: CheckRuntime) -> Verdict:
    """Neither a refusal of forged credentials nor an answer to valid ones quotes them."""
    reads = [
        op
        for op in secured_operations(context.contract)
        if op.method in SAFE_METHODS and "{" not in op.path
    ]
    if not reads:
        return inconclusive("no secured read without path parameters to send credentials to")
    operation = reads[0]
    marker = f"harness-forged-{context.seed:08x}"
    forged = unissued_credential(context.contract.auth, marker)
    assert forged is not None  # planned only with credentials
    refused = context.http().request(operation.method.upper(), operation.path, auth=forged)
    accepted = context.client().call(operation.operation_id)
    echoed = [marker, base64.b64encode(f"harness:{marker}".encode()).decode()]
    if any(value in refused.text for value in echoed):
        raise CheckFailure(
            f"{operation.label} answered {refused.status_code} quoting the forged credential it "
            "refused; a real client's mistyped or stale secret would land in logs and traces"
        )
    secrets = [s for s in context.secrets() if len(s) >= MIN_SECRET_LENGTH]
    if any(secret in accepted.text for secret in secrets):
        raise CheckFailure(
            f"{operation.label} answered {accepted.status_code} quoting a credential of the "
            "request (value withheld)"
        )
    return Verdict(
        message=f"{operation.label}: forged credentials refused with {refused.status_code} and "
        f"valid ones answered {accepted.status_code}, neither quoted"
    )
