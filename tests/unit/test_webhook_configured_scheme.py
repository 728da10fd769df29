"""One constructor of the contract's signature scheme, for the sandbox, the checks and the kit."""

from __future__ import annotations

import pytest

from harness.contract.model import Secret, Signature
from harness.errors import UsageError
from harness.webhooks import GitHubScheme, HmacScheme, StandardWebhooksScheme
from harness.webhooks.configured import configured_scheme

SECRET = Secret(var="WEBHOOK_SECRET", value=None)


def test_a_timestamped_scheme_takes_the_declared_tolerance() -> None:
    scheme = configured_scheme(Signature(scheme="standard-webhooks", secret=SECRET, tolerance_s=60))
    assert scheme == StandardWebhooksScheme(tolerance_s=60)


def test_a_scheme_without_timestamps_ignores_a_tolerance() -> None:
    scheme = configured_scheme(Signature(scheme="github", secret=SECRET, tolerance_s=60))
    assert scheme == GitHubScheme()


def test_generic_hmac_takes_its_options() -> None:
    signature = Signature(
        scheme="hmac-sha256", secret=SECRET, header="X-Sig", encoding="base64", prefix="sha256="
    )
    scheme = configured_scheme(signature)
    assert isinstance(scheme, HmacScheme)
    assert (scheme.header, scheme.prefix) == ("X-Sig", "sha256=")


def test_an_unknown_scheme_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown signature scheme"):
        configured_scheme(Signature(scheme="stripes", secret=SECRET))  # type: ignore[arg-type]
