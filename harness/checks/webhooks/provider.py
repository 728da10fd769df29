"""Family ``webhooks``: the provider's events arrive signed, well-formed and retried; our
handler rejects forged, tampered, stale and replayed deliveries.

Provider side, one check per event with a trigger (``webhooks::event[contact.created]``):
a receiver on 127.0.0.1 is subscribed (the local sandbox's controls), the trigger is
performed, and every delivery must verify under the declared scheme and secret, match the
event schema, carry a delivery id that is unique per payload and kept by the retry (the
receiver answers 500 to the first attempt), and come from ``allowed_ips``. On ``local``
the sandbox delivers from loopback, which stands in for the vendor's network: loopback is
allowed there, and only there. Timestamps are judged on the sandbox's clock (the
provider's clock), which other checks may move.

Our side: see ``handler.py``; the trigger: ``trigger.py``; the fixture's kit: ``kit.py``.
"""

from __future__ import annotations

import ipaddress
import json
import time
from functools import partial
from typing import Any, Protocol, runtime_checkable

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.webhooks import handler as webhooks_handler
from harness.checks.webhooks.trigger import perform_trigger
from harness.contract import Contract
from harness.contract.bundle import document_policy, load_document
from harness.contract.model import WebhookEvent, Webhooks
from harness.contract.references import resolve_schema
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.settings import Mode
from harness.webhooks import VerificationError, verify
from harness.webhooks.configured import configured_scheme
from harness.webhooks.receiver import Received, Receiver

MAX_WAIT_S = 30.0


@runtime_checkable
class Subscriptions(Protocol):
    """The part of the local sandbox's controls that delivers webhooks."""

    def subscribe(self, url: str) -> None: ...

    def unsubscribe(self, url: str | None = None) -> None: ...

    def now(self) -> float: ...


def plan(contract: Contract) -> list[Check]:
    webhooks = contract.webhooks
    if webhooks is None:
        return []
    checks = [
        Check(
            family="webhooks",
            name=f"event[{event.name}]",
            run=partial(check_event, name=event.name),
            description=f"{event.name}: delivered after {event.trigger}, signed, as declared, "
            "retried with the same id",
            loc=event.loc,
            mutating=True,
        )
        for event in webhooks.events.values()
        if event.trigger
    ]
    return checks + webhooks_handler.plan(contract)


def check_event(context: CheckRuntime, *, name: str) -> Verdict:
    webhooks = context.contract.webhooks
    assert webhooks is not None  # planned only then
    assert webhooks.signature is not None
    event = webhooks.events[name]
    controls = context.target.controls
    if not isinstance(controls, Subscriptions):
        return Verdict(outcome=Outcome.SKIPPED, message=_no_subscription(context, webhooks))
    secret = context.target.credentials.webhook_secret
    if secret is None or not secret.is_set:
        return Verdict(
            outcome=Outcome.SKIPPED,
            message=f"{webhooks.signature.secret} is not set: deliveries cannot be "
            "verified; set it to the webhook signing secret",
        )
    retried = webhooks.delivery_max_attempts > 1
    with Receiver(fail_first=retried) as receiver:
        controls.subscribe(receiver.url)
        try:
            received, trigger = _trigger_and_wait(context, event, receiver, webhooks, retried)
        finally:
            controls.unsubscribe(receiver.url)
    offset = controls.now() - time.time()
    ours = [r for r in received if _names_event(r, event.name)]
    problems = [
        *_signature_problems(context, ours, secret.reveal(), offset),
        *_payload_problems(context.contract, event, ours),
        *_id_problems(received, ours, retried=retried),
        *_source_problems(context, webhooks, ours),
    ]
    data = {
        "attempts": [
            {"status": r.status, "id": r.delivery_id, "source": r.source_ip} for r in ours
        ],
        "trigger": trigger,
    }
    if problems:
        raise CheckFailure(
            f"{event.name} (contract {event.loc}): " + "; ".join(problems), data=data
        )
    statuses = " then ".join(str(r.status) for r in ours)
    return Verdict(
        message=f"{event.name}: {len(ours)} attempt(s) ({statuses}) after {trigger}, verified "
        f"({webhooks.signature.scheme}), payload matches {event.schema}, same id on retry"
        + _source_note(context, webhooks, ours),
        data=data,
    )


def _no_subscription(context: CheckRuntime, webhooks: Webhooks) -> str:
    env = context.target.environment.name
    if context.settings.mode == Mode.REPLAY:  # the option may hold the plain string
        return (
            "replay mode: webhook deliveries are pushed by the provider and are not in the "
            "cassettes; run live (or record) against the local sandbox to check them"
        )
    if webhooks.subscription:
        return (
            f"'{env}' is not the local sandbox: subscribing through {webhooks.subscription} "
            "needs a receiver the vendor can reach, and harness listens on 127.0.0.1 only; "
            "run this family against the local sandbox"
        )
    return (
        f"'{env}' is not the local sandbox and the contract declares no "
        "webhooks.subscription operation to register a receiver with"
    )


