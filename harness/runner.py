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
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from harness.checks.base import Check, RunSettings, Target, Verdict
from harness.contract import Contract
from harness.errors import CheckFailure, HarnessError
from harness.results import CheckResult, Outcome
from harness.targets import open_target
from harness.transports.client import HarnessClient
from harness.transports.exchange import Exchange
from harness.transports.scrub import redact_text
from harness.transports.throttle import FileBudget, Throttle

T = TypeVar("T")


class ContractRun:
    """Everything the checks of one contract share during one run."""

    def __init__(self, contract: Contract, settings: RunSettings) -> None:
        self.contract = contract
        self.settings = settings
        self.exchanges: list[Exchange] = []
        self._stack = contextlib.ExitStack()
        self._target: Target | None = None
        self._failure: HarnessError | None = None
        self._shared: dict[str, Any] = {}
        self._lock = threading.Lock()

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
                self._shared[key] = factory()
            value: T = self._shared[key]
            return value

    def secrets(self) -> frozenset[str]:
        held = self.contract.secret_values()
        if self._target is not None:
            held |= self._target.credentials.secret_values()
        return held

    def client(self, **options: Any) -> HarnessClient:
        key = "client:" + repr(sorted(options.items()))
        target = self.target()

        def build() -> HarnessClient:
            settings = {"throttle": self._throttle(target), **options}
            client = HarnessClient(
                self.contract,
                base_url=target.base_url,
                credentials=target.credentials,
                record=self.exchanges.append,
                **settings,
            )
            self._stack.callback(client.close)
            return client

        return self.shared(key, build)

    def _throttle(self, target: Target) -> Throttle | bool:
        """One budget per target, shared by every client and (under xdist) every worker.

        The local sandbox does not enforce its limits during a run, so it is not throttled.
        """
        if target.controls is not None or not self.contract.rate_limits:
            return False

        def build() -> Throttle:
            scope = f"{self.contract.id}@{target.base_url}"
            budget = FileBudget.shared(scope) if os.environ.get("PYTEST_XDIST_WORKER") else None
            return Throttle(self.contract.rate_limits, scope=scope, budget=budget)

        return self.shared("throttle", build)

    def http(self) -> httpx.Client:
        def build() -> httpx.Client:
            client = httpx.Client(base_url=self.target().base_url, timeout=30.0)
            self._stack.callback(client.close)
            return client

        return self.shared("http", build)

    def close(self) -> None:
        self._stack.close()


@dataclass
class Context:
    """The ``CheckContext`` one check runs with."""

    run: ContractRun
    check_id: str
    kept: list[Exchange] = field(default_factory=list)

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
        return self.settings.check_seed(self.check_id)

    def client(self, **options: Any) -> HarnessClient:
        return self.run.client(**options)

    def http(self) -> httpx.Client:
        return self.run.http()

    def record(self, exchange: Exchange) -> None:
        self.kept.append(exchange)

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
    try:
        verdict = check.run(context)
    except CheckFailure as failure:
        outcome, message = Outcome.FAILED, failure.message
        evidence, data = failure.evidence, dict(failure.data)
    except HarnessError as exc:
        outcome, message = Outcome.ERROR, f"{type(exc).__name__}: {exc}"
    except (Exception, BaseExceptionGroup) as exc:  # a bug of harness, not of the target
        outcome, message = Outcome.ERROR, f"harness error: {type(exc).__name__}: {exc}"
    if verdict is not None:
        outcome, message, data = verdict.outcome, verdict.message, verdict.data
    return CheckResult(
        id=check_id,
        integration=run.contract.id,
        family=str(check.family),
        name=check.name,
        outcome=outcome,
        duration_s=round(time.perf_counter() - start, 4),
        message=redact_text(message, run.secrets()),
        evidence=tuple(evidence),
        seed=context.seed,
        contract_line=str(check.loc),
        data=data,
    )
