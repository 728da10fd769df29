"""Scheme names → scheme factories: the built-in table, then installed plugins.

The table is built once and never mutated at run time. A name it does not hold is looked up
among the ``harness.signature_schemes`` entry points (``contract.plugins``): a package adds a
scheme by declaring a factory (a class or function taking the scheme's options as keywords
and returning a ``SignatureScheme``). Built-in names take precedence.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from harness.contract.plugins import SIGNATURE_SCHEMES, Plugin, load_plugin, plugin_names
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
    key = name.strip().lower()
    given = {option: value for option, value in options.items() if value is not None}
    builtin = _SCHEMES.get(key)
    if builtin is not None:
        _check_options(name, given, list(inspect.signature(builtin).parameters))
        return builtin(**given)
    plugin = _plugin(key)
    _check_options(name, given, list(plugin.parameters("SignatureScheme")))
    scheme = plugin.build(given, passing=(UsageError,))
    if not isinstance(scheme, SignatureScheme):
        raise plugin.fault(f"returned {type(scheme).__name__}, not a SignatureScheme")
    return scheme


def _plugin(name: str) -> Plugin:
    """The installed plugin called ``name``; a UsageError listing every known name if none."""
    plugin = load_plugin(SIGNATURE_SCHEMES, name)
    if plugin is not None:
        return plugin
    known = (*SCHEME_NAMES, *plugin_names(SIGNATURE_SCHEMES))
    raise UsageError(
        f"unknown signature scheme {name!r}; known schemes: {', '.join(known)}"
        + _did_you_mean(name, known)
    )


def _check_options(name: str, given: Mapping[str, object], accepted: list[str]) -> None:
    for option in given:
        if option not in accepted:
            takes = f"its options are {', '.join(accepted)}" if accepted else "it takes none"
            raise UsageError(
                f"signature scheme {name!r} has no option {option!r}; {takes}"
                + _did_you_mean(option, accepted)
            )


def resolve_scheme(scheme: str | SignatureScheme) -> SignatureScheme:
    """A scheme from its name, or the scheme itself."""
    if isinstance(scheme, str):
        return get_scheme(scheme)
    if isinstance(scheme, SignatureScheme):
        return scheme
    raise UsageError(
        f"scheme must be a scheme name ({', '.join(SCHEME_NAMES)}, or a plugin's) "
        "or a SignatureScheme, "
        f"got {type(scheme).__name__}"
    )
