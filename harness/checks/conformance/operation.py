"""Family ``conformance``: property-based requests per operation, built on Schemathesis.

Schemathesis generates the requests (positive: valid; negative: invalid) and judges each
response with its own checks; harness sends them through its contract-driven client (auth,
headers, timeouts) and turns the shrunk failure into a message that names the operation,
the request, the response, the contract line, the seed and a curl line.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from harness.auth import NoAuth
from harness.checks.base import Check, CheckRuntime, Verdict
from harness.checks.conformance.cases import (
    InvalidCredential,
    credential_parameters,
    is_success,
    send_case,
)
from harness.checks.conformance.evidence import (
    Exchanged,
    describe_failure,
    failure_kinds,
    failure_titles,
)
from harness.checks.conformance.phases import coverage_cases, documented_examples
from harness.checks.conformance.reached import Reached
from harness.checks.conformance.resources import Creator, creators_for, extract
from harness.checks.operations import SAFE_METHODS
from harness.contract import Contract
from harness.contract.contract import Operation
from harness.errors import CheckFailure, TransportError
from harness.results import Outcome
from harness.settings import Mode
from harness.transports.client import DEFAULT_IDEMPOTENCY_HEADER, RequestNotSendable

_PATH_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
#: The local sandbox's header on an answer the document does not describe (sandbox/pipeline.py).
SANDBOX_NOTE = "Harness-Sandbox-Note"
#: Refusals HTTP defines for any resource; no error table lists them.
_PROTOCOL_REFUSALS = frozenset({405, 501})
#: Explicit (examples, coverage) requests in flight at once, in a live run.
EXPLICIT_IN_FLIGHT = 4
POSITIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
    st_checks.response_headers_conformance,
    st_checks.allow_header_conformance,
)
NEGATIVE_CHECKS = (
    st_checks.not_a_server_error,
    st_checks.negative_data_rejection,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,  # a documented refusal has a documented body
    st_checks.missing_required_header,
    st_checks.unsupported_method,
    st_checks.allow_header_conformance,
)


class TargetCrashed(CheckFailure):
    """The server dropped the connection on one request after answering others."""


class ResourceUnavailable(CheckFailure):
    """A resource the target had just created was answered 404."""


class IgnoredAuth(CheckFailure):
    """A secured operation answered 2xx to a request with no or wrong credentials."""


def plan(contract: Contract) -> list[Check]:
    """Positive and negative examples per operation (stateful.py adds the sequences)."""
    if contract.document is None:
        return []
    checks = []
    for operation in contract.document.operations.values():
        mutating = operation.method not in SAFE_METHODS
        for mode, suffix in (
            (GenerationMode.POSITIVE, ""),
            (GenerationMode.NEGATIVE, "[negative]"),
        ):
            kind = "valid" if mode is GenerationMode.POSITIVE else "invalid"
            checks.append(
                Check(
                    family="conformance",
                    name=operation.operation_id + suffix,
                    run=partial(check_operation, operation_id=operation.operation_id, mode=mode),
                    description=f"{operation.label}: {kind} requests get documented answers",
                    loc=contract.api.loc if contract.api else contract.loc,
                    mutating=mutating,
                    fuzzing=True,
                )
            )
    return checks


def check_operation(context: CheckRuntime, *, operation_id: str, mode: GenerationMode) -> Verdict:
    """Run the operation's examples, coverage cases and fuzzing; fail with the shrunk case."""
    operation = context.contract.operation(operation_id)
    excluded = context.contract.excluded_from_fuzzing(operation, context.target.environment.name)
    if excluded:  # the contract's safety section: never fuzzed here
        return Verdict(outcome=Outcome.SKIPPED, message=f"not fuzzed: {excluded}")
    schema = schemathesis_schema(context)
    api_operation = find_api_operation(schema, operation)
    run = _Run(context=context, operation=operation, mode=mode)
    if mode is GenerationMode.POSITIVE:
        run.token_endpoint = _is_token_endpoint(context.contract, operation)
        run.credentials = sorted(credential_parameters(api_operation))
    run.creator = _creator(context, operation)  # negative too: invalid data, real resource
    test, cases = run.build(schema, api_operation)
    started = time.perf_counter()
    try:
        run.send_explicit(cases)
        test()
    except hypothesis.errors.Unsatisfiable:
        if run.findings:  # explicit cases (examples, coverage, method probes) found something
            _raise_failure(context, operation, run, None)
        why = (
            f"{run.unsendable} generated requests could not be sent by harness's client"
            if run.unsendable
            else "it has no parameter or body that can be made invalid"
            if mode is GenerationMode.NEGATIVE
            else "Schemathesis could not satisfy its schemas"
        )
        return _skipped(f"{operation.label}: no {mode.value} example to send: {why}", run)
    except (Exception, BaseExceptionGroup) as exc:  # Schemathesis groups failures
        _raise_failure(context, operation, run, exc)
    if run.findings:
        _raise_failure(context, operation, run, None)
    run.timing["total_s"] = time.perf_counter() - started
    return judge(context, operation, run)


