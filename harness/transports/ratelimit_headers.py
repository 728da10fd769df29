"""Rate-limit response headers: parse what a server announces, format what the sandbox sends.

Parsers never raise: a malformed value is ignored (the drafts say "Malformed RateLimit header
fields MUST be ignored"), so a parser returns ``None`` or leaves the field ``None``.

Three families are recognised, tried in this order (the first that yields anything wins):

``ietf``
    draft-ietf-httpapi-ratelimit-headers, structured fields (RFC 9651).

    * draft-07: ``RateLimit: limit=100, remaining=50, reset=50`` (a Dictionary) with an optional
      ``RateLimit-Policy: 100;w=60`` (a List of Integer items with a ``w`` window parameter).
    * draft-08 and later: ``RateLimit: "default";r=50;t=30`` (a List of policy-name items with
      ``r`` remaining and ``t`` reset) with ``RateLimit-Policy: "default";q=100;w=60`` (``q``
      quota, ``w`` window). The ``RateLimit`` item with the least remaining quota is reported,
      matched by name to its ``RateLimit-Policy`` item. A ``RateLimit-Policy`` alone still
      yields the limit and window.

``legacy-ratelimit``
    Drafts -00 to -06: separate ``RateLimit-Limit``, ``RateLimit-Remaining`` and
    ``RateLimit-Reset`` fields. ``RateLimit-Limit`` may carry quota policies after the expiring
    limit (``RateLimit-Limit: 100, 100;w=10``); drafts -02 to -06 also put them in
    ``RateLimit-Policy: 100;w=10``.

``x-ratelimit``
    The de-facto ``X-RateLimit-Limit``, ``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (GitHub,
    Twitter, Envoy ...). The limit may carry a quota policy the way Envoy sends it
    (``X-RateLimit-Limit: 10, 10;w=60``); the reset may have a fraction (``1.5``).

Reset heuristic: ``X-RateLimit-Reset`` is sent both as delta seconds and as a unix timestamp
(GitHub sends epoch seconds), and some servers send a timestamp in ``RateLimit-Reset`` too.
A value above ``EPOCH_THRESHOLD_S`` (10**9, i.e. 2001-09-09, about 31.7 years of delta) is
taken to be a timestamp and turned into seconds from ``now``, clamped at 0. The structured
``RateLimit`` field is always delta seconds, as the drafts require.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

from harness.errors import UsageError

#: Reset values above this are unix timestamps, at or below it delta seconds.
EPOCH_THRESHOLD_S = 1_000_000_000
#: The largest Integer a structured field may carry (RFC 9651 section 3.3.1).
MAX_SF_INTEGER = 999_999_999_999_999

# ASCII digits only: str.isdigit and int() accept other scripts' digits and underscores.
_INTEGER = re.compile(r"[0-9]{1,15}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?")
_OWS = " \t"


class RateLimitStyle(StrEnum):
    """Which family of rate-limit headers a response used."""

    X_RATELIMIT = "x-ratelimit"
    IETF = "ietf"
    LEGACY_RATELIMIT = "legacy-ratelimit"


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimitInfo:
    """What a response announced about its rate limit; a field the response left out is None.

    ``reset_s`` is seconds until the quota resets (a timestamp already turned into a delta);
    ``window_s`` is the policy's time window in seconds.
    """

    style: RateLimitStyle
    limit: int | None = None
    remaining: int | None = None
    reset_s: float | None = None
    window_s: int | None = None


#: Where each style announces each field, for messages about a field a response left out.
#: Every style declares all three: a response of the declared style must carry each of them.
ANNOUNCED_FIELDS: Mapping[RateLimitStyle, Mapping[str, str]] = {
    RateLimitStyle.X_RATELIMIT: {
        "limit": "X-RateLimit-Limit",
        "remaining": "X-RateLimit-Remaining",
        "reset": "X-RateLimit-Reset",
    },
    RateLimitStyle.LEGACY_RATELIMIT: {
        "limit": "RateLimit-Limit",
        "remaining": "RateLimit-Remaining",
        "reset": "RateLimit-Reset",
    },
    RateLimitStyle.IETF: {
        "limit": "RateLimit-Policy q (or RateLimit limit)",
        "remaining": "RateLimit r (or remaining)",
        "reset": "RateLimit t (or reset)",
    },
}


def missing_fields(info: RateLimitInfo, style: RateLimitStyle | str) -> list[tuple[str, str]]:
    """(field, where ``style`` announces it) for each field ``style`` declares that ``info``
    lacks (absent or malformed); ``info`` of another style is judged against ``style``."""
    values = {"limit": info.limit, "remaining": info.remaining, "reset": info.reset_s}
    fields = ANNOUNCED_FIELDS[RateLimitStyle(str(style))]
    return [(name, header) for name, header in fields.items() if values[name] is None]


@dataclass(frozen=True, slots=True)
class _Member:
    """One List or Dictionary member of a structured field, loosely parsed."""

    value: str
    params: dict[str, str] = field(default_factory=dict)
    quoted: bool = False  # a String item, so an "=" inside it is not a Dictionary key


# --- Retry-After ----------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or None when it is absent or malformed.

    Accepts delta-seconds (``120``) and an HTTP-date in any of the three forms RFC 9110
    section 5.6.7 requires recipients to read: IMF-fixdate, the obsolete RFC 850 form and
    asctime. A date in the past gives 0. A naive ``now`` is taken as UTC.
    """
    if not isinstance(value, str):
        return None
    text = value.strip(_OWS)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # More than 15 digits is hundreds of millions of years: not a real instruction.
        return float(int(text)) if len(text) <= 15 else None
    return _seconds_until_date(text, now)


