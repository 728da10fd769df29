"""The OAuth 2.0 token endpoint: client credentials (RFC 6749 §4.4) and refresh (§6).

Clients authenticate with ``client_id``/``client_secret`` in the form body or with HTTP
Basic (§2.3.1). Errors are RFC 6749 §5.2 bodies (``invalid_request``, ``invalid_client``,
``invalid_grant``, ``unsupported_grant_type``, ``invalid_scope``); a failed client
authentication is ``401`` with ``WWW-Authenticate`` where the document allows it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from harness.auth.credentials import Credentials
from harness.contract.model import Auth
from harness.sandbox.auth import TokenStore
from harness.sandbox.responses import Answer, ResponseBuilder
from harness.sandbox.spec import OperationSpec

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenEndpoint:
    """Answers token requests for the contract's client."""

    def __init__(
        self,
        auth: Auth,
        credentials: Credentials,
        tokens: TokenStore,
        responses: ResponseBuilder,
        realm: str,
    ) -> None:
        self._auth = auth
        self._credentials = credentials
        self._tokens = tokens
        self._responses = responses
        self._realm = realm

    async def answer(self, op: OperationSpec | None, request: Request) -> Answer:
        form = _form(await request.body(), request.headers.get("content-type", ""))
        client_id, secret = _client_credentials(request.headers.get("authorization", ""), form)
        grant = form.get("grant_type")
        if not grant:
            return self._error(op, 400, "invalid_request", "grant_type is required.")
        if grant not in ("client_credentials", "refresh_token"):
            return self._error(
                op, 400, "unsupported_grant_type", "Use client_credentials or refresh_token."
            )
        if not self._client_ok(client_id, secret):
            return self._unauthorised(op)
        scopes = self._scopes(form.get("scope"))
        if scopes is None:
            return self._error(op, 400, "invalid_scope", "A requested scope is not available.")
        if grant == "refresh_token":
            return self._refresh(op, form.get("refresh_token"), client_id or "", scopes)
        refresh = self._auth.refresh_tokens
        return self._issued(op, self._tokens.issue(client_id or "", scopes, refresh=refresh))

    def _refresh(
        self, op: OperationSpec | None, value: str | None, client_id: str, scopes: frozenset[str]
    ) -> Answer:
        if not value:
            return self._error(op, 400, "invalid_request", "refresh_token is required.")
        token = self._tokens.redeem(value, client_id)
        if token is None:
            return self._error(
                op, 400, "invalid_grant", "The refresh token is invalid, expired or revoked."
            )
        granted = scopes if scopes < token.scopes else token.scopes
        return self._issued(op, self._tokens.issue(client_id, granted, refresh=True))

    def _client_ok(self, client_id: str | None, secret: str | None) -> bool:
        expected = self._credentials.client_secret
        if client_id != self._credentials.client_id or secret is None or expected is None:
            return False
        return hmac.compare_digest(secret.encode(), expected.reveal().encode())

    def _scopes(self, requested: str | None) -> frozenset[str] | None:
        allowed = frozenset(self._auth.scopes)
        if not requested:
            return allowed
        wanted = frozenset(requested.split())
        return wanted if not allowed or wanted <= allowed else None

    def _issued(self, op: OperationSpec | None, body: dict[str, Any]) -> Answer:
        status = op.success_status(200) if op is not None else 200
        media = self._responses.media(op, status) if op is not None else None
        media_type = media.media_type if media is not None else "application/json"
        return Answer(status=status, body=body, media_type=media_type, headers=dict(_NO_STORE))

    def _unauthorised(self, op: OperationSpec | None) -> Answer:
        status = 401 if op is None or op.documents(401) else 400
        outcome = self._error(
            op, status, "invalid_client", "Unknown client or wrong client secret."
        )
        outcome.headers["WWW-Authenticate"] = f'Basic realm="{self._realm}"'
        return outcome

    def _error(self, op: OperationSpec | None, status: int, error: str, description: str) -> Answer:
        body = {"error": error, "error_description": description}
        if op is None:
            return Answer(
                status=status, body=body, media_type="application/json", headers=dict(_NO_STORE)
            )
        media = self._responses.media(op, status)
        if media is None or self._responses.fits(op, status, body):
            media_type = media.media_type if media is not None else "application/json"
            return Answer(status=status, body=body, media_type=media_type, headers=dict(_NO_STORE))
        for example in media.examples:
            if isinstance(example, dict) and example.get("error") == error:
                return Answer(
                    status=status,
                    body=example,
                    media_type=media.media_type,
                    headers=dict(_NO_STORE),
                )
        outcome = self._responses.documented(op, status)
        outcome.headers.update(_NO_STORE)
        return outcome


def _form(raw: bytes, content_type: str) -> dict[str, str]:
    if "json" in content_type.lower():
        try:
            data = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    try:
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _client_credentials(authorization: str, form: dict[str, str]) -> tuple[str | None, str | None]:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            user, _, password = (
                base64.b64decode(value.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return user, password
    return form.get("client_id"), form.get("client_secret")