@dataclass(slots=True, kw_only=True)
class _Run:
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
    last: Exchanged | None = None
    unsendable: int = 0
    explicit: set[int] = field(default_factory=set)  # ids of the examples/coverage cases
    # Failures of explicit cases, kept so that one of them does not hide the others.
    findings: list[tuple[BaseException, Exchanged | None]] = field(default_factory=list)
    timing: dict[str, float] = field(
        default_factory=lambda: {"send_s": 0.0, "validate_s": 0.0, "explicit": 0.0}
    )

    def build(self, schema: Any, api_operation: Any) -> tuple[Any, list[Any]]:
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
        return _settings(self.context.settings.examples)(test), cases

    def send_explicit(self, cases: list[Any]) -> None:
        """Schemathesis's examples and coverage phases: each case once, judged in order.

        Their failures are kept as findings (deterministic: nothing to shrink); a case
        harness's client cannot send is counted and skipped. Where the order of the
        requests cannot matter (see ``_concurrent``) they are sent several at a time,
        while the earlier ones are judged; the throttle still keeps declared rate limits.
        """
        if not self._concurrent():
            self._judge_all(map(self._send, cases))
            return
        pool = ThreadPoolExecutor(EXPLICIT_IN_FLIGHT, thread_name_prefix="harness-explicit")
        try:
            self._judge_all(pool.map(self._send, cases))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _judge_all(self, sent: Iterable[tuple[Any, Exchanged | None, float]]) -> None:
        for outcome in sent:
            with contextlib.suppress(hypothesis.errors.UnsatisfiedAssumption):
                self._judged(*outcome)  # unsendable: counted, skipped

    def _concurrent(self) -> bool:
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
        created = self._use_known_resource(case, source) if use_known else None
        self._judged(*self._send(case), created=created)

    def _send(self, case: Any) -> tuple[Any, Exchanged | None, float]:
        """Send ``case``: the case, what came back (None: harness cannot send it), seconds."""
        started = time.perf_counter()
        try:
            exchanged: Exchanged | None = send_case(self.context, case)
        except RequestNotSendable:
            exchanged = None
        return case, exchanged, time.perf_counter() - started

    def _judged(
        self,
        case: Any,
        exchanged: Exchanged | None,
        seconds: float,
        *,
        created: dict[str, Any] | None = None,
    ) -> None:
        self.timing["send_s"] += seconds
        if exchanged is None:
            self.unsendable += 1
            hypothesis.reject()  # harness's client limitation, not the target's
        started = time.perf_counter()
        self.last = exchanged
        self.reached.add(exchanged.status)
        try:
            self._judge_example(case, exchanged, created)
        except (Exception, BaseExceptionGroup) as exc:
            if id(case) not in self.explicit or failure_titles(exc) is None:
                raise  # a generated case: Hypothesis shrinks it
            self.findings.append((exc, exchanged))  # deterministic: keep going
        finally:
            self.timing["validate_s"] += time.perf_counter() - started

    def _noted_refusal(self, response: httpx.Response) -> bool:
        """The local sandbox refused an invalid request with a status the document lacks."""
        local = self.context.target.controls is not None
        replayed = self.context.settings.mode == Mode.REPLAY  # the note was recorded with it
        if self.mode is not GenerationMode.NEGATIVE or not (local or replayed):
            return False
        note: str = response.headers.get(SANDBOX_NOTE, "")
        return note.startswith("undocumented 4")

    def _probe_auth(self, case: Any) -> None:
        """Once per check: the same successful request, without and with wrong credentials."""
        if self.auth_probed or not self.credentials:
            return
        self.auth_probed = True
        probes: list[tuple[str, Any]] = [("no credentials", NoAuth())]
        probes += [("a wrong credential", InvalidCredential(*c)) for c in self.credentials]
        for what, auth in probes:
            try:
                probe = send_case(self.context, case, auth=auth)
            except RequestNotSendable:
                continue  # e.g. an empty credential our client refuses to send: not judged
            if is_success(probe.response):
                assert probe.response is not None
                found = IgnoredAuth(
                    f"accepted a request with {what}: answered {probe.response.status_code} "
                    "although the operation's security requires credentials"
                )
                self.findings.append((found, probe))  # probed once: nothing to shrink
                return

    def _follow_location(self, response: httpx.Response) -> None:
        """A 201's ``Location`` names the new resource: when the document says how to read
        it, it must be there (RFC 9110 §15.3.2)."""
        location = response.headers.get("Location")
        if response.status_code != 201 or not location or self.located:
            return
        path = httpx.URL(response.url).join(location).path
        base = httpx.URL(self.context.target.base_url).path.rstrip("/")
        relative = path[len(base) :] if base and path.startswith(base) else path
        if not _documented_read(self.context.contract, relative):
            return
        self.located = True  # once per check: one follow proves or disproves the header
        answer = self.context.client(retry=False).request("GET", relative)
        if answer.status_code == 404:
            raise ResourceUnavailable(
                f"{self.operation.label} answered 201 with Location: {location}, but GET "
                f"{relative} answered 404: the Location names no resource"
            )

    def _use_known_resource(self, case: Any, source: Any) -> dict[str, Any] | None:
        """Create a resource with the linked creator and point ``case`` at it."""
        assert self.creator is not None
        if _path_negated(case):
            return None  # the invalid part is the id itself: keep it
        _fresh_idempotency_key(self.context, source)
        try:
            created = send_case(self.context, source)
        except RequestNotSendable:
            return None
        if not is_success(created.response):
            return None
        assert created.response is not None
        values = extract(self.creator, created.response)
        if not values:
            return None
        case.path_parameters = {**(case.path_parameters or {}), **values}
        self.reached.known += 1
        return values

    def _judge_example(
        self, case: Any, exchanged: Exchanged, created: dict[str, Any] | None
    ) -> None:
        if exchanged.response is None:
            raise _disconnected(self.context, self.reached, exchanged)
        positive = self.mode is GenerationMode.POSITIVE
        if positive and created is not None and exchanged.response.status_code == 404:
            assert self.creator is not None
            shown = ", ".join(f"{k}={v}" for k, v in created.items())
            raise ResourceUnavailable(
                f"{self.creator.operation_id} had just created the resource ({shown}), "
                f"yet {self.operation.label} answered 404 for it"
            )
        checks: list[Any] = list(
            POSITIVE_CHECKS if self.mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS
        )
        if not positive and exchanged.response.status_code < 400:
            # accepted invalid data is negative_data_rejection's finding; the body of the
            # acceptance is the positive check's business
            checks = [c for c in checks if c is not st_checks.response_schema_conformance]
        if self._noted_refusal(exchanged.response):
            self.noted += 1  # the document's gap, which the sandbox reports: not the target's
            checks = [c for c in checks if c is not st_checks.status_code_conformance]
        case.validate_response(exchanged.response, checks=checks)
        if self.mode is GenerationMode.POSITIVE and is_success(exchanged.response):
            self._probe_auth(case)
            self._follow_location(exchanged.response)
        if self.mode is GenerationMode.NEGATIVE:
            _require_declared_error(self.context, exchanged)


