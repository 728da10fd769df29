"""Behaviour of harness.webhooks: known answers, round trips, reasons, tolerance, usage errors."""

from __future__ import annotations

import base64
import math
import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import harness.webhooks as webhooks
from harness.webhooks import (
    HmacScheme,
    SignatureScheme,
    VerificationError,
    VerificationReason,
    get_scheme,
    sign,
    verify,
)

R = VerificationReason
BOUNDED = settings(max_examples=50, deadline=None)
NOW = 1_700_000_000
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRETS = {
    "standard-webhooks": SW_SECRET,
    "stripe": "whsec_test_stripe_secret",
    "github": "It's a Secret to Everybody",
    "slack": "8f742231b10e8888abcd99yyyzzz85a5",
    "shopify": "shpss_0123456789",
    "hmac-sha256": "generic-secret",
}
WRONG_SECRET = "whsec_AAAAAAAAAAAAAAAAAAAAAAAA"  # valid for every scheme, right for none
TIMESTAMPED = ("standard-webhooks", "stripe", "slack")
GENERIC_VARIANTS = {
    "default": {},
    "sha1-base64-prefixed": {"algorithm": "sha1", "encoding": "base64", "prefix": "sha1="},
    "sha512-templated": {
        "algorithm": "sha512",
        "header": "X-Sig",
        "template": "{id}|{timestamp}|{body}",
        "timestamp_header": "X-Sig-Time",
        "id_header": "X-Sig-Id",
    },
}


def schemes() -> list[tuple[str, SignatureScheme]]:
    named = [(name, get_scheme(name)) for name in webhooks.SCHEME_NAMES]
    generic = [(f"hmac-{k}", HmacScheme(**opts)) for k, opts in GENERIC_VARIANTS.items()]  # type: ignore[arg-type]
    return named + generic


ALL_SCHEMES = schemes()
SCHEME_IDS = [name for name, _ in ALL_SCHEMES]


def secret_for(scheme: SignatureScheme) -> str:
    return SECRETS[scheme.name]


def reason_of(
    scheme: str | SignatureScheme, secret: str, headers: object, body: object, **kw: object
) -> R:
    with pytest.raises(VerificationError) as caught:
        verify(scheme, secret, headers, body, **kw)  # type: ignore[arg-type]
    return caught.value.reason


# --- published known-answer vectors ---------------------------------------------------------


