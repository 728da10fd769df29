"""The provider-state vocabulary harness writes into pacts and the local sandbox understands.

Two states, each carrying everything the provider needs in its ``params`` so that a state
change handler never parses prose:

* ``a fresh sandbox and an access token`` (params ``{"scopes": [...]}``): the provider drops
  the resources earlier interactions left behind and answers ``{"access_token": "..."}``;
  the request's ``Authorization`` header is generated from that value (a Pact
  *provider-state generator*), so no token is ever written into a pact.
* ``<noun> <id> exists`` (params ``{"path": "/contacts/ct_1", "fields": {...}}``): the
  resource at ``path`` exists with those fields (the provider fills in the rest).

The state change request is Pact's ``{"state", "params", "action": "setup"|"teardown"}``,
POSTed to ``STATE_PATH`` on the local sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STATE_PATH = "/__harness__/pact/states"
TOKEN_STATE = "a fresh sandbox and an access token"  # noqa: S105 - a state name
TOKEN_KEY = "access_token"  # noqa: S105 - the key of the token in the state answer
AUTHORIZATION = "Bearer ${" + TOKEN_KEY + "}"  # the provider-state expression of the header


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderState:
    """One provider state of an interaction: its name and its parameters."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


def token_state(scopes: Sequence[str]) -> ProviderState:
    """A clean provider and a token with ``scopes`` (given first: it drops old resources)."""
    return ProviderState(name=TOKEN_STATE, params={"scopes": list(scopes)})


def resource_state(path: str, fields: Mapping[str, Any]) -> ProviderState:
    """The resource at ``path`` (``/contacts/ct_1``) exists with ``fields``."""
    parts = [part for part in path.split("/") if part]
    noun = singular(parts[-2]) if len(parts) >= 2 else "resource"
    return ProviderState(
        name=f"{noun} {parts[-1] if parts else path} exists",
        params={"path": path, "fields": dict(fields)},
    )


def singular(word: str) -> str:
    """``contacts`` → ``contact``, ``companies`` → ``company`` (good enough for a name)."""
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and len(word) > 1 else word
