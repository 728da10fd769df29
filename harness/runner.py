"""Running checks of one contract against its target and judging them into CheckResults.

``ContractRun`` owns what checks share during a run (the target, clients, cached schemas,
the secrets to redact); ``run_check`` turns whatever a check does into a ``CheckResult``.
The pytest plugin and ``harness check`` are thin wiring on top of this.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx

from harness._compat.hypothesis import pinned_generation
from harness.checks.base import Check, Subject, Verdict, about_client
from harness.checks.registry import families
from harness.contract import Contract
from harness.errors import CheckFailure, HarnessError
from harness.reporting.metrics import EXCHANGES_KEY, compact_exchange
from harness.results import CheckResult, Outcome
from harness.settings import Mode, RunSettings, Target
from harness.targets import open_target
from harness.transports.breaker import (
    GuardedTransport,
    RequestGuard,
    RunClock,
    TimeLimits,
    live_transport,
)
from harness.transports.cassette_scrub import PLACEHOLDER
from harness.transports.cassette_session import RecordSession, ReplaySession
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange
from harness.transports.scrub import IssuedSecrets, redact_text, redact_value
from harness.transports.throttle import FileBudget, Throttle

T = TypeVar("T")
CUT_KEY = "cut"  # data[CUT_KEY]: why the check was not run, or stopped short


class ContractRun:
    """Everything the checks of one contract share during one run."""

    def __init__(
        self, contract: Contract, settings: RunSettings, *, clock: RunClock | None = None
    ) -> None:
        self.contract = contract
        self.settings = settings
        self.guard = RequestGuard(clock or RunClock(TimeLimits()))  # breaker and time budget
        self.exchanges: list[Exchange] = []
        self.issued = IssuedSecrets()  # every token any client or probe was handed
        self._stack = contextlib.ExitStack()
        self._target: Target | None = None
        self._failure: HarnessError | None = None
        self._shared: dict[str, Any] = {}
        self._lock = threading.RLock()  # client() builds a throttle via shared() inside shared()
        self._clients: list[HarnessClient] = []
        self.cassettes: RecordSession | ReplaySession | None = None
        try:
            self._open_cassettes()
        except HarnessError as exc:
            self._failure = exc

    def _open_cassettes(self) -> None:
        """Record: a session that writes cassettes. Replay: the seed and base URL recorded."""
        if self.settings.mode == Mode.RECORD:
            self.cassettes = RecordSession(self.contract, seed=self.settings.seed)
        elif self.settings.mode == Mode.REPLAY:
            session = ReplaySession(self.contract)
            self.cassettes = session
            self.settings = replace(self.settings, seed=session.seed, base_url=session.base_url)

    def target(self) -> Target:
        """The opened target (opened on first use; a failure is remembered and re-raised)."""
        if self._failure is not None:
            raise self._failure
        if self._target is None:
            try:
                self._target = self._stack.enter_context(open_target(self.contract, self.settings))
            except HarnessError as exc:
                self._failure = exc
                raise
        return self._target

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._shared:
                with self._sharing(key):  # its requests: in the shared cassette of key
                    self._shared[key] = factory()
            value: T = self._shared[key]
            return value

    def _sharing(self, key: str) -> contextlib.AbstractContextManager[None]:
        if self.cassettes is None:
            return contextlib.nullcontext()
        return self.cassettes.sharing(key)

    def secrets(self) -> frozenset[str]:
        held = self.contract.secret_values()
        if self._target is not None:
            held |= self._target.credentials.secret_values()
        for client in self._clients:
            held |= client.secret_values()
        held |= self.issued.values()
        # In replay, "issued" tokens are the cassette's placeholders: nothing to hide.
        return frozenset(value for value in held if not PLACEHOLDER.match(value))

    def named_secrets(self) -> dict[str, str]:
        """Every secret value → a stable name for its cassette placeholder."""
        names = dict.fromkeys(self.secrets(), "ISSUED")
        names |= dict.fromkeys(self.contract.secret_values(), "CONTRACT")
        credentials = self._target.credentials if self._target is not None else None
        for name in ("client_secret", "api_key", "password", "token", "jwt_secret"):
            secret = getattr(credentials, name, None)
            if secret is not None and secret.value:
                names[secret.value] = name.upper()
        webhook = credentials.webhook_secret if credentials is not None else None
        if webhook is not None and webhook.value:
            names[webhook.value] = "WEBHOOK_SECRET"
        return names

    def transport(self) -> httpx.BaseTransport | None:
        """The transport of every client (live, recording or replaying), under the guard."""
        inner = self.cassettes.transport() if self.cassettes is not None else None
        return GuardedTransport(inner or live_transport(self.target().base_url), self.guard)

    def begin(self, check: Check, seed: int) -> int:
        """Start a check's cassette; the seed it runs with (in replay: the recorded one)."""
        if self.cassettes is None:
            return seed
        if isinstance(self.cassettes, ReplaySession):
            target = self.target()
            self.cassettes.use_secrets(self.named_secrets(), target.credentials.client_id)
        return self.cassettes.begin(str(check.family), check.name, seed)

    def finish(self) -> str | None:
        """End a check's cassette: in record mode, write it (a message if it must not be)."""
        if not isinstance(self.cassettes, RecordSession) or self._target is None:
            return None
        return self.cassettes.finish(
            secrets=self.named_secrets(),
            base_url=self._target.base_url,
            client_id=self._target.credentials.client_id,
            local=self._target.controls is not None,
        )

    def staleness(self) -> str | None:
        if not isinstance(self.cassettes, ReplaySession):
            return None
        stale = self.cassettes.staleness()
        return stale.describe() if stale is not None else None

    def client(self, **options: Any) -> HarnessClient:
        key = "client:" + repr(sorted(options.items()))
        target = self.target()

        def build() -> HarnessClient:
            settings = {"throttle": self._throttle(target), **options}
            if self.settings.mode == Mode.REPLAY:
                settings.setdefault("sleep", _no_wait)  # recorded answers need no waiting
            client = HarnessClient(
                self.contract,
                base_url=target.base_url,
                credentials=target.credentials,
                transport=self.transport(),
                record=self._keep,
                **settings,
            )
            self._clients.append(client)
            self._stack.callback(client.close)
            return client

        return self.shared(key, build)

    def _throttle(self, target: Target) -> Throttle | bool:
        """One budget per target, shared by every client and (under xdist) every worker.

        The local sandbox does not enforce its limits during a run, so it is not throttled.
        """
        replaying = self.settings.mode == Mode.REPLAY
        if replaying or target.controls is not None or not self.contract.rate_limits:
            return False

        def build() -> Throttle:
            scope = f"{self.contract.id}@{target.base_url}"
            budget = FileBudget.shared(scope) if os.environ.get("PYTEST_XDIST_WORKER") else None
            shards = self.settings.shard[1]  # --shard K/N: each shard gets 1/N of each limit
            return Throttle(self.contract.rate_limits, scope=scope, budget=budget, shards=shards)

        return self.shared("throttle", build)

    def http(self) -> httpx.Client:
        def build() -> httpx.Client:
            client = httpx.Client(
                base_url=self.target().base_url,
                timeout=30.0,
                transport=self.transport(),
                event_hooks={"response": [self.issued.on_response]},
            )
            self._stack.callback(client.close)
            return client

        return self.shared("http", build)

    def _keep(self, exchange: Exchange) -> None:
        if exchange.response is not None:
            content_type = exchange.response.header("content-type") or ""
            self.issued.harvest(exchange.response.body, content_type)
        self.exchanges.append(exchange)

    def close(self) -> None:
        self._stack.close()


