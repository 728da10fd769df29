"""One conformance check in progress: the cases it sends, and each answer judged in turn.

The explicit cases (the document's examples, Schemathesis's coverage phase) are sent first,
once each, their failures kept as findings; then Hypothesis fuzzes the operation and shrinks
the first failure. An example may first create a resource (``resources``) so that its
path parameters name a real one; a successful one is probed once (``probes``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
from hypothesis import strategies as st
from schemathesis import GenerationMode

from harness.checks.base import CheckRuntime
from harness.checks.conformance.cases import is_success, send_case
from harness.checks.conformance.evidence import SentCase, failure_titles
from harness.checks.conformance.judging import (
    ResourceUnavailable,
    checks_for,
    disconnected,
    noted_refusal,
    require_declared_error,
)
from harness.checks.conformance.phases import coverage_cases, documented_examples
from harness.checks.conformance.probes import probe_auth, readable_location, require_location_found
from harness.checks.conformance.reached import Reached
from harness.checks.conformance.resources import Creator, point_at_new_resource
from harness.checks.conformance.schema import find_api_operation
from harness.contract.contract import SAFE_METHODS, Operation
from harness.settings import Mode
from harness.transports.client import RequestNotSendable

#: Explicit (examples, coverage) requests in flight at once, in a live run.
EXPLICIT_IN_FLIGHT = 4


@dataclass(slots=True, kw_only=True)
class OperationRun:
    """One conformance check in progress: what it sent, what came back, how long it took."""

    context: CheckRuntime
    operation: Operation
    mode: GenerationMode
    creator: Creator | None = None
    sources: Any = None  # the creator's positive cases, drawn when an example uses one
    token_endpoint: bool = False  # examples may carry the run's own client credentials
    credentials: list[tuple[str, str]] = field(default_factory=list)  # (location, name)
    auth_probed: bool = False
    located: bool = False  # a 201's Location was followed once
    noted: int = 0  # refusals the local sandbox marked as missing from the document
    reached: Reached = field(default_factory=Reached)
    last: SentCase | None = None
    unsendable: int = 0
    explicit: set[int] = field(default_factory=set)  # ids of the examples/coverage cases
    # Failures of explicit cases, kept so that one of them does not hide the others.
    findings: list[tuple[BaseException, SentCase | None]] = field(default_factory=list)
    timing: dict[str, float] = field(
        default_factory=lambda: {"send_s": 0.0, "validate_s": 0.0, "explicit": 0.0}
    )

    def build(self, schema: Any, api_operation: Any) -> tuple[Callable[[], None], list[Any]]:
        """The fuzzing test, and the explicit cases (examples, coverage) to send before it.

        The creator's case is drawn only for the examples that use it: drawing it for every
        example would double the generation cost of each operation with a path parameter.
        """
        fuzzed = api_operation.as_strategy(generation_mode=self.mode)
        if self.creator is not None:
            creator = self.context.contract.operation(self.creator.operation_id)
            source = find_api_operation(schema, creator)
            sources = source.as_strategy(generation_mode=GenerationMode.POSITIVE)
            self.sources = sources
            test = hypothesis.given(case=fuzzed, use_known=st.booleans(), data=st.data())(
                self.example_linked
            )
        elif self.token_endpoint:
            test = hypothesis.given(case=fuzzed, use_known=st.booleans())(self.example_token)
        else:
            test = hypothesis.given(case=fuzzed)(self.example_alone)
        cases = coverage_cases(api_operation, self.mode)
        if self.mode is GenerationMode.POSITIVE:
            cases = documented_examples(api_operation, test) + cases
        self.timing["explicit"] = float(len(cases))
        self.explicit = {id(case) for case in cases}
        test = hypothesis.seed(self.context.seed)(test)
        return example_settings(self.context.settings.examples)(test), cases

    def send_explicit(self, cases: list[Any]) -> None:
        """Schemathesis's examples and coverage phases: each case once, judged in order.

        Their failures are kept as findings (deterministic: nothing to shrink); a case
        harness's client cannot send is counted and skipped. Where the order of the
        requests cannot matter (see ``concurrent``) they are sent several at a time,
        while the earlier ones are judged; the throttle still keeps declared rate limits.
        """
        if not self.concurrent():
            self._judge_all(map(self._send, cases))
            return
        pool = ThreadPoolExecutor(EXPLICIT_IN_FLIGHT, thread_name_prefix="harness-explicit")
        try:
            self._judge_all(pool.map(self._send, cases))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def concurrent(self) -> bool:
        """Whether explicit cases may be in flight together: live, and order-independent.

        Cassettes keep requests in order, so recording and replaying send one at a time;
        so do valid requests to an operation that changes state (a create then a delete).
        """
        if self.context.settings.mode != Mode.LIVE:
            return False
        return self.mode is GenerationMode.NEGATIVE or self.operation.method in SAFE_METHODS

    def example_linked(self, case: Any, use_known: bool, data: Any) -> None:
        source = data.draw(self.sources, label="source") if use_known else None
        self.example(case, source, use_known=use_known)

    def example_alone(self, case: Any) -> None:
        self.example(case, None, use_known=False)

    def example_token(self, case: Any, use_known: bool) -> None:
        if use_known and isinstance(case.body, dict):
            credentials = self.context.target.credentials
            secret = credentials.client_secret.value if credentials.client_secret else None
            if credentials.client_id and secret:
                case.body = {**case.body, "client_id": credentials.client_id}
                case.body["client_secret"] = secret
                case.body.setdefault("grant_type", "client_credentials")
                self.reached.known += 1
        self.example(case, None, use_known=False)

    def example(self, case: Any, source: Any, use_known: bool) -> None:
        created = self.use_known_resource(case, source) if use_known else None
        self._judged(*self._send(case), created=created)

    def use_known_resource(self, case: Any, source: Any) -> dict[str, Any] | None:
        """Point ``case`` at a resource the linked creator has just made (``resources``)."""
        assert self.creator is not None
        values = point_at_new_resource(self.context, self.creator, case, source)
        if values is not None:
            self.reached.known += 1
        return values

    def _judge_all(self, sent: Iterable[tuple[Any, SentCase | None, float]]) -> None:
        """Judge explicit cases; one harness cannot send is counted and skipped.

        Not through ``hypothesis.reject()``: outside a Hypothesis test it is deprecated.
        """
        for case, answer, seconds in sent:
            if answer is None:
                self.timing["send_s"] += seconds
                self.unsendable += 1
                continue
            self._judged(case, answer, seconds)

    def _send(self, case: Any) -> tuple[Any, SentCase | None, float]:
        """Send ``case``: the case, what came back (None: harness cannot send it), seconds."""
        started = time.perf_counter()
        try:
            sent: SentCase | None = send_case(self.context, case)
        except RequestNotSendable:
            sent = None
        return case, sent, time.perf_counter() - started

    def _judged(
        self,
        case: Any,
        sent: SentCase | None,
        seconds: float,
        *,
        created: dict[str, Any] | None = None,
    ) -> None:
        self.timing["send_s"] += seconds
        if sent is None:
            self.unsendable += 1
            hypothesis.reject()  # harness's client limitation, not the target's
        started = time.perf_counter()
        self.last = sent
        self.reached.add(sent.status)
        try:
            self._judge_example(case, sent, created)
        except (Exception, BaseExceptionGroup) as exc:
            if id(case) not in self.explicit or failure_titles(exc) is None:
                raise  # a generated case: Hypothesis shrinks it
            self.findings.append((exc, sent))  # deterministic: keep going
        finally:
            self.timing["validate_s"] += time.perf_counter() - started

    def _judge_example(self, case: Any, sent: SentCase, created: dict[str, Any] | None) -> None:
        if sent.response is None:
            raise disconnected(self.context, self.reached, sent)
        positive = self.mode is GenerationMode.POSITIVE
        if positive and created is not None and sent.response.status_code == 404:
            assert self.creator is not None
            shown = ", ".join(f"{k}={v}" for k, v in created.items())
            raise ResourceUnavailable(
                f"{self.creator.operation_id} had just created the resource ({shown}), "
                f"yet {self.operation.label} answered 404 for it"
            )
        noted = noted_refusal(self.context, self.mode, sent.response)
        if noted:
            self.noted += 1  # the document's gap, which the sandbox reports: not the target's
        case.validate_response(
            sent.response, checks=checks_for(self.mode, sent.response, noted=noted)
        )
        if positive and is_success(sent.response):
            self._probe_auth(case)
            self._follow_location(sent.response)
        if self.mode is GenerationMode.NEGATIVE:
            require_declared_error(self.context, sent)

    def _probe_auth(self, case: Any) -> None:
        """Once per check: the same successful request, without and with wrong credentials."""
        if self.auth_probed or not self.credentials:
            return
        self.auth_probed = True
        finding = probe_auth(self.context, case, self.credentials)
        if finding is not None:
            self.findings.append(finding)  # probed once: nothing to shrink

    def _follow_location(self, response: httpx.Response) -> None:
        """Once per check: a 201's ``Location`` must name a resource the document can read."""
        if self.located:
            return
        found = readable_location(self.context, response)
        if found is None:
            return
        self.located = True  # once per check: one follow proves or disproves the header
        require_location_found(self.context, self.operation, *found)


def example_settings(examples: int) -> hypothesis.settings:
    """Hypothesis's settings for one check: seeded by the caller, no database, quiet."""
    return hypothesis.settings(
        parent=hypothesis.settings.get_profile("default"),  # not the ambient profile
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
        report_multiple_bugs=False,
        verbosity=hypothesis.Verbosity.quiet,
    )