def find_api_operation(schema: Any, operation: Operation) -> Any:
    """Schemathesis's operation for ``operation``: by operationId, else by path and method.

    Documents without operationIds are common; harness names those operations itself, and
    Schemathesis finds them by their path and method.
    """
    try:
        return schema.find_operation_by_id(operation.operation_id)
    except LookupError:
        return schema[operation.path][operation.method.upper()]


def _creator(context: CheckRuntime, operation: Operation) -> Creator | None:
    """The linked operation that creates what ``operation`` reads, when creating is allowed."""
    names = _PATH_TEMPLATE.findall(operation.path)
    document = context.contract.document
    if not names or document is None:
        return None
    if context.target.protected and not context.settings.allow_protected:
        return None  # never write to a protected environment to make a read succeed
    found = creators_for(dict(document.raw), operation.operation_id, names)
    return found[0] if found else None


def _documented_read(contract: Contract, path: str) -> bool:
    """Whether a documented GET operation's path template matches ``path``."""
    document = contract.document
    if document is None:
        return False
    for operation in document.operations.values():
        if operation.method != "get":
            continue
        escaped = re.escape(operation.path).replace(r"\{", "{").replace(r"\}", "}")
        pattern = _PATH_TEMPLATE.sub("[^/]+", escaped)
        if re.fullmatch(pattern, path):
            return True
    return False


