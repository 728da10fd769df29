"""Fuzzing ``verify``: whatever the headers and body, the only exception is VerificationError."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.webhooks import (
    SCHEME_NAMES,
    HmacScheme,
    SignatureScheme,
    VerificationError,
    VerificationReason,
    get_scheme,
    sign,
    verify,
)

BOUNDED = settings(max_examples=50, deadline=None)
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # a valid secret for every scheme
SCHEMES: list[SignatureScheme] = [get_scheme(name) for name in SCHEME_NAMES] + [
    HmacScheme(
        algorithm="sha512",  # type: ignore[arg-type]
        encoding="base64",  # type: ignore[arg-type]
        prefix="sig=",
        template="{id}.{timestamp}.{body}",
        timestamp_header="X-Time",
        id_header="X-Id",
    )
]
IDS = [
    scheme.name + ("-configured" if i >= len(SCHEME_NAMES) else "")
    for i, scheme in enumerate(SCHEMES)
]
NAMES = sorted(
    {name for scheme in SCHEMES for name in sign(scheme, SECRET, b"{}", timestamp=0)}
    | {"Content-Type"}
)


@st.composite
def any_case(draw: st.DrawFn, name: str) -> str:
    flags = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.upper() if up else c.lower() for c, up in zip(name, flags, strict=True))


names = st.sampled_from(NAMES).flatmap(any_case) | st.text(max_size=20)
digits = st.text(alphabet="0123456789", min_size=1, max_size=6000)
values = st.one_of(
    st.text(max_size=100),  # anything: non-ASCII, lone surrogates, control characters
    st.text(alphabet="0123456789-+. e", max_size=40),  # numbers, nearly
    digits,  # huge numbers, past int()'s default digit limit
    st.builds("-{}".format, digits),
    st.builds("t={},v1={}".format, st.integers(-(10**40), 10**40), st.text(max_size=70)),
    st.from_regex(r"(v[0-9a],[A-Za-z0-9+/=]{0,50} ?){0,4}", fullmatch=True),
    st.from_regex(r"(sha256|v0|sig)=[0-9a-fA-F]{60,66}", fullmatch=True),
    st.binary(min_size=30, max_size=66).map(lambda raw: base64.b64encode(raw).decode()),
)
bodies = st.binary(max_size=200) | st.text(max_size=200)
clocks = st.none() | st.integers(-(2**40), 2**40)


def assert_clean_rejection(error: VerificationError) -> None:
    assert error.reason in set(VerificationReason)
    assert str(error).startswith(f"{error.scheme}: {error.reason}: ")


@pytest.mark.parametrize("scheme", SCHEMES, ids=IDS)
@BOUNDED
@given(headers=st.dictionaries(names, values, max_size=6), body=bodies, now=clocks)
def test_arbitrary_headers_are_rejected_cleanly(
    scheme: SignatureScheme, headers: dict[str, str], body: bytes | str, now: int | None
) -> None:
    with pytest.raises(VerificationError) as caught:
        verify(scheme, SECRET, headers, body, now=now)
    assert_clean_rejection(caught.value)


garbage = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=10), st.binary(max_size=10)
)
containers = st.one_of(
    garbage,
    st.dictionaries(names | st.binary(max_size=10) | st.integers(), values | garbage, max_size=5),
    st.lists(st.tuples(names | garbage, values | garbage), max_size=5),
    st.lists(garbage | st.tuples(names), max_size=3),
)


@pytest.mark.parametrize("scheme", SCHEMES, ids=IDS)
@BOUNDED
@given(headers=containers, body=bodies | garbage | st.lists(st.integers(), max_size=3))
def test_garbage_containers_and_bodies_are_rejected_cleanly(
    scheme: SignatureScheme, headers: object, body: object
) -> None:
    with pytest.raises(VerificationError) as caught:
        verify(scheme, SECRET, headers, body)  # type: ignore[arg-type]
    assert_clean_rejection(caught.value)


@pytest.mark.parametrize("scheme", SCHEMES, ids=IDS)
@BOUNDED
@given(
    body=st.binary(max_size=100),
    timestamp=st.integers(-(2**40), 2**40),
    target=st.integers(0, 10),
    replacement=values,
    cut=st.integers(0, 100),
    now_skew=st.integers(-1000, 1000),
)
def test_mutated_signed_messages_verify_or_are_rejected_cleanly(
    scheme: SignatureScheme,
    body: bytes,
    timestamp: int,
    target: int,
    replacement: str,
    cut: int,
    now_skew: int,
) -> None:
    headers = sign(scheme, SECRET, body, timestamp=timestamp)
    name = sorted(headers)[target % len(headers)]
    for mutated in (
        {**headers, name: replacement},
        {**headers, name: headers[name][:cut] + replacement + headers[name][cut:]},
        {**headers, name.swapcase(): headers[name] + replacement},
    ):
        with contextlib.suppress(VerificationError):
            verify(scheme, SECRET, mutated, body, now=timestamp + now_skew)
    with pytest.raises(VerificationError) as caught:
        verify(scheme, SECRET, headers, body + b"\x00", now=timestamp)
    assert caught.value.reason is VerificationReason.BAD_SIGNATURE