def _trigger_and_wait(
    context: CheckRuntime,
    event: WebhookEvent,
    receiver: Receiver,
    webhooks: Webhooks,
    retried: bool,
) -> tuple[list[Received], str]:
    assert event.trigger is not None  # planned only with a trigger
    triggered = perform_trigger(context.contract, context.client(), event.trigger)
    after = f", after {', '.join(triggered.setup)}" if triggered.setup else ""
    label = f"{triggered.operation.label} ({event.trigger}{after})"
    if not triggered.response.is_success:
        raise CheckFailure(
            f"{event.name} (contract {event.loc}): the trigger {label} answered "
            f"{triggered.response.status_code} to its documented example, so no event was "
            f"expected; body: {triggered.response.text[:300]!r}"
        )
    wait_s = min(
        MAX_WAIT_S, (webhooks.delivery_timeout_ms + 2 * webhooks.delivery_backoff_ms) / 1000 + 5
    )
    need = 2 if retried else 1
    found = receiver.wait_for(need, timeout=wait_s, where=lambda r: _names_event(r, event.name))
    if not found:
        raise CheckFailure(
            f"{event.name} (contract {event.loc}): no delivery reached the receiver within "
            f"{wait_s:.0f} s of {label} answering {triggered.response.status_code}"
        )
    return receiver.received, label


def _names_event(received: Received, name: str) -> bool:
    """Whether the payload names the event (its ``type``/``event`` member, top level)."""
    data = _json(received.body)
    return isinstance(data, dict) and name in (v for v in data.values() if isinstance(v, str))


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _signature_problems(
    context: CheckRuntime, received: list[Received], secret: str, offset: float
) -> list[str]:
    webhooks = context.contract.webhooks
    assert webhooks is not None
    assert webhooks.signature is not None
    scheme = configured_scheme(webhooks.signature)
    problems = []
    for number, item in enumerate(received, 1):
        try:
            verify(scheme, secret, item.headers, item.body, now=item.at + offset)
        except VerificationError as exc:
            problems.append(f"attempt {number} does not verify under {scheme.name}: {exc}")
    return problems


def _payload_problems(
    contract: Contract, event: WebhookEvent, received: list[Received]
) -> list[str]:
    validator = _validator(contract, event)
    problems = []
    for body in dict.fromkeys(r.body for r in received):
        data = _json(body)
        if data is None:
            problems.append(f"a payload is not JSON: {body[:120]!r}")
            continue
        error = jsonschema.exceptions.best_match(validator.iter_errors(data))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(
                f"the payload does not match {event.schema} at {where}: {error.message}"
            )
    return problems


def _validator(contract: Contract, event: WebhookEvent) -> jsonschema.protocols.Validator:
    resolve_schema(contract, event.schema, event.loc)  # a clear error if it points at nothing
    file_part, _, pointer = event.schema.partition("#")
    api = contract.document
    if api is not None and (
        not file_part or (contract.directory / file_part).resolve() == api.path.resolve()
    ):
        document: Any = api.raw
    else:
        path = contract.directory / file_part  # same $ref rules as the OpenAPI document
        document = load_document(path, event.loc, document_policy(contract))
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:harness:webhooks", resource)
    schema = {"$ref": f"urn:harness:webhooks#{pointer}"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _delivery_id(received: Received) -> str | None:
    data = _json(received.body)
    body_id = data.get("id") if isinstance(data, dict) else None
    return received.delivery_id or (body_id if isinstance(body_id, str) else None)


def _id_problems(everything: list[Received], ours: list[Received], *, retried: bool) -> list[str]:
    problems = []
    ids_by_body: dict[bytes, set[str | None]] = {}
    for item in everything:
        ids_by_body.setdefault(item.body, set()).add(_delivery_id(item))
    for body, ids in ids_by_body.items():
        if None in ids and any(r.body == body for r in ours):
            problems.append("a delivery carries no delivery id (header or payload `id`)")
        if len(ids) > 1 and any(r.body == body for r in ours):
            problems.append(f"the retry changed the delivery id ({', '.join(map(str, ids))})")
    firsts = [next(iter(ids)) for ids in ids_by_body.values() if len(ids) == 1]
    if len(firsts) != len(set(firsts)):
        problems.append("two different payloads were delivered with the same delivery id")
    if retried and len(ours) < 2:  # the failed attempt and its retry
        problems.append("the receiver answered 500 to the first attempt and it was not retried")
    return problems


def _source_problems(context: CheckRuntime, webhooks: Webhooks, ours: list[Received]) -> list[str]:
    if not webhooks.allowed_ips:
        return []
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in webhooks.allowed_ips]
    local = context.target.controls is not None
    problems = []
    for source in dict.fromkeys(r.source_ip for r in ours):
        address = ipaddress.ip_address(source)
        if any(address in network for network in networks) or (local and address.is_loopback):
            continue
        problems.append(
            f"a delivery came from {source}, outside allowed_ips "
            f"({', '.join(webhooks.allowed_ips)})"
        )
    return problems


def _source_note(context: CheckRuntime, webhooks: Webhooks, ours: list[Received]) -> str:
    if not webhooks.allowed_ips:
        return ""
    sources = ", ".join(dict.fromkeys(r.source_ip for r in ours))
    if context.target.controls is not None:
        return f"; source {sources} (loopback: the local sandbox stands in for allowed_ips)"
    return f"; source {sources} within allowed_ips"