def _seconds_until_date(text: str, now: datetime | None) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime and "-0000" carry no zone; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    try:
        delta = (when - _aware(now)).total_seconds()
    except OverflowError:
        return None
    return max(0.0, delta)


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


# --- RateLimit families ---------------------------------------------------------------------


def parse_rate_limit(
    headers: Mapping[str, str], *, now: datetime | None = None
) -> RateLimitInfo | None:
    """The rate limit a response announced, or None when it announced none that parses.

    Header names are matched case-insensitively; ``now`` anchors epoch reset timestamps.
    """
    lowered = {
        name.lower(): value
        for name, value in headers.items()
        if isinstance(name, str) and isinstance(value, str)
    }
    return (
        _parse_ietf(lowered)
        or _parse_separate(lowered, "ratelimit-", RateLimitStyle.LEGACY_RATELIMIT, now)
        or _parse_separate(lowered, "x-ratelimit-", RateLimitStyle.X_RATELIMIT, now)
    )


def _parse_ietf(headers: Mapping[str, str]) -> RateLimitInfo | None:
    members = _parse_list(headers.get("ratelimit", ""))
    policies = _parse_list(headers.get("ratelimit-policy", ""))
    if members and all("=" in m.value and not m.quoted for m in members):
        info = _ietf_dictionary(members, policies)
    elif members:
        info = _ietf_named(members, policies)
    elif "ratelimit-limit" not in headers:  # a lone draft-08 RateLimit-Policy
        info = _ietf_policy_only(policies)
    else:
        return None
    return info if _has_data(info) else None


def _ietf_dictionary(members: list[_Member], policies: list[_Member]) -> RateLimitInfo:
    """draft-07: ``RateLimit: limit=100, remaining=50, reset=50``."""
    entries: dict[str, str] = {}
    for member in members:
        key, _, value = member.value.partition("=")
        entries[key.strip(_OWS)] = value.strip(_OWS)
    limit = _integer(entries.get("limit"))
    reset = _integer(entries.get("reset"))
    return RateLimitInfo(
        style=RateLimitStyle.IETF,
        limit=limit,
        remaining=_integer(entries.get("remaining")),
        reset_s=None if reset is None else float(reset),
        window_s=_window_for_limit(policies, limit),
    )


