"""Rate-limit header parsers: the drafts' own examples, round trips, and no input that raises."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harness.checks.ratelimit.headers import header_problems
from harness.contract.model import RateLimit, RateLimitHeaders
from harness.errors import UsageError
from harness.transports.ratelimit_headers import (
    EPOCH_THRESHOLD_S,
    RateLimitInfo,
    RateLimitStyle,
    format_rate_limit_headers,
    missing_fields,
    parse_rate_limit,
    parse_retry_after,
)

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
IETF, LEGACY, X = RateLimitStyle.IETF, RateLimitStyle.LEGACY_RATELIMIT, RateLimitStyle.X_RATELIMIT
bounded = settings(max_examples=50, deadline=None)

KNOWN_NAMES = [
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "x-ratelimit-policy",
]
# Characters the parsers treat specially, so random values reach past the first check.
FIELD_ALPHABET = st.sampled_from([*'0123456789 \t,;="\\:-.rtqwlimitdefaul', "\u00e9", "\u0663"])


def info(style: RateLimitStyle, **fields: float | None) -> RateLimitInfo:
    return RateLimitInfo(style=style, **fields)  # type: ignore[arg-type]


# --- Every example the drafts give ------------------------------------------------------------

DRAFT_EXAMPLES = [
    # draft-ietf-httpapi-ratelimit-headers-08 .. -11, sections 3.2 and 4.2
    ({"RateLimit": '"default";r=50;t=30'}, info(IETF, remaining=50, reset_s=30.0)),
    (
        {"RateLimit": '"default";r=50;t=30', "RateLimit-Policy": '"default";q=100;w=10'},
        info(IETF, limit=100, remaining=50, reset_s=30.0, window_s=10),
    ),
    (
        {
            "RateLimit": '"perhr";r=999;t=600',
            "RateLimit-Policy": '"permin";q=50;w=60,"perhr";q=1000;w=3600',
        },
        info(IETF, limit=1000, remaining=999, reset_s=600.0, window_s=3600),
    ),
    (
        {"RateLimit-Policy": '"burst";q=100;w=60,"daily";q=1000;w=86400'},
        info(IETF, limit=100, window_s=60),
    ),
    (
        {"RateLimit-Policy": '"peruser";q=100;w=60;pk=:cHsdsRa894==:'},
        info(IETF, limit=100, window_s=60),
    ),
    (
        {"RateLimit-Policy": '"peruser";q=65535;qu="content-bytes";w=10;pk=:sdfjLJUOUH==:'},
        info(IETF, limit=65535, window_s=10),
    ),
    ({"RateLimit": '"default";r=999;pk=:dHJpYWwxMjEzMjM=:'}, info(IETF, remaining=999)),
    (
        {"RateLimit": '"default";r=300000000;t=60;pk=:QXBwLTk5OQ==:'},
        info(IETF, remaining=300_000_000, reset_s=60.0),
    ),
    ({"RateLimit": '"problemPolicy";r=0;t=10'}, info(IETF, remaining=0, reset_s=10.0)),
    ({"RateLimit": '"default";r=1;t=7'}, info(IETF, remaining=1, reset_s=7.0)),
    (  # several service limits: the one closest to throttling is reported
        {
            "RateLimit": '"permin";r=40;t=20, "perhr";r=5;t=1200',
            "RateLimit-Policy": '"permin";q=50;w=60, "perhr";q=1000;w=3600',
        },
        info(IETF, limit=1000, remaining=5, reset_s=1200.0, window_s=3600),
    ),
    # draft-ietf-httpapi-ratelimit-headers-07, sections 3.5 and 5
    (
        {"RateLimit": "limit=100, remaining=50, reset=5", "RateLimit-Policy": "100;w=10"},
        info(IETF, limit=100, remaining=50, reset_s=5.0, window_s=10),
    ),
    (
        {"RateLimit": "limit=10, remaining=1, reset=7"},
        info(IETF, limit=10, remaining=1, reset_s=7.0),
    ),
    (
        {
            "RateLimit": "limit=50, remaining=49, reset=30",
            "RateLimit-Policy": "10;w=1, 50;w=60, 1000;w=3600, 5000;w=86400",
        },
        info(IETF, limit=50, remaining=49, reset_s=30.0, window_s=60),
    ),
    (
        {
            "RateLimit": "limit=10, remaining=0, reset=10",
            "RateLimit-Policy": "10;w=1;burst=1000, 1000;w=3600",
        },
        info(IETF, limit=10, remaining=0, reset_s=10.0, window_s=1),
    ),
    # draft-ietf-httpapi-ratelimit-headers-00 .. -06: separate fields
    (
        {"RateLimit-Limit": "10", "RateLimit-Remaining": "1", "RateLimit-Reset": "7"},
        info(LEGACY, limit=10, remaining=1, reset_s=7.0),
    ),
    ({"RateLimit-Limit": "100, 100;w=10"}, info(LEGACY, limit=100, window_s=10)),
    (
        {"RateLimit-Limit": "10, 10;w=1, 50;w=60, 1000;w=3600, 5000;w=86400"},
        info(LEGACY, limit=10, window_s=1),
    ),
    ({"RateLimit-Limit": "10, 10;w=1;burst=1000, 1000;w=3600"}, info(LEGACY, limit=10, window_s=1)),
    (
        {"RateLimit-Limit": "100", "RateLimit-Policy": "100;w=10", "RateLimit-Remaining": "50"},
        info(LEGACY, limit=100, remaining=50, window_s=10),
    ),
    ({"RateLimit-Remaining": "50"}, info(LEGACY, remaining=50)),
    ({"RateLimit-Reset": "50"}, info(LEGACY, reset_s=50.0)),
    # X-RateLimit-*: GitHub (epoch reset), Envoy (quota policy in the limit), fractional reset
    (
        {
            "X-RateLimit-Limit": "60",
            "X-RateLimit-Remaining": "56",
            "X-RateLimit-Reset": str(int(NOW.timestamp()) + 900),
        },
        info(X, limit=60, remaining=56, reset_s=900.0),
    ),
    (
        {
            "x-ratelimit-limit": "10, 10;w=60",
            "x-ratelimit-remaining": "9",
            "x-ratelimit-reset": "42",
        },
        info(X, limit=10, remaining=9, reset_s=42.0, window_s=60),
    ),
    ({"X-RateLimit-Reset": "1.5"}, info(X, reset_s=1.5)),
    ({"X-RateLimit-Reset": str(int(NOW.timestamp()) - 60)}, info(X, reset_s=0.0)),
]


@pytest.mark.parametrize(("headers", "expected"), DRAFT_EXAMPLES)
def test_every_draft_example_parses(headers: dict[str, str], expected: RateLimitInfo) -> None:
    assert parse_rate_limit(headers, now=NOW) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "application/json"},
        {"RateLimit": ""},
        {"RateLimit": '"default";r=-1;t=1.5'},
        {"RateLimit": "limit=abc, remaining=, reset=-4"},
        {"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "1e3", "X-RateLimit-Reset": "-5"},
        {"RateLimit-Limit": "\u0661\u0660\u0660"},  # Arabic-Indic digits are not an HTTP Integer
        {"RateLimit-Remaining": "1_000"},
        {"RateLimit-Reset": "9" * 16},
    ],
)
def test_malformed_fields_are_ignored(headers: dict[str, str]) -> None:
    assert parse_rate_limit(headers, now=NOW) is None


def test_a_malformed_field_does_not_hide_the_others() -> None:
    headers = {"X-RateLimit-Limit": "sixty", "X-RateLimit-Remaining": "5"}
    assert parse_rate_limit(headers) == info(X, remaining=5)


def test_the_standard_family_wins_when_several_are_sent() -> None:
    headers = {
        "X-RateLimit-Limit": "1",
        "RateLimit-Limit": "2",
        "RateLimit": '"p";r=3;t=4',
        "RateLimit-Policy": '"p";q=5',
    }
    assert parse_rate_limit(headers) == info(IETF, limit=5, remaining=3, reset_s=4.0)


def test_a_malformed_ietf_field_falls_back_to_the_separate_fields() -> None:
    headers = {"RateLimit": "garbage", "RateLimit-Remaining": "7"}
    assert parse_rate_limit(headers) == info(LEGACY, remaining=7)


# --- Properties -------------------------------------------------------------------------------

header_values = st.one_of(st.text(), st.text(FIELD_ALPHABET, max_size=40))


@bounded
@given(st.dictionaries(st.one_of(st.sampled_from(KNOWN_NAMES), st.text()), header_values))
def test_parse_rate_limit_never_raises(headers: dict[str, str]) -> None:
    result = parse_rate_limit(headers, now=NOW)
    assert result is None or isinstance(result, RateLimitInfo)
    if result is not None:
        assert result.reset_s is None or result.reset_s >= 0


@bounded
@given(st.one_of(st.none(), st.text(), st.text(FIELD_ALPHABET, max_size=40)))
def test_parse_retry_after_never_raises(value: str | None) -> None:
    result = parse_retry_after(value, now=NOW)
    assert result is None or result >= 0


@bounded
@given(
    style=st.sampled_from(RateLimitStyle),
    limit=st.integers(0, 10**12),
    remaining=st.integers(0, 10**12),
    reset_s=st.one_of(st.none(), st.floats(0, EPOCH_THRESHOLD_S - 1)),
    window_s=st.one_of(st.none(), st.integers(1, 10**7)),
    name=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12),
)
@example(style=IETF, limit=1, remaining=0, reset_s=None, window_s=None, name="a=b")  # not a dict
@example(style=IETF, limit=1, remaining=0, reset_s=0.5, window_s=9, name='x", y;r=\\')
def test_format_then_parse_round_trips(
    style: RateLimitStyle,
    limit: int,
    remaining: int,
    reset_s: float | None,
    window_s: int | None,
    name: str,
) -> None:
    headers = format_rate_limit_headers(
        style, limit, remaining, reset_s, window_s, policy_name=name
    )
    parsed = parse_rate_limit(headers, now=NOW)
    expected_reset = None if reset_s is None else float(math.ceil(reset_s))
    assert parsed == RateLimitInfo(
        style=style, limit=limit, remaining=remaining, reset_s=expected_reset, window_s=window_s
    )


@bounded
@given(
    style=st.sampled_from([X, LEGACY]),
    reset_s=st.floats(0, 10**7),
    names=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_epoch_reset_round_trips_case_insensitively(
    style: RateLimitStyle, reset_s: float, names: list[bool]
) -> None:
    headers = format_rate_limit_headers(style, 100, 7, reset_s, None, reset_epoch=True, now=NOW)
    shuffled = {
        (key.upper() if upper else key.lower()): value
        for (key, value), upper in zip(headers.items(), names, strict=False)
    }
    parsed = parse_rate_limit(shuffled, now=NOW)
    assert parsed is not None
    assert parsed.style is style
    assert parsed.reset_s is not None
    assert reset_s - 1e-6 <= parsed.reset_s < reset_s + 1  # ceil'd to whole epoch seconds


def test_format_shapes_each_style() -> None:
    assert format_rate_limit_headers("ietf", 100, 50, 29.2, 60) == {
        "RateLimit": '"default";r=50;t=30',
        "RateLimit-Policy": '"default";q=100;w=60',
    }
    assert format_rate_limit_headers(LEGACY, 100, 50, 30, 60) == {
        "RateLimit-Limit": "100, 100;w=60",
        "RateLimit-Remaining": "50",
        "RateLimit-Reset": "30",
    }
    assert format_rate_limit_headers(X, 100, 50, None, None) == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "50",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"style": "x-rate"}, "unknown rate-limit header style 'x-rate'; use one of"),
        ({"limit": -1}, "limit must be an integer in 0..999999999999999, got -1"),
        ({"reset_s": math.nan}, "reset_s must be a finite number of seconds >= 0, got nan"),
        ({"reset_s": 2e9}, "would be read back as a unix timestamp"),
        ({"style": "ietf", "reset_epoch": True}, "carries delta seconds only"),
        ({"style": "ietf", "policy_name": "naïve"}, "policy_name must be printable ASCII"),
    ],
)
def test_format_rejects_what_it_cannot_send(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "style": "x-ratelimit",
        "limit": 10,
        "remaining": 5,
        "reset_s": 1.0,
        "window_s": None,
    }
    arguments.update(kwargs)
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        format_rate_limit_headers(**arguments)  # type: ignore[arg-type]


# --- Retry-After ------------------------------------------------------------------------------

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc850(moment: datetime) -> str:
    return (
        f"{DAYS[moment.weekday()]}, {moment.day:02d}-{MONTHS[moment.month - 1]}-"
        f"{moment.year % 100:02d} {moment:%H:%M:%S} GMT"
    )


def asctime(moment: datetime) -> str:
    return (
        f"{DAYS[moment.weekday()][:3]} {MONTHS[moment.month - 1]} {moment.day:>2} "
        f"{moment:%H:%M:%S} {moment.year}"
    )


def imf_fixdate(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


BEFORE_1994 = datetime(1994, 11, 6, 7, 49, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        ("120", NOW, 120.0),
        (" 0 ", NOW, 0.0),
        # RFC 9110 section 5.6.7 gives the same instant in its three forms.
        ("Sun, 06 Nov 1994 08:49:37 GMT", BEFORE_1994, 3600.0),
        ("Sunday, 06-Nov-94 08:49:37 GMT", BEFORE_1994, 3600.0),
        ("Sun Nov  6 08:49:37 1994", BEFORE_1994, 3600.0),
        ("Fri, 31 Dec 1999 23:59:59 GMT", NOW, 0.0),  # already past: wait no longer
    ],
)
def test_retry_after_forms_from_rfc_9110(value: str, now: datetime, expected: float) -> None:
    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize(
    "value", [None, "", "  ", "-1", "1.5", "soon", "+5", "\u0663", "9" * 16, "Sun, 06 Nov 99999"]
)
def test_malformed_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW) is None


@bounded
@given(
    offset_s=st.integers(-(10**8), 10**9),
    form=st.sampled_from([imf_fixdate, rfc850, asctime]),
)
def test_http_date_retry_after_is_seconds_from_now(
    offset_s: int, form: Callable[[datetime], str]
) -> None:
    moment = NOW + timedelta(seconds=offset_s)  # 2020..2055: RFC 850's two-digit year reads back
    parsed = parse_retry_after(form(moment), now=NOW)
    assert parsed == max(0.0, (moment - NOW).total_seconds())


@bounded
@given(st.integers(0, 10**15 - 1))
def test_delta_seconds_retry_after(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == float(seconds)


def test_naive_now_is_taken_as_utc() -> None:
    naive = datetime(1994, 11, 6, 8, 49, 7)
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=naive) == 30.0


# --- Fields the declared style announces -----------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        ({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9", "X-RateLimit-Reset": "5"}, []),
        ({"X-RateLimit-Remaining": "9", "X-RateLimit-Reset": "5"}, ["limit"]),
        ({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"}, ["reset"]),
        ({"X-RateLimit-Limit": "10", "X-RateLimit-Reset": "soon"}, ["remaining", "reset"]),
    ],
)
def test_missing_fields_names_what_the_style_declares(
    headers: dict[str, str], missing: list[str]
) -> None:
    info = parse_rate_limit(headers)
    assert info is not None
    found = missing_fields(info, RateLimitStyle.X_RATELIMIT)
    assert [name for name, _ in found] == missing
    assert all(header.startswith("X-RateLimit-") for _, header in found)


def test_header_problems_flag_a_missing_limit_or_reset() -> None:
    rule = RateLimit(limit=10, window="1m", headers=RateLimitHeaders.X_RATELIMIT)
    infos = [
        parse_rate_limit({"X-RateLimit-Remaining": str(n), "X-RateLimit-Reset": "30"})
        for n in (9, 8)
    ]
    problems = header_problems(rule, infos)
    assert problems == [
        "no limit announced: X-RateLimit-Limit is missing or malformed, and the declared "
        "x-ratelimit style sends it"
    ]
    ietf = RateLimit(limit=10, window="1m", headers=RateLimitHeaders.IETF)
    info = parse_rate_limit({"RateLimit": "limit=10, remaining=9"})
    assert any("no reset announced: RateLimit t" in p for p in header_problems(ietf, [info]))
