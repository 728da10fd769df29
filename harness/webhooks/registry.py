"""Scheme names → scheme classes: a fixed table, built once, never mutated at run time."""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from harness.errors import UsageError
from harness.webhooks.base import SignatureScheme
from harness.webhooks.generic import HmacScheme
from harness.webhooks.standard import StandardWebhooksScheme
from harness.webhooks.vendors import GitHubScheme, ShopifyScheme, SlackScheme, StripeScheme

_SCHEMES: Final[Mapping[str, Callable[..., SignatureScheme]]] = MappingProxyType(
    {
        "standard-webhooks": StandardWebhooksScheme,
        "stripe": StripeScheme,
        "github": GitHubScheme,
        "slack": SlackScheme,
        "shopify": ShopifyScheme,
        "hmac-sha256": HmacScheme,
    }
)

SCHEME_NAMES: Final[tuple[str, ...]] = tuple(_SCHEMES)


def _did_you_mean(given: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(given, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def get_scheme(name: str, **options: object) -> SignatureScheme:
    """The scheme called ``name``, configured with ``options`` (None means "not given").

    >>> get_scheme("hmac-sha256", header="X-Sig", encoding="base64").header
    'X-Sig'
    """
    if not isinstance(name, str):
        raise UsageError(f"a signature scheme name must be a string, got {name!r}")
    factory = _SCHEMES.get(name.strip().lower())
    if factory is None:
        raise UsageError(
            f"unknown signature scheme {name!r}; known schemes: {', '.join(SCHEME_NAMES)}"
            + _did_you_mean(name.strip().lower(), SCHEME_NAMES)
        )
    given = {key: value for key, value in options.items() if value is not None}
    accepted = list(inspect.signature(factory).parameters)
    for option in given:
        if option not in accepted:
            takes = f"its options are {', '.join(accepted)}" if accepted else "it takes none"
            raise UsageError(
                f"signature scheme {name!r} has no option {option!r}; {takes}"
                + _did_you_mean(option, accepted)
            )
    return factory(**given)


def resolve_scheme(scheme: str | SignatureScheme) -> SignatureScheme:
    """A scheme from its name, or the scheme itself."""
    if isinstance(scheme, str):
        return get_scheme(scheme)
    if isinstance(scheme, SignatureScheme):
        return scheme
    raise UsageError(
        f"scheme must be a scheme name ({', '.join(SCHEME_NAMES)}) or a SignatureScheme, "
        f"got {type(scheme).__name__}"
    )
