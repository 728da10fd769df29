"""The credentials a client presents, whichever environment they come from.

For ``sandbox``/``production`` they come from the contract's ``${VAR}`` secrets; for
``local`` the built-in sandbox invents its own and hands them out (``Sandbox.credentials``).
Every secret stays a ``Secret`` so that no repr, log line or report shows it.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from harness.contract import Contract, Secret


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    client_id: str | None = None
    client_secret: Secret | None = None
    api_key: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    token: Secret | None = None
    jwt_secret: Secret | None = None
    webhook_secret: Secret | None = None

    def secret_values(self) -> frozenset[str]:
        """Every secret value held, for scrubbing (never for printing)."""
        held = (
            self.client_secret,
            self.api_key,
            self.password,
            self.token,
            self.jwt_secret,
            self.webhook_secret,
        )
        return frozenset(s.value for s in held if s is not None and s.value)

    def by_variable(self) -> dict[str, str]:
        """Request credentials by the contract variable naming them (``WIDGETS_KEY``): a
        repeatable curl line shows ``$WIDGETS_KEY``, never the value."""
        held = (self.client_secret, self.api_key, self.password, self.token, self.jwt_secret)
        return {s.var: s.value for s in held if s is not None and s.value and s.var}


def credentials_from_contract(contract: Contract) -> Credentials:
    """The credentials the contract's variables hold (for non-local environments)."""
    auth = contract.auth
    signature = contract.webhooks.signature if contract.webhooks else None
    if auth is None:
        return Credentials(webhook_secret=signature.secret if signature else None)
    return Credentials(
        client_id=auth.client_id,
        client_secret=auth.client_secret,
        api_key=auth.key,
        username=auth.username,
        password=auth.password,
        token=auth.token,
        jwt_secret=auth.jwt.secret if auth.jwt else None,
        webhook_secret=signature.secret if signature else None,
    )


def invent_credentials(contract: Contract) -> Credentials:
    """Credentials for the local sandbox: the contract's where set, random otherwise.

    Secrets are random even when a run is seeded: a seed reproduces data, never secrets.
    """
    given = credentials_from_contract(contract)
    return Credentials(
        client_id=given.client_id or "harness-local",
        client_secret=_pick(given.client_secret, "CLIENT_SECRET", "cs_"),
        api_key=_pick(given.api_key, "API_KEY", "key_"),
        username=given.username or "harness",
        password=_pick(given.password, "PASSWORD", "pw_"),
        token=_pick(given.token, "TOKEN", "tok_"),
        jwt_secret=_pick(given.jwt_secret, "JWT_SECRET", "jwt_"),
        webhook_secret=_webhook_secret(contract, given.webhook_secret),
    )


def _pick(secret: Secret | None, var: str, prefix: str) -> Secret:
    if secret is not None and secret.value:
        return secret
    return Secret(secret.var if secret else var, prefix + secrets.token_urlsafe(24))


def _webhook_secret(contract: Contract, given: Secret | None) -> Secret:
    if given is not None and given.value:
        return given
    var = given.var if given else "WEBHOOK_SECRET"
    signature = contract.webhooks.signature if contract.webhooks else None
    raw = secrets.token_bytes(24)
    if signature is not None and signature.scheme in ("standard-webhooks", "stripe"):
        return Secret(var, "whsec_" + base64.b64encode(raw).decode("ascii"))
    return Secret(var, raw.hex())
