"""OAuth2 client-credentials checks: token issue, reuse, refresh, single flight, 401 refresh."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from harness.auth import auth_for
from harness.checks.base import Check, CheckRuntime, Subject, Verdict, inconclusive
from harness.checks.operations import secured_operations
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.transports.client import HarnessClient
from harness.transports.scrub import response_excerpt


def oauth_checks(contract: Contract) -> list[Check]:
    auth = contract.auth
    assert auth is not None
    return [
        Check(
            family="auth",
            name="token_issued",
            run=check_token_issued,
            description="the token endpoint issues a bearer token with expires_in",
            loc=auth.loc,
        ),
        Check(
            family="auth",
            name="token_reused_then_refreshed",
            run=check_token_lifecycle,
            description=f"a token is reused, and renewed {auth.refresh_leeway_s} s before expiry",
            loc=auth.loc,
            subject=Subject.CLIENT,
        ),
        Check(
            family="auth",
            name="one_token_request_for_concurrent_callers",
            run=check_single_flight,
            description="concurrent callers trigger exactly one token request",
            loc=auth.loc,
            subject=Subject.CLIENT,
        ),
        Check(
            family="auth",
            name="refreshed_once_on_401",
            run=check_refresh_on_401,
            description="a revoked token is replaced once, on the 401, and the request succeeds",
            loc=auth.loc,
            needs_sandbox=True,
            subject=Subject.CLIENT,
        ),
    ]


def _raw_token(context: CheckRuntime) -> httpx.Response:
    auth = context.contract.auth
    assert auth is not None
    assert auth.token_url is not None
    credentials = context.target.credentials
    secret = credentials.client_secret.reveal() if credentials.client_secret else ""
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials.client_id or "",
        "client_secret": secret,
    }
    if auth.scopes:
        form["scope"] = " ".join(auth.scopes)
    return context.http().post(auth.token_url, data=form)


def check_token_issued(context: CheckRuntime) -> Verdict:
    """client_credentials grant → 200 with access_token, token_type Bearer, expires_in > 0."""
    auth = context.contract.auth
    assert auth is not None
    response = _raw_token(context)
    evidence = (response_excerpt(response, context.secrets(), limit=600),)
    body: dict[str, Any] = response.json() if _is_json(response) else {}
    problems = []
    if response.status_code != 200:
        problems.append(f"status {response.status_code}, expected 200")
    if not isinstance(body.get("access_token"), str) or not body.get("access_token"):
        problems.append("no access_token")
    if str(body.get("token_type", "")).lower() != "bearer":
        problems.append(f"token_type {body.get('token_type')!r}, expected 'Bearer'")
    expires_in = body.get("expires_in")
    if not isinstance(expires_in, int) or expires_in <= 0:
        problems.append(f"expires_in {expires_in!r}, expected a positive integer")
    if problems:
        raise CheckFailure(
            f"token endpoint {auth.token_url}: " + "; ".join(problems), evidence=evidence
        )
    data = {"expires_in": expires_in, "refresh_token": "refresh_token" in body}
    return Verdict(message=f"token issued, expires_in={expires_in}", data=data)


def _is_json(response: Any) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


CONCURRENT_CALLERS = 8


def _provider(context: CheckRuntime, clock: Callable[[], float] | None = None) -> Any:
    return auth_for(
        context.contract.auth, context.target.credentials, token_client=context.http(), clock=clock
    )


def check_token_lifecycle(context: CheckRuntime) -> Verdict:
    """Two uses, one token; at ``expires_in - leeway`` the provider renews before expiry."""
    auth = context.contract.auth
    assert auth is not None
    now = [1_000_000.0]
    provider = _provider(context, clock=lambda: now[0])
    first = provider.access_token()
    provider.access_token()
    if provider.token_requests != 1:
        raise CheckFailure(f"two uses made {provider.token_requests} token requests; expected 1")
    issued = _raw_token(context).json()
    lifetime = float(issued.get("expires_in", 0)) if isinstance(issued, dict) else 0.0
    now[0] += max(lifetime - auth.refresh_leeway_s, 0) + 1
    renewed = provider.access_token()
    if provider.token_requests != 2 or renewed == first:
        raise CheckFailure(
            f"{auth.refresh_leeway_s} s before expiry the token was not renewed "
            f"({provider.token_requests} token requests)"
        )
    return Verdict(
        message=f"token reused; renewed {auth.refresh_leeway_s} s before {lifetime:.0f} s expiry",
        data={"lifetime_s": lifetime, "leeway_s": auth.refresh_leeway_s},
    )


def check_single_flight(context: CheckRuntime) -> Verdict:
    """N threads that need a token at once cause exactly one token request."""
    provider = _provider(context)
    barrier = threading.Barrier(CONCURRENT_CALLERS)

    def use() -> str:
        barrier.wait(timeout=10)
        token: str = provider.access_token()
        return token

    with ThreadPoolExecutor(CONCURRENT_CALLERS) as pool:
        tokens = set(pool.map(lambda _: use(), range(CONCURRENT_CALLERS)))
    if provider.token_requests != 1 or len(tokens) != 1:
        raise CheckFailure(
            f"{CONCURRENT_CALLERS} concurrent callers made {provider.token_requests} token "
            f"requests and got {len(tokens)} distinct tokens; expected 1 and 1"
        )
    return Verdict(message=f"{CONCURRENT_CALLERS} concurrent callers, 1 token request")


def check_refresh_on_401(context: CheckRuntime) -> Verdict:
    """After the sandbox revokes every token, the next call refreshes once and succeeds."""
    controls = context.target.controls
    assert controls is not None  # needs_sandbox
    safe = [op for op in secured_operations(context.contract) if op.method == "get"]
    if not safe or ("{" in safe[0].path and not [op for op in safe if "{" not in op.path]):
        return inconclusive("no secured GET operation without path parameters to try")
    operation = next(op for op in safe if "{" not in op.path)
    target = context.target
    with HarnessClient(
        context.contract,
        base_url=target.base_url,
        credentials=target.credentials,
        retry=False,
        throttle=False,
        record=context.record,
    ) as client:
        before = client.call(operation.operation_id)
        if before.status_code >= 400:
            return inconclusive(
                f"{operation.label} answered {before.status_code} before any token was revoked; "
                "a refresh cannot be judged on a call that fails anyway"
            )
        controls.revoke_tokens()
        after = client.call(operation.operation_id)
        requests = getattr(client.auth, "token_requests", 0)
    if after.status_code >= 400 or requests != 2:
        raise CheckFailure(
            f"after the tokens were revoked, {operation.label} answered {after.status_code} "
            f"with {requests} token requests in all; expected success after exactly one refresh"
        )
    return Verdict(message=f"{operation.label}: {before.status_code}, revoked, refreshed once")
