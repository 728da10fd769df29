"""Cross-checks against the vendors' own libraries and documented recipes.

For generated (secret, id, timestamp, body): what we sign they verify, what they sign we
verify, and what they reject on well-formed input (tampered body, wrong secret, stale
timestamp) we reject too. ``standardwebhooks`` and ``stripe`` read the wall clock, so their
timestamps stay well inside the window; ``slack_sdk`` takes a clock, so its window edges are
compared exactly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import pytest
import slack_sdk.signature
import stripe
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from harness.webhooks import HmacScheme, VerificationError, VerificationReason, sign, verify

R = VerificationReason
BOUNDED = settings(max_examples=50, deadline=None)

# Text a sender can actually encode (no lone surrogates): the libraries take str bodies.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_", min_size=1, max_size=32)
key_bytes = st.binary(min_size=24, max_size=64)
text_secrets = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=40)
# Both libraries that read the wall clock get timestamps well inside their 5-minute window.
skews = st.integers(min_value=-200, max_value=200)


def reason_of(
    scheme: str, secret: str | bytes, headers: dict[str, str], body: str, **kw: float
) -> R:
    with pytest.raises(VerificationError) as caught:
        verify(scheme, secret, headers, body, **kw)
    return caught.value.reason


# --- Standard Webhooks: the standardwebhooks package -----------------------------------------


def whsec(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode()


def sw_headers(msg_id: str, timestamp: int, signature: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def test_standardwebhooks_signs_the_spec_vector_like_us() -> None:
    when = datetime.fromtimestamp(1614265330, tz=UTC)
    theirs = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek", when, '{"test": 2432232314}'
    )
    ours = sign(
        "standard-webhooks",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        '{"test": 2432232314}',
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
    )
    assert ours["webhook-signature"] == theirs == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@BOUNDED
@given(key=key_bytes, msg_id=ids, skew=skews, body=texts)
def test_standardwebhooks_accepts_what_we_sign(
    key: bytes, msg_id: str, skew: int, body: str
) -> None:
    timestamp = int(time.time()) + skew
    headers = sign("standard-webhooks", whsec(key), body, msg_id=msg_id, timestamp=timestamp)
    assert Webhook(whsec(key)).verify(body, headers, json_parse=False) is None
    assert (
        Webhook(whsec(key).removeprefix("whsec_")).verify(body, headers, json_parse=False) is None
    )


@BOUNDED
@given(key=key_bytes, msg_id=ids, skew=skews, body=texts)
def test_we_accept_what_standardwebhooks_signs(
    key: bytes, msg_id: str, skew: int, body: str
) -> None:
    timestamp = int(time.time()) + skew
    signature = Webhook(whsec(key)).sign(msg_id, datetime.fromtimestamp(timestamp, tz=UTC), body)
    headers = sw_headers(msg_id, timestamp, signature)
    verify("standard-webhooks", whsec(key), headers, body)
    verify("standard-webhooks", key, headers, body.encode(), now=timestamp)


@BOUNDED
@given(key=key_bytes, other=key_bytes, msg_id=ids, skew=skews, body=texts)
def test_standardwebhooks_and_we_reject_tampering(
    key: bytes, other: bytes, msg_id: str, skew: int, body: str
) -> None:
    timestamp = int(time.time()) + skew
    headers = sign("standard-webhooks", whsec(key), body, msg_id=msg_id, timestamp=timestamp)
    tampered_id = {**headers, "webhook-id": msg_id + "x"}
    cases = [(whsec(key), headers, body + "!"), (whsec(key), tampered_id, body)]
    if other != key:
        cases.append((whsec(other), headers, body))
    for secret, sent, received in cases:
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(received, sent, json_parse=False)
        assert reason_of("standard-webhooks", secret, sent, received) is R.BAD_SIGNATURE


@pytest.mark.parametrize("skew", [-400, 400])
def test_standardwebhooks_and_we_reject_stale_and_future_messages(skew: int) -> None:
    key = whsec(b"k" * 32)
    headers = sign("standard-webhooks", key, "{}", timestamp=int(time.time()) + skew)
    with pytest.raises(WebhookVerificationError, match="timestamp too"):
        Webhook(key).verify("{}", headers, json_parse=False)
    assert reason_of("standard-webhooks", key, headers, "{}") is R.TIMESTAMP_OUT_OF_TOLERANCE


def test_standardwebhooks_and_we_agree_on_rotation_lists() -> None:
    key, old = whsec(b"n" * 32), whsec(b"o" * 32)
    headers = sign("standard-webhooks", key, "{}", msg_id="msg_1")
    stale = sign(
        "standard-webhooks", old, "{}", msg_id="msg_1", timestamp=int(headers["webhook-timestamp"])
    )
    both = {
        **headers,
        "webhook-signature": f"{stale['webhook-signature']} {headers['webhook-signature']}",
    }
    for secret in (key, old):
        Webhook(secret).verify("{}", both, json_parse=False)
        verify("standard-webhooks", secret, both, "{}")


# --- Stripe: the stripe package ----------------------------------------------------------------

stripe_secrets = text_secrets.map(lambda text: "whsec_" + text)


@BOUNDED
@given(secret=stripe_secrets, skew=skews, body=texts)
def test_stripe_accepts_what_we_sign(secret: str, skew: int, body: str) -> None:
    headers = sign("stripe", secret, body, timestamp=int(time.time()) + skew)
    assert stripe.WebhookSignature.verify_header(body, headers["Stripe-Signature"], secret, 300)
    assert stripe.WebhookSignature.verify_header(body.encode(), headers["Stripe-Signature"], secret)


@BOUNDED
@given(secret=stripe_secrets, timestamp=st.integers(0, 2**40), body=texts)
def test_we_accept_what_stripe_signs(secret: str, timestamp: int, body: str) -> None:
    header = stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp)
    verify("stripe", secret, {"Stripe-Signature": header}, body, now=timestamp)
    verify("stripe", secret, {"stripe-signature": header}, body.encode(), now=timestamp + 300)


@BOUNDED
@given(secret=stripe_secrets, other=stripe_secrets, skew=skews, body=texts)
def test_stripe_and_we_reject_tampering(secret: str, other: str, skew: int, body: str) -> None:
    headers = sign("stripe", secret, body, timestamp=int(time.time()) + skew)
    cases = [(secret, body + " ")] + ([(other, body)] if other != secret else [])
    for key, received in cases:
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.WebhookSignature.verify_header(received, headers["Stripe-Signature"], key, 300)
        assert reason_of("stripe", key, headers, received) is R.BAD_SIGNATURE


def test_stripe_construct_event_accepts_what_we_sign() -> None:
    body = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.paid"})
    headers = sign("stripe", "whsec_abc", body)
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], "whsec_abc")
    assert event.id == "evt_1"


def test_stripe_and_we_agree_on_multiple_v1_entries_and_stale_messages() -> None:
    now = int(time.time())
    good = stripe.WebhookSignature.generate_signature_header("{}", "whsec_new", timestamp=now)
    old = stripe.WebhookSignature.generate_signature_header("{}", "whsec_old", timestamp=now)
    rolled = f"{good},{old.split(',')[1]},v0={'0' * 64}"
    for secret in ("whsec_new", "whsec_old"):
        assert stripe.WebhookSignature.verify_header("{}", rolled, secret, 300)
        verify("stripe", secret, {"Stripe-Signature": rolled}, "{}")
    stale = stripe.WebhookSignature.generate_signature_header(
        "{}", "whsec_new", timestamp=now - 400
    )
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.WebhookSignature.verify_header("{}", stale, "whsec_new", 300)
    assert (
        reason_of("stripe", "whsec_new", {"Stripe-Signature": stale}, "{}")
        is R.TIMESTAMP_OUT_OF_TOLERANCE
    )


def test_we_are_stricter_than_stripe_about_future_timestamps() -> None:
    # stripe-python only rejects stale timestamps; a far-future one would stay replayable,
    # so we apply the window in both directions, as Standard Webhooks and Slack do.
    future = stripe.WebhookSignature.generate_signature_header(
        "{}", "whsec_x", timestamp=int(time.time()) + 400
    )
    assert stripe.WebhookSignature.verify_header("{}", future, "whsec_x", 300)
    assert (
        reason_of("stripe", "whsec_x", {"Stripe-Signature": future}, "{}")
        is R.TIMESTAMP_OUT_OF_TOLERANCE
    )


# --- Slack: slack_sdk, whose verifier takes a clock ---------------------------------------------


class FixedClock(slack_sdk.signature.Clock):
    def __init__(self, now: float) -> None:
        self.at = now

    def now(self) -> float:
        return self.at


def slack_verifier(secret: str, now: float) -> slack_sdk.signature.SignatureVerifier:
    return slack_sdk.signature.SignatureVerifier(secret, clock=FixedClock(now))


@BOUNDED
@given(
    secret=text_secrets, timestamp=st.integers(0, 2**40), skew=st.integers(-400, 400), body=texts
)
def test_slack_sdk_and_we_agree_on_what_we_sign(
    secret: str, timestamp: int, skew: int, body: str
) -> None:
    headers = sign("slack", secret, body, timestamp=timestamp)
    now = timestamp + skew
    inside = abs(skew) <= 300  # slack_sdk: abs(now - int(timestamp)) > 60 * 5 is stale
    assert slack_verifier(secret, now).is_valid_request(body, headers) is inside
    if inside:
        verify("slack", secret, headers, body, now=now)
    else:
        assert reason_of("slack", secret, headers, body, now=now) is R.TIMESTAMP_OUT_OF_TOLERANCE


@BOUNDED
@given(secret=text_secrets, timestamp=st.integers(0, 2**40), body=texts)
def test_we_accept_what_slack_sdk_signs(secret: str, timestamp: int, body: str) -> None:
    verifier = slack_verifier(secret, timestamp)
    signature = verifier.generate_signature(timestamp=str(timestamp), body=body)
    assert signature is not None
    headers = {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}
    verify("slack", secret, headers, body.encode(), now=timestamp)


@BOUNDED
@given(secret=text_secrets, other=text_secrets, timestamp=st.integers(0, 2**40), body=texts)
def test_slack_sdk_and_we_reject_tampering(
    secret: str, other: str, timestamp: int, body: str
) -> None:
    headers = sign("slack", secret, body, timestamp=timestamp)
    cases = [(secret, body + "x")] + ([(other, body)] if other != secret else [])
    for key, received in cases:
        assert not slack_verifier(key, timestamp).is_valid_request(received, headers)
        assert reason_of("slack", key, headers, received, now=timestamp) is R.BAD_SIGNATURE


def test_the_generic_scheme_configured_like_slack_is_slack() -> None:
    like_slack = HmacScheme(
        header="X-Slack-Signature",
        prefix="v0=",
        template="v0:{timestamp}:{body}",
        timestamp_header="X-Slack-Request-Timestamp",
    )
    headers = sign(like_slack, "secret", '{"a": 1}', timestamp=1_700_000_000)
    assert headers == sign("slack", "secret", '{"a": 1}', timestamp=1_700_000_000)
    assert slack_verifier("secret", 1_700_000_000).is_valid_request('{"a": 1}', headers)


# --- GitHub and Shopify: their documented recipes ------------------------------------------------


def github_recipe(secret: str, body: bytes) -> str:
    """The Python sample of docs.github.com "Validating webhook deliveries"."""
    return (
        "sha256=" + hmac.new(secret.encode("utf-8"), msg=body, digestmod=hashlib.sha256).hexdigest()
    )


def shopify_recipe(secret: str, body: bytes) -> str:
    """The Python sample of shopify.dev "Verify webhooks" (HMAC-SHA256, base64)."""
    digest = hmac.new(secret.encode("utf-8"), body, digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode("utf-8")


@BOUNDED
@given(secret=text_secrets, body=st.binary(max_size=300))
def test_github_and_shopify_recipes_agree_with_us(secret: str, body: bytes) -> None:
    assert sign("github", secret, body) == {"X-Hub-Signature-256": github_recipe(secret, body)}
    assert sign("shopify", secret, body) == {"X-Shopify-Hmac-Sha256": shopify_recipe(secret, body)}
    like_github = HmacScheme(header="X-Hub-Signature-256", prefix="sha256=")
    like_shopify = HmacScheme(header="X-Shopify-Hmac-Sha256", encoding="base64")  # type: ignore[arg-type]
    assert sign(like_github, secret, body) == sign("github", secret, body)
    assert sign(like_shopify, secret, body) == sign("shopify", secret, body)
    verify("github", secret, {"x-hub-signature-256": github_recipe(secret, body)}, body)
    verify("shopify", secret, {"X-SHOPIFY-HMAC-SHA256": shopify_recipe(secret, body)}, body)