def _ietf_named(members: list[_Member], policies: list[_Member]) -> RateLimitInfo:
    """draft-08+: ``RateLimit: "default";r=50;t=30`` with ``RateLimit-Policy: "default";q=100``."""

    def remaining_of(member: _Member) -> int:
        remaining = _integer(member.params.get("r"))
        return MAX_SF_INTEGER + 1 if remaining is None else remaining

    current = min(members, key=remaining_of)  # the policy closest to throttling the client
    policy = next((p for p in policies if p.value == current.value), None)
    reset = _integer(current.params.get("t"))
    return RateLimitInfo(
        style=RateLimitStyle.IETF,
        limit=None if policy is None else _integer(policy.params.get("q")),
        remaining=_integer(current.params.get("r")),
        reset_s=None if reset is None else float(reset),
        window_s=None if policy is None else _integer(policy.params.get("w")),
    )


def _ietf_policy_only(policies: list[_Member]) -> RateLimitInfo:
    quoted = [p for p in policies if "q" in p.params]
    if not quoted:
        return RateLimitInfo(style=RateLimitStyle.IETF)
    first = quoted[0]
    return RateLimitInfo(
        style=RateLimitStyle.IETF,
        limit=_integer(first.params.get("q")),
        window_s=_integer(first.params.get("w")),
    )


def _parse_separate(
    headers: Mapping[str, str], prefix: str, style: RateLimitStyle, now: datetime | None
) -> RateLimitInfo | None:
    """``<prefix>Limit`` / ``<prefix>Remaining`` / ``<prefix>Reset`` as separate fields."""
    limit_members = _parse_list(headers.get(prefix + "limit", ""))
    limit = _integer(limit_members[0].value) if limit_members else None
    policies = limit_members[1:] + _parse_list(headers.get(prefix + "policy", ""))
    info = RateLimitInfo(
        style=style,
        limit=limit,
        remaining=_integer(headers.get(prefix + "remaining")),
        reset_s=_reset_seconds(headers.get(prefix + "reset"), now),
        window_s=_window_for_limit(policies, limit),
    )
    return info if _has_data(info) else None


def _reset_seconds(value: str | None, now: datetime | None) -> float | None:
    if value is None:
        return None
    text = value.strip(_OWS)
    if not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    if number > EPOCH_THRESHOLD_S:
        return max(0.0, number - _aware(now).timestamp())
    return number


def _window_for_limit(policies: list[_Member], limit: int | None) -> int | None:
    """The ``w`` of the quota policy matching the expiring limit, else of the first one."""
    windowed = [p for p in policies if _integer(p.params.get("w")) is not None]
    matching = [p for p in windowed if limit is not None and _integer(p.value) == limit]
    chosen = matching or windowed
    return _integer(chosen[0].params.get("w")) if chosen else None


def _has_data(info: RateLimitInfo) -> bool:
    return any(v is not None for v in (info.limit, info.remaining, info.reset_s, info.window_s))


# --- A loose structured-field reader --------------------------------------------------------


def _parse_list(text: str) -> list[_Member]:
    """Members of a List or Dictionary field; quoted strings are unquoted, empty ones dropped."""
    members = []
    for raw in _split_outside_quotes(text, ","):
        head, *raw_params = _split_outside_quotes(raw, ";")
        if not head:
            continue
        params: dict[str, str] = {}
        for raw_param in raw_params:
            key, _, value = raw_param.partition("=")
            params.setdefault(key.strip(_OWS), _unquote(value.strip(_OWS)) if value else "?1")
        members.append(_Member(_unquote(head), params, quoted=head.startswith('"')))
    return members


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    in_quotes = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif in_quotes and char == "\\":
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == separator and not in_quotes:
            parts.append("".join(current).strip(_OWS))
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip(_OWS))
    return parts


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _integer(text: str | None) -> int | None:
    """A non-negative structured-field Integer, or None when absent or malformed."""
    if text is None:
        return None
    stripped = text.strip(_OWS)
    return int(stripped) if _INTEGER.fullmatch(stripped) else None