def test_standard_webhooks_spec_vector() -> None:
    # libraries/python/tests/test_webhooks.py in github.com/standard-webhooks/standard-webhooks
    body, msg_id, ts = '{"test": 2432232314}', "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
    headers = sign("standard-webhooks", SW_SECRET, body, msg_id=msg_id, timestamp=ts)
    assert headers == {
        "webhook-id": msg_id,
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    verify("standard-webhooks", SW_SECRET, headers, body, now=ts)
    verify("standard-webhooks", SW_SECRET.removeprefix("whsec_"), headers, body, now=ts)


def test_github_documented_vector() -> None:
    # docs.github.com: "Validating webhook deliveries", test values.
    headers = sign("github", "It's a Secret to Everybody", "Hello, World!")
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert headers == {"X-Hub-Signature-256": expected}
    verify(
        "github", "It's a Secret to Everybody", {"x-hub-signature-256": expected}, b"Hello, World!"
    )


SLACK_DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfm"
    "ibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)


def test_slack_documented_vector() -> None:
    # docs.slack.dev/authentication/verifying-requests-from-slack, worked example.
    headers = sign("slack", SECRETS["slack"], SLACK_DOC_BODY, timestamp=1531420618)
    assert headers == {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    verify("slack", SECRETS["slack"], headers, SLACK_DOC_BODY, now=1531420618 + 60)


# --- round trips, for every scheme -----------------------------------------------------------

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789_-", min_size=1, max_size=30)


@pytest.mark.parametrize(("label", "scheme"), ALL_SCHEMES, ids=SCHEME_IDS)
@BOUNDED
@given(body=st.binary(max_size=300), msg_id=ids, skew=st.integers(-300, 300))
def test_round_trip_and_tampering(
    label: str, scheme: SignatureScheme, body: bytes, msg_id: str, skew: int
) -> None:
    secret = secret_for(scheme)
    headers = sign(scheme, secret, body, msg_id=msg_id, timestamp=NOW + skew)
    verify(scheme, secret, headers, body, now=NOW)
    assert reason_of(scheme, secret, headers, body + b"x", now=NOW) is R.BAD_SIGNATURE
    assert reason_of(scheme, WRONG_SECRET, headers, body, now=NOW) is R.BAD_SIGNATURE


@pytest.mark.parametrize(("label", "scheme"), ALL_SCHEMES, ids=SCHEME_IDS)
def test_header_names_in_any_case_and_text_or_bytes_bodies(
    label: str, scheme: SignatureScheme
) -> None:
    secret = secret_for(scheme)
    headers = sign(scheme, secret, "héllo wörld", timestamp=NOW)
    for change in (str.lower, str.upper, str.title):
        verify(
            scheme,
            secret,
            {change(k): v for k, v in headers.items()},
            "héllo wörld".encode(),
            now=NOW,
        )
    verify(scheme, secret, list(headers.items()), bytearray("héllo wörld".encode()), now=NOW)
    as_bytes = [(k.encode(), v.encode()) for k, v in headers.items()]
    verify(scheme, secret, as_bytes, memoryview("héllo wörld".encode()), now=NOW)


@pytest.mark.parametrize(("label", "scheme"), ALL_SCHEMES, ids=SCHEME_IDS)
def test_every_required_header_is_reported_missing(label: str, scheme: SignatureScheme) -> None:
    secret = secret_for(scheme)
    headers = sign(scheme, secret, b"{}", timestamp=NOW)
    for name in headers:
        without = {k: v for k, v in headers.items() if k != name}
        assert reason_of(scheme, secret, without, b"{}", now=NOW) is R.MISSING_HEADER
        assert reason_of(scheme, secret, {**without, name: " "}, b"{}", now=NOW) is R.MISSING_HEADER


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TIMESTAMPED)
def test_tolerance_is_five_minutes_in_both_directions(name: str) -> None:
    secret = SECRETS[name]
    for skew, ok in ((300, True), (-300, True), (301, False), (-301, False)):
        headers = sign(name, secret, b"{}", timestamp=NOW + skew)
        if ok:
            verify(name, secret, headers, b"{}", now=NOW)
        else:
            assert reason_of(name, secret, headers, b"{}", now=NOW) is R.TIMESTAMP_OUT_OF_TOLERANCE


@pytest.mark.parametrize("name", TIMESTAMPED)
def test_tolerance_can_be_overridden_or_disabled(name: str) -> None:
    secret = SECRETS[name]
    headers = sign(name, secret, b"{}", timestamp=NOW - 1000)
    verify(name, secret, headers, b"{}", now=NOW, tolerance_s=1000)
    verify(name, secret, headers, b"{}", now=NOW, tolerance_s=math.inf)
    verify(get_scheme(name, tolerance_s=1000), secret, headers, b"{}", now=NOW)
    assert (
        reason_of(name, secret, headers, b"{}", now=NOW, tolerance_s=999)
        is R.TIMESTAMP_OUT_OF_TOLERANCE
    )


@pytest.mark.parametrize("name", ["github", "shopify", "hmac-sha256"])
def test_schemes_without_timestamps_ignore_the_clock(name: str) -> None:
    headers = sign(name, SECRETS[name], b"{}", timestamp=0)
    verify(name, SECRETS[name], headers, b"{}", now=NOW, tolerance_s=0)


@pytest.mark.parametrize("name", TIMESTAMPED)
@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("abc", R.MALFORMED),
        ("1e9", R.MALFORMED),
        ("+1700000000", R.MALFORMED),
        ("1700000000.5", R.MALFORMED),
        ("9" * 40, R.MALFORMED),
        ("٣", R.MALFORMED),  # a non-ASCII digit
        ("9" * 30, R.BAD_SIGNATURE),  # well-formed, so the (stale) signature is what fails
        ("-5", R.BAD_SIGNATURE),
    ],
)
def test_timestamp_text_is_checked_before_the_signature(name: str, stamp: str, reason: R) -> None:
    headers = sign(name, SECRETS[name], b"{}", timestamp=NOW)
    if name == "stripe":
        forged = {"Stripe-Signature": headers["Stripe-Signature"].replace(f"t={NOW}", f"t={stamp}")}
    else:
        forged = {k: stamp if v == str(NOW) else v for k, v in headers.items()}
    assert reason_of(name, SECRETS[name], forged, b"{}", now=NOW) is reason


@pytest.mark.parametrize("name", TIMESTAMPED)
def test_huge_and_negative_timestamps_that_verify_are_out_of_tolerance(name: str) -> None:
    for timestamp in (-(10**14), 10**14, -1):
        headers = sign(name, SECRETS[name], b"{}", timestamp=timestamp)
        verify(name, SECRETS[name], headers, b"{}", now=timestamp)
        assert (
            reason_of(name, SECRETS[name], headers, b"{}", now=NOW) is R.TIMESTAMP_OUT_OF_TOLERANCE
        )


def test_timestamps_and_clocks_accept_datetimes() -> None:
    aware = datetime.fromtimestamp(NOW, tz=timezone(timedelta(hours=5)))
    naive = datetime.fromtimestamp(NOW, tz=UTC).replace(tzinfo=None)
    for stamp in (aware, naive):
        headers = sign("slack", SECRETS["slack"], b"{}", timestamp=stamp)
        assert headers["X-Slack-Request-Timestamp"] == str(NOW)
        verify("slack", SECRETS["slack"], headers, b"{}", now=stamp)


# --- scheme-specific parsing ---------------------------------------------------------------


