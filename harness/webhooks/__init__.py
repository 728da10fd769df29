"""Webhook signatures: sign what a vendor would send, verify what an integration receives.

>>> from harness.webhooks import sign, verify
>>> headers = sign("github", "s3cret", b"{}")
>>> verify("github", "s3cret", headers, b"{}")

Schemes: ``standard-webhooks``, ``stripe``, ``github``, ``slack``, ``shopify`` and the
configurable ``hmac-sha256`` (``get_scheme("hmac-sha256", header=..., encoding=...)``).
A new scheme implements ``SignatureScheme`` in a module of its own (an HMAC scheme inherits
``verify`` from ``verification.HmacVerifier`` and only reads its headers) and is added to the
table in ``registry.py``; outside harness, a package declares it as a
``harness.signature_schemes`` entry point instead (``harness.contract.plugins``).
"""

from harness.webhooks.base import (
    HeaderView,
    Secret,
    SignatureScheme,
    VerificationError,
    VerificationReason,
)
from harness.webhooks.generic import DigestAlgorithm, DigestEncoding, HmacScheme
from harness.webhooks.registry import SCHEME_NAMES, get_scheme
from harness.webhooks.signing import new_msg_id, sign, verify
from harness.webhooks.standard import StandardWebhooksScheme
from harness.webhooks.vendors import GitHubScheme, ShopifyScheme, SlackScheme, StripeScheme
from harness.webhooks.verification import HmacVerifier, SignedMessage

__all__ = [
    "SCHEME_NAMES",
    "DigestAlgorithm",
    "DigestEncoding",
    "GitHubScheme",
    "HeaderView",
    "HmacScheme",
    "HmacVerifier",
    "Secret",
    "ShopifyScheme",
    "SignatureScheme",
    "SignedMessage",
    "SlackScheme",
    "StandardWebhooksScheme",
    "StripeScheme",
    "VerificationError",
    "VerificationReason",
    "get_scheme",
    "new_msg_id",
    "sign",
    "verify",
]