# --- Formatting (the sandbox's side) --------------------------------------------------------


def format_rate_limit_headers(
    style: RateLimitStyle | str,
    limit: int,
    remaining: int,
    reset_s: float | None,
    window_s: int | None,
    *,
    policy_name: str = "default",
    reset_epoch: bool = False,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers a server of ``style`` would send; ``parse_rate_limit`` reads them back.

    ``reset_s`` is rounded up to whole seconds (a client told to wait less than the real reset
    would be throttled). ``None`` for ``reset_s`` or ``window_s`` leaves that part out; for
    the ``x-ratelimit`` and ``legacy-ratelimit`` styles the window travels as a quota policy
    after the limit (``100, 100;w=60``). ``reset_epoch`` sends the reset as a unix timestamp
    (``x-ratelimit`` and ``legacy-ratelimit`` only) computed from ``now``.
    """
    chosen = _style(style)
    _check_counts(limit=limit, remaining=remaining, window_s=window_s)
    reset = _format_reset(chosen, reset_s, reset_epoch=reset_epoch, now=now)
    if chosen is RateLimitStyle.IETF:
        name = _quote(policy_name)
        current = f"{name};r={remaining}" + ("" if reset is None else f";t={reset}")
        policy = f"{name};q={limit}" + ("" if window_s is None else f";w={window_s}")
        return {"RateLimit": current, "RateLimit-Policy": policy}
    prefix = "X-RateLimit-" if chosen is RateLimitStyle.X_RATELIMIT else "RateLimit-"
    headers = {
        prefix + "Limit": str(limit) if window_s is None else f"{limit}, {limit};w={window_s}",
        prefix + "Remaining": str(remaining),
    }
    if reset is not None:
        headers[prefix + "Reset"] = reset
    return headers


def _style(style: RateLimitStyle | str) -> RateLimitStyle:
    try:
        return RateLimitStyle(style)
    except ValueError:
        choices = ", ".join(repr(s.value) for s in RateLimitStyle)
        raise UsageError(
            f"unknown rate-limit header style {style!r}; use one of {choices}"
        ) from None


def _check_counts(**counts: int | None) -> None:
    for name, count in counts.items():
        if count is not None and not 0 <= count <= MAX_SF_INTEGER:
            raise UsageError(f"{name} must be an integer in 0..{MAX_SF_INTEGER}, got {count!r}")


def _format_reset(
    style: RateLimitStyle, reset_s: float | None, *, reset_epoch: bool, now: datetime | None
) -> str | None:
    if reset_s is None:
        return None
    if not (math.isfinite(reset_s) and reset_s >= 0):
        raise UsageError(f"reset_s must be a finite number of seconds >= 0, got {reset_s!r}")
    if reset_epoch:
        if style is RateLimitStyle.IETF:
            raise UsageError(
                "the ietf RateLimit field carries delta seconds only; drop reset_epoch"
            )
        return str(math.ceil(_aware(now).timestamp() + reset_s))
    seconds = math.ceil(reset_s)
    if seconds > EPOCH_THRESHOLD_S and style is not RateLimitStyle.IETF:
        raise UsageError(
            f"reset_s={reset_s} would be read back as a unix timestamp (> {EPOCH_THRESHOLD_S}); "
            "pass reset_epoch=True to send a timestamp"
        )
    _check_counts(reset_s=seconds)
    return str(seconds)


def _quote(name: str) -> str:
    if not all(" " <= char <= "~" for char in name):
        raise UsageError(f"policy_name must be printable ASCII, got {name!r}")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
