"""What a check is, and what it is given to run: no pytest here.

A family module exposes ``plan(contract) -> list[Check]``; each ``Check.run`` takes a
``CheckRuntime`` and returns a ``Verdict`` (or ``None`` for a plain pass), raises
``CheckFailure`` when the integration broke its contract, and lets ``HarnessError``
propagate when the run itself broke.

Nothing passes vacuously. A check that had nothing to judge (no successful response to
inspect, no version reported, zero real records, an option unset here, a loop over zero
items) returns ``inconclusive(reason)``: outcome *skipped*, a message that says what was
observed, and ``data["inconclusive"] = True`` so that reports leave it out of scores::

    if not bodies:
        return inconclusive("no successful contact response to inspect (20 requests, all 404)")

Where the contract *promised* the thing that never showed up (a declared header absent, a
documented 2xx never reached), raise ``CheckFailure`` instead: that is a finding.

A check of harness's own client (token reuse, single-flight, the client's retry policy) is
declared with ``Check(subject=Subject.CLIENT)``, or marks its verdicts with
``about_client(...)``: reports show it apart from the integration's verdicts, and it never
counts toward the integration's health or compliance score.

A check of the contract document itself (guide sections, changelog, maintenance dates) is
wrapped in ``contract_hygiene(run)``: its findings skip the check with the finding as reason
(``harness lint`` warns about them, the compliance report lists them) and fail the run only
with ``--harness-strict-contract``. A vendor's 500 and a stale changelog never share a red exit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from harness.contract import Contract
from harness.errors import CheckFailure, Location
from harness.results import HYGIENE_KEY, INCONCLUSIVE_KEY, SUBJECT_CLIENT, SUBJECT_KEY, Outcome
from harness.settings import RunSettings, Target

if TYPE_CHECKING:
    import httpx

    from harness.transports.client import HarnessClient
    from harness.transports.exchange import Exchange


T = TypeVar("T")


class CheckRuntime(Protocol):
    """What a running check may use; the plugin provides it."""

    @property
    def contract(self) -> Contract: ...

    @property
    def settings(self) -> RunSettings: ...

    @property
    def target(self) -> Target: ...

    @property
    def check_id(self) -> str: ...

    @property
    def seed(self) -> int: ...

    def client(self, **options: Any) -> HarnessClient:
        """A contract-driven client to the target (shared unless options are given)."""
        ...

    def http(self) -> httpx.Client:
        """A bare httpx client to the target: no auth, no retries (for negative probes)."""
        ...

    def record(self, exchange: Exchange) -> None:
        """Keep an exchange of this check for evidence and the run's metrics."""
        ...

    def exchanges(self) -> tuple[Exchange, ...]:
        """Every exchange the run's shared clients recorded so far (this process only)."""
        ...

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """A value built once per contract and run (a loaded schema, a token provider)."""
        ...

    def secrets(self) -> frozenset[str]:
        """Every secret value of this run, for redaction (never for display)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """A check's conclusion when it is not a plain pass."""

    outcome: Outcome = Outcome.PASSED
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def inconclusive(reason: str, *, data: Mapping[str, Any] | None = None) -> Verdict:
    """The check had nothing to judge: skipped, saying what was observed instead.

    ``reason`` names what was missing and what was seen (counts, statuses), e.g. "no
    successful contact response to inspect (20 requests: 404 x20)". It never counts as a
    pass: reports leave it out of the compliance score and of health's verdicts.
    """
    return Verdict(
        outcome=Outcome.SKIPPED,
        message=f"inconclusive: {reason}",
        data={**(data or {}), INCONCLUSIVE_KEY: True},
    )


def contract_hygiene(run: CheckFunction) -> CheckFunction:
    """``run`` judges the contract itself (guide sections, changelog, maintenance dates).

    Its findings are contract hygiene, not vendor bugs: ``harness lint`` warns about them and
    the compliance report lists them, but they skip the check (with the finding as reason)
    instead of failing the run, unless ``--harness-strict-contract`` asks for a red exit.
    """

    def judged(context: CheckRuntime) -> Verdict | None:
        try:
            verdict = run(context)
        except CheckFailure as failure:
            data = {**failure.data, HYGIENE_KEY: True}
            if context.settings.strict_contract:
                raise CheckFailure(failure.message, evidence=failure.evidence, data=data) from None
            return Verdict(
                outcome=Outcome.SKIPPED,
                message=f"contract hygiene: {failure.message} [a finding about the contract, "
                "not the vendor: harness lint warns; --harness-strict-contract fails the run]",
                data=data,
            )
        if verdict is None:
            return Verdict(data={HYGIENE_KEY: True})
        return replace(verdict, data={**verdict.data, HYGIENE_KEY: True})

    return judged


class Subject(StrEnum):
    """What a check judges: the integration (the vendor) or harness's own client."""

    INTEGRATION = "integration"
    CLIENT = SUBJECT_CLIENT


def about_client(data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``data`` marked as judging harness's own client (for ``Verdict`` or ``CheckFailure``)."""
    return {**(data or {}), SUBJECT_KEY: SUBJECT_CLIENT}


CheckFunction = Callable[[CheckRuntime], "Verdict | None"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One verifiable claim of the contract."""

    family: str  # a name in checks.registry
    name: str
    run: CheckFunction
    description: str
    loc: Location
    mutating: bool = False  # writes to the target
    fuzzing: bool = False  # sends generated, possibly invalid, requests
    needs_sandbox: bool = False  # needs the local sandbox's controls
    subject: Subject = Subject.INTEGRATION  # CLIENT: judges harness's own client

    def refusal(self, target: Target, *, allow_protected: bool) -> str | None:
        """Why this check must not run against ``target``, or None."""
        if self.needs_sandbox and target.controls is None:
            return f"needs the local sandbox's controls; '{target.environment.name}' has none"
        if target.protected and not allow_protected and (self.mutating or self.fuzzing):
            kind = "writes to" if self.mutating else "fuzzes"
            return (
                f"it {kind} the target and environment '{target.environment.name}' is "
                "protected; pass --allow-protected to run it anyway"
            )
        return None
