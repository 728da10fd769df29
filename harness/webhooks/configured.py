"""The signature scheme a contract declares, configured from its ``webhooks.signature``.

One constructor for everyone who signs or verifies the contract's deliveries (the local
sandbox, the webhooks checks, the ``harness_webhooks`` kit): the named scheme from the
registry, with the generic ``hmac-sha256`` options and the declared ``tolerance_s`` — which
a scheme without timestamps (``github``, ``shopify``) does not take, and simply ignores.
"""

from __future__ import annotations

import inspect

from harness.contract.model import Signature
from harness.webhooks.base import SignatureScheme
from harness.webhooks.registry import get_scheme

_HMAC_OPTIONS = ("header", "algorithm", "encoding", "prefix", "template", "timestamp_header")


def configured_scheme(signature: Signature) -> SignatureScheme:
    """The contract's scheme, configured (``UsageError`` for an unknown name or option)."""
    name = str(signature.scheme)
    options: dict[str, object] = {}
    if name == "hmac-sha256":
        options = {option: getattr(signature, option) for option in _HMAC_OPTIONS}
    if signature.tolerance_s is not None and _takes_tolerance(name):
        options["tolerance_s"] = signature.tolerance_s
    return get_scheme(name, **options)


def _takes_tolerance(name: str) -> bool:
    """Whether the scheme called ``name`` checks timestamps (has a ``tolerance_s`` option)."""
    plain = get_scheme(name)
    return "tolerance_s" in inspect.signature(type(plain)).parameters