@dataclass
class Context:
    """The ``CheckRuntime`` one check runs with."""

    run: ContractRun
    check_id: str
    kept: list[Exchange] = field(default_factory=list)
    recorded_seed: int | None = None  # in replay: the seed the cassette was recorded with

    @property
    def contract(self) -> Contract:
        return self.run.contract

    @property
    def settings(self) -> RunSettings:
        return self.run.settings

    @property
    def target(self) -> Target:
        return self.run.target()

    @property
    def seed(self) -> int:
        if self.recorded_seed is not None:
            return self.recorded_seed
        return self.settings.check_seed(self.check_id)

    def client(self, **options: Any) -> HarnessClient:
        return self.run.client(**options)

    def http(self) -> httpx.Client:
        return self.run.http()

    def record(self, exchange: Exchange) -> None:
        self.kept.append(exchange)

    def exchanges(self) -> tuple[Exchange, ...]:
        return tuple(self.run.exchanges)

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        return self.run.shared(key, factory)

    def secrets(self) -> frozenset[str]:
        return self.run.secrets()


def run_check(run: ContractRun, check: Check, check_id: str) -> CheckResult:
    """Run one check and judge it. Never raises for the check's own outcome."""
    context = Context(run=run, check_id=check_id)
    start = time.perf_counter()
    verdict: Verdict | None = None
    outcome, message = Outcome.PASSED, ""
    evidence: tuple[dict[str, object], ...] = ()
    data: dict[str, Any] = {}
    refusal = _refusal(run)
    if refusal is not None:  # the target went away, or the run's time is up: not started
        return _not_started(run, check, check_id, *refusal)
    run.guard.begin_check()
    try:
        context.recorded_seed = run.begin(check, context.seed)
        with pinned_generation():  # the same requests from a seed in any process
            verdict = check.run(context)
    except CheckFailure as failure:
        outcome, message = Outcome.FAILED, failure.message
        evidence, data = failure.evidence, dict(failure.data)
    except HarnessError as exc:
        outcome, message = Outcome.ERROR, f"{type(exc).__name__}: {exc}"
    except (Exception, BaseExceptionGroup) as exc:  # a bug of harness, not of the target
        outcome, message = Outcome.ERROR, _unexpected(exc)
    if verdict is not None:
        outcome, message, data = verdict.outcome, verdict.message, verdict.data
    outcome, message, data = _cut_outcome(run, outcome, message, data)
    outcome, message, data = _cassette_outcome(run, outcome, message, data)
    if check.subject is Subject.CLIENT:  # judges harness's own client (checks/base.py)
        data = about_client(data)
    return with_family_traits(
        CheckResult(
            id=check_id,
            integration=run.contract.id,
            family=str(check.family),
            name=check.name,
            outcome=outcome,
            duration_s=round(time.perf_counter() - start, 4),
            message=redact_text(message, run.secrets()),
            evidence=redact_value(tuple(evidence), run.secrets()),
            seed=context.seed,
            contract_line=str(check.loc),
            data=redact_value(data, run.secrets()),
        )
    )