def test_standard_webhooks_rotation_and_unknown_versions() -> None:
    headers = sign("standard-webhooks", SW_SECRET, b"{}", msg_id="msg_1", timestamp=NOW)
    good = headers["webhook-signature"]
    other = sign("standard-webhooks", WRONG_SECRET, b"{}", msg_id="msg_1", timestamp=NOW)
    for value in (
        f"{other['webhook-signature']} {good}",
        f"v2,{good[3:]} {good}  v1a,xyz",
        f"v1,not-base64!! {good}",
    ):
        verify(
            "standard-webhooks", SW_SECRET, {**headers, "webhook-signature": value}, b"{}", now=NOW
        )
    only_v2 = {**headers, "webhook-signature": f"v2,{good[3:]}"}
    assert reason_of("standard-webhooks", SW_SECRET, only_v2, b"{}", now=NOW) is R.BAD_SIGNATURE
    no_comma = {**headers, "webhook-signature": f"{good} garbage"}
    assert reason_of("standard-webhooks", SW_SECRET, no_comma, b"{}", now=NOW) is R.MALFORMED


def test_standard_webhooks_accepts_raw_key_bytes() -> None:
    key = b"\x00\xff" * 16
    headers = sign("standard-webhooks", key, b"{}", timestamp=NOW)
    verify("standard-webhooks", key, headers, b"{}", now=NOW)
    verify("standard-webhooks", "whsec_" + base64.b64encode(key).decode(), headers, b"{}", now=NOW)


def test_stripe_header_parsing() -> None:
    secret = SECRETS["stripe"]
    value = sign("stripe", secret, b"{}", timestamp=NOW)["Stripe-Signature"]
    v1 = value.split(",")[1]
    bad = "v1=" + "0" * 64
    for header in (f"{value},{bad}", f"t={NOW},{bad},v0=abc,{v1}", f" t={NOW} , {v1} "):
        verify("stripe", secret, {"stripe-signature": header}, b"{}", now=NOW)
    cases = {
        f"t={NOW},v0=abc": R.BAD_SIGNATURE,
        f"t={NOW},{bad}": R.BAD_SIGNATURE,
        v1: R.MALFORMED,
        f"t={NOW},t={NOW},{v1}": R.MALFORMED,
        f"t={NOW},junk,{v1}": R.MALFORMED,
    }
    for header, reason in cases.items():
        assert (
            reason_of("stripe", secret, {"Stripe-Signature": header}, b"{}", now=NOW) is reason
        ), header


@pytest.mark.parametrize(
    ("name", "header", "value"),
    [
        (
            "github",
            "X-Hub-Signature-256",
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ),
        ("github", "X-Hub-Signature-256", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d"),
        ("github", "X-Hub-Signature-256", "sha256=xyz"),
        ("shopify", "X-Shopify-Hmac-Sha256", "not base64!"),
        ("shopify", "X-Shopify-Hmac-Sha256", "c2hvcnQ="),
        ("hmac-sha256", "X-Signature", "ab"),
    ],
)
def test_malformed_signature_values(name: str, header: str, value: str) -> None:
    assert reason_of(name, SECRETS[name], {header: value}, b"{}") is R.MALFORMED


def test_uppercase_hex_is_the_same_digest() -> None:
    value = sign("github", "s", b"{}")["X-Hub-Signature-256"]
    verify("github", "s", {"X-Hub-Signature-256": "sha256=" + value[7:].upper()}, b"{}")


# --- the message-side problems are VerificationErrors ------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [None, 42, "X-Hub-Signature-256: sha256=00", {"X-Hub-Signature-256": 5}, {7: "x"}, [("a",)]],
)
def test_garbage_header_containers_are_malformed(headers: object) -> None:
    assert reason_of("github", "s", headers, b"{}") is R.MALFORMED


def test_conflicting_duplicate_headers_are_malformed() -> None:
    value = sign("github", "s", b"{}")["X-Hub-Signature-256"]
    verify("github", "s", [("X-Hub-Signature-256", value), ("x-hub-signature-256", value)], b"{}")
    conflicting = {"X-Hub-Signature-256": value, "x-hub-signature-256": "sha256=" + "0" * 64}
    assert reason_of("github", "s", conflicting, b"{}") is R.MALFORMED


@pytest.mark.parametrize("body", [None, 12, ["x"], "lone \ud800 surrogate"])
def test_unusable_bodies_are_malformed(body: object) -> None:
    headers = sign("github", "s", b"{}")
    assert reason_of("github", "s", headers, body) is R.MALFORMED


def test_error_text_names_scheme_reason_and_header() -> None:
    with pytest.raises(VerificationError) as caught:
        verify("slack", "s", {"X-Slack-Signature": "v0=00"}, b"")
    assert (
        str(caught.value) == "slack: missing_header: header 'X-Slack-Request-Timestamp' is absent"
    )
    assert caught.value.scheme == "slack"
    assert caught.value.detail == "header 'X-Slack-Request-Timestamp' is absent"
    clone = pickle.loads(pickle.dumps(caught.value))
    assert (clone.reason, clone.detail, clone.scheme) == (
        R.MISSING_HEADER,
        caught.value.detail,
        "slack",
    )


def test_garbage_is_shortened_in_messages() -> None:
    with pytest.raises(VerificationError) as caught:
        verify("github", "s", {"X-Hub-Signature-256": "x" * 10_000}, b"")
    assert len(str(caught.value)) < 250
    assert "(10000 chars)" in str(caught.value)