def _fresh_idempotency_key(context: CheckRuntime, source: Any) -> None:
    """Drop a generated idempotency key from the creator's case: the client adds a fresh one.

    Hypothesis repeats small values (``"0"``); a server that rightly replays the first
    create for a repeated key would hand back an id deleted since, not a new resource.
    """
    retry = context.contract.retry
    name = (retry.idempotency_header if retry else None) or DEFAULT_IDEMPOTENCY_HEADER
    headers = getattr(source, "headers", None)
    if headers:
        source.headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}


def _path_negated(case: Any) -> bool:
    components = getattr(getattr(case, "meta", None), "components", None) or {}
    return any(
        str(getattr(location, "value", location)) == "path"
        and getattr(info, "mode", None) == GenerationMode.NEGATIVE
        for location, info in components.items()
    )


def _is_token_endpoint(contract: Contract, operation: Operation) -> bool:
    auth = contract.auth
    token_url = auth.token_url if auth is not None else None
    return operation.method == "post" and token_url is not None and operation.path == token_url


def _disconnected(context: CheckRuntime, reached: Reached, exchanged: Exchanged) -> Exception:
    """A dropped connection: a finding when the target answered other requests."""
    answered = any(status is not None for status in reached.statuses) or any(
        exchange.response is not None for exchange in context.exchanges()
    )
    if not answered:
        return TransportError(
            f"{exchanged.request.method} {exchanged.request.url.path}: the target closed the "
            f"connection and has answered no request yet ({exchanged.error}): is it up?"
        )
    return TargetCrashed(
        "the server closed the connection instead of answering this request "
        f"({exchanged.error}), after answering others: a crash on this input"
    )


def judge(context: CheckRuntime, operation: Operation, run: _Run) -> Verdict:
    """Passed only when the examples exercised the claim; skipped (with why) otherwise."""
    reached, mode = run.reached, run.mode
    data = {
        **reached.data(),
        **{k: round(v, 4) for k, v in run.timing.items()},
        "mode": mode.value,
        "unsendable": run.unsendable,
    }
    label = operation.label
    if reached.count == 0:
        return _skipped(f"{label}: no {mode.value} example was sent", run)
    positive = mode is GenerationMode.POSITIVE  # negative cases may break credentials on purpose
    if positive and reached.auth_broke() and not run.token_endpoint:
        return Verdict(
            outcome=Outcome.ERROR,
            message=f"{label}: the credentials stopped working mid-run: answers were 2xx, "
            f"then only 401/403 ({reached.breakdown()}); nothing after that was judged",
            data=data,
        )
    if reached.only_refusals() and not _is_token_endpoint(context.contract, operation):
        return _skipped(
            f"{label}: every answer refused the credentials ({reached.breakdown()}): "
            f"{_refusal_hint(context)}",
            run,
        )
    if mode is GenerationMode.NEGATIVE:
        gap = (
            f"; {run.noted} refused with a status the document does not declare (the sandbox "
            "notes it: declare the 4xx answers of this operation)"
            if run.noted
            else ""
        )
        return Verdict(
            message=f"{label}: {reached.count} negative examples answered as documented "
            f"({reached.breakdown()}){gap}",
            data={**data, "undocumented_refusals": run.noted},
        )
    if reached.successes == 0 and _documents_success(operation):
        return _skipped(f"{label}: {reached.summary()}: {_no_success_hint(run)}", run)
    return Verdict(
        message=f"{label}: {reached.count} positive examples conform; {reached.summary()}",
        data=data,
    )


