"""Scheme lookup, the generic scheme's options, configuration errors and the public API."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

import pytest

import harness.webhooks as webhooks
from harness.errors import UsageError
from harness.webhooks import (
    DigestAlgorithm,
    DigestEncoding,
    GitHubScheme,
    HeaderView,
    HmacScheme,
    Secret,
    SignatureScheme,
    VerificationError,
    VerificationReason,
    get_scheme,
    new_msg_id,
    sign,
    verify,
)


def test_public_api() -> None:
    assert set(webhooks.__all__) == {
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
    }
    assert all(hasattr(webhooks, name) for name in webhooks.__all__)
    assert not issubclass(VerificationError, UsageError)
    assert [str(reason) for reason in VerificationReason] == [
        "missing_header",
        "malformed",
        "bad_signature",
        "timestamp_out_of_tolerance",
    ]


def test_every_name_resolves_to_a_scheme_of_that_name() -> None:
    assert webhooks.SCHEME_NAMES == (
        "standard-webhooks",
        "stripe",
        "github",
        "slack",
        "shopify",
        "hmac-sha256",
    )
    for name in webhooks.SCHEME_NAMES:
        scheme = get_scheme(name)
        assert isinstance(scheme, SignatureScheme)
        assert scheme.name == name
        assert get_scheme(name.upper()) == scheme


def test_unknown_scheme_names_get_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        get_scheme("stripes")
    assert str(caught.value) == (
        "unknown signature scheme 'stripes'; known schemes: standard-webhooks, stripe, github, "
        "slack, shopify, hmac-sha256; did you mean 'stripe'?"
    )
    with pytest.raises(UsageError, match="did you mean 'standard-webhooks'"):
        sign("standard_webhook", "whsec_AAAA", b"")
    with pytest.raises(UsageError, match="did you mean 'github'"):
        verify("githbu", "s", {}, b"")
    with pytest.raises(UsageError, match="known schemes"):
        get_scheme("zzzz")


def test_unknown_options_get_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        get_scheme("hmac-sha256", algoritm="sha1")
    assert str(caught.value) == (
        "signature scheme 'hmac-sha256' has no option 'algoritm'; its options are algorithm, "
        "header, encoding, prefix, template, timestamp_header, id_header, tolerance_s; "
        "did you mean 'algorithm'?"
    )
    with pytest.raises(UsageError, match="'github' has no option 'tolerance_s'; it takes none"):
        get_scheme("github", tolerance_s=10)


def test_options_given_as_none_mean_not_given() -> None:
    assert get_scheme("github", tolerance_s=None) == GitHubScheme()
    assert get_scheme("hmac-sha256", header=None, prefix=None) == HmacScheme()


def test_generic_options_are_coerced_and_checked() -> None:
    scheme = get_scheme("hmac-sha256", algorithm="SHA512", encoding="base64")
    assert isinstance(scheme, HmacScheme)
    assert scheme.algorithm is DigestAlgorithm.SHA512
    assert scheme.encoding is DigestEncoding.BASE64
    bad = {
        "algorithm must be one of sha1, sha256, sha512, got 'sha265'; did you mean 'sha256'?": {
            "algorithm": "sha265"
        },
        "encoding must be one of hex, base64, got 'b64'": {"encoding": "b64"},
        "header must name a header, got an empty string": {"header": ""},
        "prefix must be a string, got 3": {"prefix": 3},
        "only {body}, {timestamp} and {id} can be signed; did you mean '{body}'?": {
            "template": "{bdy}"
        },
        "must contain {body}": {"template": "{id}", "id_header": "X-Id"},
        "is not valid": {"template": "{body"},
        "'{timestamp}' in the template needs timestamp_header": {"template": "{timestamp}.{body}"},
        "an unsigned id proves nothing": {"id_header": "X-Id"},
        "tolerance_s must be zero or more seconds": {"tolerance_s": -1},
    }
    for message, options in bad.items():
        with pytest.raises(UsageError) as caught:
            get_scheme("hmac-sha256", **options)
        assert message in str(caught.value), options


def test_generic_templates_escape_braces_and_sign_ids_and_times() -> None:
    scheme = HmacScheme(
        template="{{{timestamp}}}:{id}:{body}",
        timestamp_header="X-Time",
        id_header="X-Id",
        prefix="v1=",
    )
    headers = sign(scheme, "s", b"{}", msg_id="evt_1", timestamp=1_000)
    expected = hmac.new(b"s", b"{1000}:evt_1:{}", hashlib.sha256).hexdigest()
    assert headers == {"X-Signature": f"v1={expected}", "X-Time": "1000", "X-Id": "evt_1"}
    verify(scheme, "s", headers, b"{}", now=1_000)
    swapped = {**headers, "X-Id": "evt_2"}
    with pytest.raises(VerificationError) as caught:
        verify(scheme, "s", swapped, b"{}", now=1_000)
    assert caught.value.reason is VerificationReason.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sign("github", "", b""), "the secret is empty"),
        (lambda: verify("github", b"", {}, b""), "the secret is empty"),
        (lambda: sign("github", 5, b""), "the secret must be str or bytes"),  # type: ignore[arg-type]
        (lambda: sign("standard-webhooks", "whsec_!!", b""), "followed by base64"),
        (lambda: verify("standard-webhooks", "whsec_", {}, b""), "the secret is empty"),
        (lambda: sign("stripe", "\ud800", b""), "the secret is not valid text"),
        (lambda: sign("github", "s", "\ud800"), "body must be bytes or UTF-8 text"),
        (lambda: sign("github", "s", None), "body must be bytes or UTF-8 text, got NoneType"),  # type: ignore[arg-type]
        (lambda: sign("slack", "s", b"", timestamp=True), "timestamp must be int seconds"),  # type: ignore[arg-type]
        (lambda: sign("slack", "s", b"", timestamp=1.5), "timestamp must be int seconds"),  # type: ignore[arg-type]
        (lambda: sign("slack", "s", b"", timestamp=10**100), "timestamp must be int seconds"),
        (lambda: sign("standard-webhooks", b"k", b"", msg_id=""), "msg_id must be non-empty"),
        (lambda: sign("standard-webhooks", b"k", b"", msg_id="a\r\nb"), "printable"),
        (lambda: verify("slack", "s", {}, b"", now=math.nan), "now must be finite"),
        (lambda: verify("slack", "s", {}, b"", now=10**400), "now must be finite"),
        (lambda: verify("slack", "s", {}, b"", tolerance_s=-1), "zero or more seconds"),
        (lambda: verify("slack", "s", {}, b"", tolerance_s=math.nan), "zero or more seconds"),
        (lambda: verify(3, "s", {}, b""), "scheme must be a scheme name"),  # type: ignore[arg-type]
        (lambda: get_scheme("slack", tolerance_s="5m"), "tolerance_s must be a number"),
    ],
)
def test_configuration_mistakes_are_usage_errors(call: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        call()  # type: ignore[operator]
    assert message in str(caught.value)


def test_default_ids_and_timestamps() -> None:
    first, second = new_msg_id(), new_msg_id()
    assert first.startswith("msg_")
    assert len(first) == 28
    assert first != second
    headers = sign("standard-webhooks", b"key", b"{}")
    assert headers["webhook-id"].startswith("msg_")
    verify("standard-webhooks", b"key", headers, b"{}")  # signed now, checked now


@dataclass(frozen=True)
class UpperCaseEcho:
    """A toy scheme: the seam is a Protocol, so anything with these methods plugs in."""

    @property
    def name(self) -> str:
        return "echo"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        return {"X-Echo": body.decode().upper()}

    def verify(
        self,
        secret: Secret,
        headers: HeaderView,
        body: bytes,
        *,
        now: float,
        tolerance_s: float | None,
    ) -> None:
        if headers.require("x-echo") != body.decode().upper():
            raise VerificationError(VerificationReason.BAD_SIGNATURE, "not an echo")


def test_custom_schemes_plug_into_sign_and_verify() -> None:
    scheme = UpperCaseEcho()
    assert isinstance(scheme, SignatureScheme)
    verify(scheme, "s", sign(scheme, "s", "abc"), "abc")
    with pytest.raises(VerificationError, match=r"^echo: bad_signature: not an echo$"):
        verify(scheme, "s", {"X-ECHO": "ABD"}, "abc")
