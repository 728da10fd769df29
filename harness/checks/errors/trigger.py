"""Sending an error code's declared ``trigger``: its request, with the credentials it names."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from harness.auth import AuthProvider, NoAuth
from harness.auth.unissued import unissued_credential
from harness.checks.base import CheckRuntime
from harness.contract.model import Trigger
from harness.errors import UsageError

AUTH_MODES = ("valid", "none", "invalid", "expired")


class FixedHeaders:
    """Credentials that are what they are: never renewed after a 401."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def apply(self, request: httpx.Request) -> None:
        request.headers.update(self._headers)

    def on_unauthorized(self, request: httpx.Request | None = None) -> bool:
        return False

    def secret_values(self) -> frozenset[str]:
        return frozenset(self._headers.values())


def send_trigger(context: CheckRuntime, trigger: Trigger) -> httpx.Response | None:
    """The last response to the trigger (sent ``repeat`` times); None: not possible here."""
    auth = _auth(context, trigger)
    if auth is False:
        return None
    client = context.client(retry=False)
    response: httpx.Response | None = None
    for _ in range(max(1, trigger.repeat)):
        response = client.call(
            trigger.operation,
            path_params=trigger.path,
            params=dict(trigger.query) or None,
            json=trigger.body,
            headers=dict(trigger.headers),
            auth=auth or None,
        )
    assert response is not None
    return response


def _auth(context: CheckRuntime, trigger: Trigger) -> AuthProvider | bool | None:
    """None: the client's own credentials; False: this mode is impossible on this target."""
    mode = trigger.auth
    if mode == "valid":
        return None
    if mode == "none":
        return NoAuth()
    if mode == "invalid":
        return unissued_credential(context.contract.auth) or NoAuth()
    if mode == "expired":
        controls = context.target.controls
        if controls is None:
            return False
        captured = httpx.Request("GET", context.target.base_url)
        context.client().auth.apply(captured)
        stale = {name: value for name, value in captured.headers.items() if name != "host"}
        controls.revoke_tokens()
        return FixedHeaders(stale)
    raise UsageError(
        f"trigger auth {mode!r} (contract {trigger.loc}) is not one of {', '.join(AUTH_MODES)}"
    )