def _skipped(message: str, run: _Run) -> Verdict:
    data = {**run.reached.data(), "mode": run.mode.value, "unsendable": run.unsendable}
    return Verdict(outcome=Outcome.SKIPPED, message=message, data=data)


def _refusal_hint(context: CheckRuntime) -> str:
    earlier = [e for e in context.exchanges() if e.status is not None and 200 <= e.status < 300]
    if earlier:
        return (
            f"the run's credentials were accepted earlier ({len(earlier)} 2xx answers); unless "
            "this operation takes other credentials, they broke mid-run (revoked, expired, or "
            "deleted by a destructive operation)"
        )
    return "check the credentials of this environment"


def _no_success_hint(run: _Run) -> str:
    only = run.reached.single_status()
    same = f"every answer was {only}" if only is not None else "no documented 2xx was reached"
    if run.token_endpoint:
        return f"{same}; generated client credentials are refused, as they must be"
    if run.creator is None:
        return f"{same}; no OpenAPI link from a create operation fills its path parameters"
    if run.reached.known == 0:
        return f"{same}; {run.creator.operation_id} created nothing harness could use"
    return same


def _documents_success(operation: Operation) -> bool:
    responses = operation.definition.get("responses") or {}
    return any(str(code).startswith("2") for code in responses)


def schemathesis_schema(context: CheckRuntime) -> Any:
    """The contract's OpenAPI document as loaded by Schemathesis (once per run)."""
    return context.shared("schemathesis-schema", partial(_load_schema, context.contract))


def _load_schema(contract: Contract) -> Any:
    assert contract.document is not None  # planned only with a document
    return schemathesis.openapi.from_dict(dict(contract.document.raw))


def _settings(examples: int) -> Any:
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


def _require_declared_error(context: CheckRuntime, exchanged: Exchanged) -> None:
    """An invalid request must be answered with a declared 4xx error of the contract."""
    response = exchanged.response
    if response is None or not 400 <= response.status_code < 500:
        return  # negative_data_rejection reports this with its own message
    if response.status_code in _PROTOCOL_REFUSALS:
        return  # HTTP's own answers (an undeclared method); unsupported_method judges them
    declared = [e for e in context.contract.errors if e.status == response.status_code]
    if not context.contract.errors:
        return
    if not declared:
        codes = ", ".join(sorted({f"{e.code}={e.status}" for e in context.contract.errors}))
        raise CheckFailure(
            f"rejected with {response.status_code}, which no declared error has ({codes})"
        )


def _raise_failure(
    context: CheckRuntime, operation: Operation, run: _Run, exc: BaseException | None
) -> None:
    """One CheckFailure with the shrunk failure (if any) and each distinct explicit one."""
    found: list[tuple[BaseException, Exchanged | None]] = list(run.findings)
    if exc is not None:
        if failure_titles(exc) is None:
            raise exc
        found.insert(0, (exc, run.last))
    seen: set[tuple[str, ...]] = set()
    parts: list[str] = []
    kinds: list[str] = []
    for error, exchanged in found:
        key = tuple(failure_kinds(error))
        if key in seen:
            continue
        seen.add(key)
        kinds += key
        parts.append(describe_failure(context, operation, exchanged, failure_titles(error) or []))
    message = "\n\n".join(parts) + f"\nReached:   {run.reached.summary()}"
    data = {**run.reached.data(), "mode": run.mode.value, "findings": kinds}
    first = found[0][1]
    evidence = first.evidence(context) if first else ()
    raise CheckFailure(message, evidence=evidence, data=data) from None