def run_item(run: ContractRun, check: Check, check_id: str) -> tuple[CheckResult, list[Exchange]]:
    """Open the target, refuse what must not run there, run the check: its result (with the
    compact record of its requests in ``data``) and the exchanges it caused."""
    try:
        target = run.target()  # a target that is down errors here, not "failed"
    except HarnessError as exc:
        why = f"harness could not open the target: {exc}"
        return _not_started(run, check, check_id, Outcome.ERROR, why), []
    refusal = check.refusal(target, allow_protected=run.settings.allow_protected)
    if refusal:
        return _not_started(run, check, check_id, Outcome.SKIPPED, f"not run: {refusal}"), []
    first = len(run.exchanges)
    result = run_check(run, check, check_id)
    exchanges = run.exchanges[first:]
    data = {**result.data, EXCHANGES_KEY: [compact_exchange(item) for item in exchanges]}
    return replace(result, data=data), exchanges


def with_family_traits(result: CheckResult) -> CheckResult:
    """``result`` with what reports need to know of its family (``checks.registry``)."""
    traits = families().get(result.family)
    if traits is None:
        return result
    return replace(result, requirement=traits.requirement, provoking=traits.provoking)


def _refusal(run: ContractRun) -> tuple[Outcome, str] | None:
    """Why a check must not start: its target went away (error), the run's time is up (skip)."""
    if run.guard.gone is not None:
        return Outcome.ERROR, run.guard.gone
    run.guard.clock.start()
    exhausted = run.guard.clock.exhausted()
    if exhausted is not None:
        return Outcome.SKIPPED, f"not run: {exhausted}"
    return None


def _not_started(
    run: ContractRun, check: Check, check_id: str, outcome: Outcome, why: str
) -> CheckResult:
    return with_family_traits(
        CheckResult(
            id=check_id,
            integration=run.contract.id,
            family=str(check.family),
            name=check.name,
            outcome=outcome,
            message=why,
            contract_line=str(check.loc),
            data={CUT_KEY: why},
        )
    )


def _cut_outcome(
    run: ContractRun, outcome: Outcome, message: str, data: dict[str, Any]
) -> tuple[Outcome, str, dict[str, Any]]:
    """A check stopped short: a finding before the stop stands; anything else is not a pass."""
    cut = run.guard.end_check()
    stop = run.guard.gone or cut
    if stop is None:
        return outcome, message, data
    data = {**data, CUT_KEY: stop}
    if outcome is Outcome.FAILED:
        return outcome, f"{message} [{stop}]", data
    if run.guard.gone is not None:
        return Outcome.ERROR, stop, data
    return Outcome.SKIPPED, f"{stop}; nothing failed before the cut", data


def _unexpected(exc: BaseException) -> str:
    """A bug of harness; but in a group (Hypothesis's distinct failures), the run's own error
    (a request not recorded in replay, say) when there is one."""
    if isinstance(exc, BaseExceptionGroup):
        errors = [e for e in _flatten(exc) if isinstance(e, HarnessError)]
        if errors:
            return f"{type(errors[0]).__name__}: {errors[0]}"
    return f"harness error: {type(exc).__name__}: {exc}"


def _flatten(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    return [
        leaf
        for item in group.exceptions
        for leaf in (_flatten(item) if isinstance(item, BaseExceptionGroup) else [item])
    ]


def _no_wait(seconds: float) -> None:
    del seconds


def _cassette_outcome(
    run: ContractRun, outcome: Outcome, message: str, data: dict[str, Any]
) -> tuple[Outcome, str, dict[str, Any]]:
    """A cassette that could not be written errors the check; a stale one is reported."""
    try:
        problem = run.finish()
    except OSError as exc:
        problem = f"cassette not written: {type(exc).__name__}: {exc}"
    if problem is not None:
        return Outcome.ERROR, problem, data
    stale = run.staleness()
    if stale is not None:
        data = {**data, "cassette_stale": stale}
        message = f"{message} [warning: {stale}]" if message else f"[warning: {stale}]"
    return outcome, message, data
