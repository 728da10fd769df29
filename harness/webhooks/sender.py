"""The handler matrix: signed, tampered, forged, stale and replayed deliveries, and judging.

>>> matrix = plan_matrix("standard-webhooks", secret, make_body)  # doctest: +SKIP
>>> outcomes = send_matrix(client, "/webhooks/acme", matrix)     # doctest: +SKIP

A correct handler answers 2xx to ``valid`` and ``rotated_secret`` and 4xx to every forgery;
``replayed`` may also get a 2xx when the contract declares ``accept-without-processing``
(harness cannot see whether the handler processed it). Which headers carry the signature,
the timestamp and the id is found by signing twice and comparing, so every scheme gets the
same matrix; cases a scheme cannot express (no timestamp, one signature only) are left out.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from harness.webhooks.base import SignatureScheme
from harness.webhooks.registry import resolve_scheme
from harness.webhooks.signing import new_msg_id, sign

BodyFactory = Callable[[], bytes]
ROTATION_SCHEMES = ("standard-webhooks", "stripe")
MARGIN_S = 600  # how far outside the tolerance the stale and future timestamps are
JSON = {"Content-Type": "application/json"}


class Case(StrEnum):
    VALID = "valid"
    TAMPERED_BODY = "tampered_body"
    WRONG_SECRET = "wrong_secret"  # noqa: S105 - a case name
    MISSING_SIGNATURE = "missing_signature"
    MALFORMED_HEADER = "malformed_header"
    STALE_TIMESTAMP = "stale_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"
    REPLAYED = "replayed"
    ROTATED_SECRET = "rotated_secret"  # noqa: S105 - a case name


class Replay(StrEnum):
    REJECT = "reject"
    ACCEPT_WITHOUT_PROCESSING = "accept-without-processing"


ACCEPTED_CASES = frozenset({Case.VALID, Case.ROTATED_SECRET})
WHAT = {
    Case.VALID: "a correctly signed delivery",
    Case.TAMPERED_BODY: "a body tampered after signing",
    Case.WRONG_SECRET: "a delivery signed with the wrong secret",
    Case.MISSING_SIGNATURE: "a delivery without its signature header",
    Case.MALFORMED_HEADER: "a delivery with a malformed signature header",
    Case.STALE_TIMESTAMP: "a delivery timestamped before the tolerance window",
    Case.FUTURE_TIMESTAMP: "a delivery timestamped after the tolerance window",
    Case.REPLAYED: "the same delivery a second time (a replay)",
    Case.ROTATED_SECRET: "a delivery with two signatures (old secret and current secret)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Planned:
    """One case: the requests to send (the last answer is judged) and what must come back."""

    case: Case
    sends: tuple[Send, ...]
    replay: Replay = Replay.REJECT

    @property
    def expected(self) -> str:
        if self.case in ACCEPTED_CASES:
            return "2xx"
        if self.case is Case.REPLAYED and self.replay is Replay.ACCEPT_WITHOUT_PROCESSING:
            return "2xx or 4xx"
        return "4xx"


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseOutcome:
    case: Case
    expected: str
    statuses: tuple[int, ...]
    passed: bool
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "case": str(self.case),
            "expected": self.expected,
            "statuses": list(self.statuses),
            "passed": self.passed,
        }


class Poster(Protocol):
    """What ``send_matrix`` needs of an HTTP client (an ``httpx.Client`` is one)."""

    def post(self, url: str, *, content: bytes, headers: Mapping[str, str]) -> _Answer: ...


class _Answer(Protocol):
    @property
    def status_code(self) -> int: ...


def plan_matrix(
    scheme: str | SignatureScheme,
    secret: str,
    make_body: BodyFactory,
    *,
    tolerance_s: float = 300,
    replay: Replay = Replay.REJECT,
    now: float | None = None,
) -> list[Planned]:
    """Every case ``scheme`` can express, each with fresh ids and bodies."""
    resolved = resolve_scheme(scheme)
    stamp = int(time.time() if now is None else now)
    wrong = other_secret(secret)

    def signed(key: str = secret, *, at: int = stamp, body: bytes | None = None) -> Send:
        raw = make_body() if body is None else body
        return Send(headers=sign(resolved, key, raw, msg_id=new_msg_id(), timestamp=at), body=raw)

    parts = _header_roles(resolved, secret, wrong, stamp)
    valid, original = signed(), signed()
    plans = [
        Planned(case=Case.VALID, sends=(valid,)),
        Planned(
            case=Case.TAMPERED_BODY,
            sends=(Send(headers=original.headers, body=tamper(original.body)),),
        ),
        Planned(case=Case.WRONG_SECRET, sends=(signed(wrong),)),
        Planned(case=Case.MISSING_SIGNATURE, sends=(_without(signed(), parts.signature),)),
        Planned(case=Case.MALFORMED_HEADER, sends=(_malformed(signed(), parts.signature),)),
    ]
    if parts.timestamped:
        window = int(tolerance_s) + MARGIN_S
        plans.append(Planned(case=Case.STALE_TIMESTAMP, sends=(signed(at=stamp - window),)))
        plans.append(Planned(case=Case.FUTURE_TIMESTAMP, sends=(signed(at=stamp + window),)))
    if parts.timestamped or parts.identified:
        first = signed()
        plans.append(Planned(case=Case.REPLAYED, sends=(first, first), replay=replay))
    if resolved.name in ROTATION_SCHEMES:
        plans.append(
            Planned(
                case=Case.ROTATED_SECRET,
                sends=(_rotated(resolved, secret, wrong, make_body(), stamp),),
            )
        )
    return plans


def send_matrix(client: Poster, url: str, plans: list[Planned]) -> list[CaseOutcome]:
    """Send each case to ``url`` and judge the last answer."""
    outcomes = []
    for plan in plans:
        statuses = tuple(
            client.post(url, content=send.body, headers=JSON | dict(send.headers)).status_code
            for send in plan.sends
        )
        outcomes.append(judge(plan, statuses))
    return outcomes


def judge(plan: Planned, statuses: tuple[int, ...]) -> CaseOutcome:
    """Whether the answers are what a handler that verifies deliveries gives."""
    last = statuses[-1]
    what = WHAT[plan.case]
    passed = _fits(plan.expected, last)
    if plan.case is Case.REPLAYED and not 200 <= statuses[0] < 300:
        passed = False
        message = (
            f"the handler refused the first, correctly signed delivery ({statuses[0]}), "
            "so the replay could not be judged; fix the `valid` case first"
        )
    elif passed:
        message = f"handler answered {last} to {what}, as expected ({plan.expected})"
    elif plan.expected == "2xx":
        message = (
            f"handler answered {last} to {what}; expected 2xx — does it verify "
            "against the raw body and the right secret?"
        )
    elif 200 <= last < 300:
        message = f"handler accepted {what} (answered {last}); expected a 4xx rejection"
    else:
        message = (
            f"handler answered {last} to {what}; expected a 4xx rejection "
            "(a 5xx makes the provider retry a forged delivery)"
        )
    return CaseOutcome(
        case=plan.case, expected=plan.expected, statuses=statuses, passed=passed, message=message
    )


def _fits(expected: str, status: int) -> bool:
    ok, client_error = 200 <= status < 300, 400 <= status < 500
    if expected == "2xx":
        return ok
    if expected == "4xx":
        return client_error
    return ok or client_error


def other_secret(secret: str) -> str:
    """A different secret of the same shape (``whsec_`` + base64, or hex)."""
    raw = secrets.token_bytes(24)
    if secret.startswith("whsec_"):
        return "whsec_" + base64.b64encode(raw).decode("ascii")
    return raw.hex()


def tamper(body: bytes) -> bytes:
    """The body with one value changed (the ``id``, or the first string) — still valid JSON."""
    try:
        data = json.loads(body)
    except ValueError:
        return body + b" "
    if isinstance(data, dict):
        key = "id" if isinstance(data.get("id"), str) else None
        key = key or next((k for k, v in data.items() if isinstance(v, str)), None)
        if key is not None:
            data[key] = data[key] + "0"
            return json.dumps(data, separators=(",", ":")).encode()
        data["tampered"] = True
        return json.dumps(data, separators=(",", ":")).encode()
    return body + b" "


@dataclass(frozen=True, slots=True, kw_only=True)
class _Roles:
    signature: frozenset[str]  # lower-cased names of the headers that change with the secret
    timestamped: bool
    identified: bool


def _header_roles(scheme: SignatureScheme, secret: str, wrong: str, stamp: int) -> _Roles:
    body = b'{"probe":true}'
    base = sign(scheme, secret, body, msg_id="msg_a", timestamp=stamp)
    other_key = sign(scheme, wrong, body, msg_id="msg_a", timestamp=stamp)
    later = sign(scheme, secret, body, msg_id="msg_a", timestamp=stamp + 7)
    other_id = sign(scheme, secret, body, msg_id="msg_b", timestamp=stamp)
    return _Roles(
        signature=frozenset(k.lower() for k in base if base[k] != other_key.get(k)),
        timestamped=base != later,
        identified=base != other_id,
    )


def _without(send: Send, names: frozenset[str]) -> Send:
    kept = {k: v for k, v in send.headers.items() if k.lower() not in names}
    return Send(headers=kept, body=send.body)


def _malformed(send: Send, names: frozenset[str]) -> Send:
    garbled = {
        k: ("%%not-a-signature%%" if k.lower() in names else v) for k, v in send.headers.items()
    }
    return Send(headers=garbled, body=send.body)


def _rotated(scheme: SignatureScheme, secret: str, wrong: str, body: bytes, stamp: int) -> Send:
    msg_id = new_msg_id()
    good = sign(scheme, secret, body, msg_id=msg_id, timestamp=stamp)
    old = sign(scheme, wrong, body, msg_id=msg_id, timestamp=stamp)
    headers = dict(good)
    for name, value in good.items():
        if old.get(name) != value and scheme.name == "standard-webhooks":
            headers[name] = f"{old[name]} {value}"
        elif old.get(name) != value:  # stripe: t=...,v1=old,v1=new
            stamp_part, _, current = value.partition(",")
            headers[name] = f"{stamp_part},{old[name].partition(',')[2]},{current}"
    return Send(headers=headers, body=body)
