"""Family ``performance``: the declared latency and throughput hold under the declared load.

One check per declared figure of ``performance:`` (``avg_ms``, ``p95_ms``, ``p99_ms``,
``throughput_rps``) and one for the error rate under load; all judge one bounded probe
(``probe.py``, bounded by ``spec.py``), run once per contract and run. The probe sends only
GET operations that need no parameter, round-robin.

* Never against a ``protected`` environment without ``--allow-protected`` (skipped, saying so).
* In replay the latencies are the recorded ones (never the speed of replay); throughput is
  not judged, since the cassette answers, not the target.
* Fewer samples than ``performance.min_samples``: a figure over its target still fails (it
  was observed), one within it is inconclusive, never passed on too little evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.performance.probe import ProbeResult, run_probe
from harness.checks.performance.spec import parse_load, plan_load
from harness.contract import Contract
from harness.contract.contract import Operation
from harness.contract.policies import Performance
from harness.contract.refs import RefError, deref
from harness.errors import CheckFailure
from harness.results import Outcome
from harness.settings import Mode

PROBE_KEY = "performance:probe"
DATA_KEY = "performance"  # data[DATA_KEY]: measured figures, declared targets, the load
ERROR_RATE_LIMIT = 0.05  # the health report's "unhealthy" threshold, under declared load
THROUGHPUT_TOLERANCE = 0.9  # scheduling jitter of the probe itself
LATENCIES = ("avg_ms", "p95_ms", "p99_ms")


def plan(contract: Contract) -> list[Check]:
    perf = contract.performance
    if perf is None:
        return []
    checks = [
        _check(name, partial(check_latency, name), f"{name} under load within {value:g} ms", perf)
        for name in LATENCIES
        if (value := getattr(perf, name)) is not None
    ]
    if perf.throughput_rps is not None:
        text = f"the target serves {perf.throughput_rps:g} requests/s"
        checks.append(_check("throughput_rps", check_throughput, text, perf))
    text = f"at most {ERROR_RATE_LIMIT:.0%} errors under the declared load"
    checks.append(_check("error_rate", check_error_rate, text, perf))
    return checks


def _check(
    name: str, run: Callable[[CheckRuntime], Verdict], description: str, perf: Performance
) -> Check:
    return Check(family="performance", name=name, run=run, description=description, loc=perf.loc)


def probe_operations(contract: Contract) -> list[str]:
    """GET operations that need no parameter the probe would have to invent."""
    if contract.document is None:
        return []
    raw = contract.document.raw
    given = {name.lower() for name in (contract.api.headers if contract.api else {})}
    return [
        operation.operation_id
        for operation in contract.document.operations.values()
        if operation.method.lower() == "get" and not _needs_values(raw, operation, given)
    ]


def _needs_values(document: Any, operation: Operation, given_headers: set[str]) -> bool:
    if "{" in operation.path:  # a path parameter: an id the probe would have to invent
        return True
    declared = [
        *operation.path_item.get("parameters", []),
        *operation.definition.get("parameters", []),
    ]
    for node in declared:
        try:
            parameter = deref(document, node)
        except RefError:
            return True
        if not isinstance(parameter, Mapping):
            return True
        header = str(parameter.get("name", "")).lower() if parameter.get("in") == "header" else ""
        if parameter.get("required") and header not in given_headers:
            return True
    return False


def probe(context: CheckRuntime) -> ProbeResult | Verdict:
    """The run's probe (sent once per contract), or why it cannot be sent here."""
    target = context.target
    if target.protected and not context.settings.allow_protected:
        return Verdict(
            outcome=Outcome.SKIPPED,
            message=f"not run: a load probe against protected environment "
            f"'{target.environment.name}'; pass --allow-protected to run it anyway",
        )
    operations = probe_operations(context.contract)
    if not operations:
        return inconclusive(
            "no GET operation without required parameters to probe; the load probe "
            "sends only safe requests it need not invent values for"
        )
    return context.shared(PROBE_KEY, partial(_send_probe, context, operations))


def _send_probe(context: CheckRuntime, operations: list[str]) -> ProbeResult:
    contract = context.contract
    assert contract.performance is not None  # planned only when declared
    load = plan_load(
        contract.performance,
        contract.rate_limits,
        operations,
        spec=parse_load(context.settings.load),
        shards=_sharing_target(context),
    )
    client = context.client(retry=False)

    def send(operation: str) -> None:
        client.call(operation)

    replaying = context.settings.mode == Mode.REPLAY
    return run_probe(load, operations, send, context.exchanges, paced=not replaying)


def _sharing_target(context: CheckRuntime) -> int:
    """How many shards share this target's rate limits: N against a vendor's sandbox; 1 for
    the local sandbox (each shard serves its own) and in replay (no target at all)."""
    local = context.target.controls is not None
    return 1 if local or context.settings.mode == Mode.REPLAY else context.settings.shard[1]


def _describe(result: ProbeResult) -> str:
    plan = result.plan
    clients = plan.clients if result.paced else 1
    how = f"at {plan.rate_rps:g} rps from {clients} client(s)" if result.paced else "replayed"
    caps = f"; load capped: {'; '.join(plan.capped)}" if plan.capped else ""
    return (
        f"{len(result.samples)} GET requests ({', '.join(result.operations)}) {how}, "
        f"latency {result.source}{caps}"
    )


def _data(result: ProbeResult, perf: Performance) -> dict[str, Any]:
    declared = {name: getattr(perf, name) for name in (*LATENCIES, "throughput_rps")}
    return {
        DATA_KEY: {
            "measured": result.figures(),
            "declared": {**declared, "error_rate": ERROR_RATE_LIMIT},
            "load": {
                "requests": result.plan.requests,
                "rate_rps": result.plan.rate_rps,
                "clients": result.plan.clients,
                "seconds": result.plan.seconds,
                "capped": list(result.plan.capped),
            },
        }
    }


def check_latency(name: str, context: CheckRuntime) -> Verdict:
    outcome = probe(context)
    if isinstance(outcome, Verdict):
        return outcome
    perf = context.contract.performance
    assert perf is not None
    declared = getattr(perf, name)
    data = _data(outcome, perf)
    if outcome.untimed:
        return inconclusive(
            f"{outcome.untimed} of {len(outcome.samples)} replayed answers have no recorded "
            f"timing, so {name} {declared:g} ms cannot be judged; re-record the cassettes "
            "(`--mode record`) to keep the target's timings",
            data=data,
        )
    measured = data[DATA_KEY]["measured"][name]
    if measured is None:
        return inconclusive(
            f"no request of the probe got an answer ({_describe(outcome)})", data=data
        )
    if measured > declared:
        raise CheckFailure(
            f"{name} under load was {measured:g} ms; the contract declares at most {declared:g} ms "
            f"(contract {perf.loc}): {_describe(outcome)}. The target is slower than its guide "
            "promises: raise it with the vendor, or correct performance." + name,
            data=data,
        )
    held = f"{name} {measured:g} ms within {declared:g} ms ({_describe(outcome)})"
    if len(outcome.latencies_ms) < perf.min_samples:
        return inconclusive(
            f"{held}, but only {len(outcome.latencies_ms)} samples; performance.min_samples is "
            f"{perf.min_samples}",
            data=data,
        )
    return Verdict(message=held, data=data)


def check_throughput(context: CheckRuntime) -> Verdict:
    outcome = probe(context)
    if isinstance(outcome, Verdict):
        return outcome
    perf = context.contract.performance
    assert perf is not None
    assert perf.throughput_rps is not None  # planned only when declared
    declared = perf.throughput_rps
    data = _data(outcome, perf)
    if not outcome.paced:
        return inconclusive(
            f"throughput is not measured in replay: the cassette answers, not the target "
            f"(declared {declared:g} rps); the recorded run's report has the figure",
            data=data,
        )
    if outcome.plan.rate_rps < declared and not outcome.plan.capped:
        return inconclusive(
            f"--harness-load asked for {outcome.plan.rate_rps:g} rps, below the declared "
            f"{declared:g} rps; the claim is judged only at the declared rate or above",
            data=data,
        )
    if outcome.plan.rate_rps < declared:
        return inconclusive(
            f"the probe may send at most {outcome.plan.rate_rps:g} rps here, below the declared "
            f"{declared:g} rps ({'; '.join(outcome.plan.capped)}); the claim cannot be probed "
            "without exceeding a declared limit",
            data=data,
        )
    measured = outcome.throughput_rps
    if measured is None:
        return inconclusive(f"fewer than 2 successful answers ({_describe(outcome)})", data=data)
    allowed = outcome.allowed_rps
    if (
        measured < declared * THROUGHPUT_TOLERANCE
        and (allowed or 0) >= declared * THROUGHPUT_TOLERANCE
    ):
        return inconclusive(
            f"the probe fell behind its own schedule: {measured:.1f} requests/s completed, but "
            f"the target's answers (latency and errors) allowed {allowed:.1f}; harness's client "
            f"could not keep the pace on this machine (busy CPU?), so nothing is said about the "
            f"target. Rerun on a quieter machine, or lower the load ({_describe(outcome)})",
            data=data,
        )
    if measured < declared * THROUGHPUT_TOLERANCE:
        raise CheckFailure(
            f"the target completed {measured:.1f} requests/s under an arrival rate of "
            f"{outcome.plan.rate_rps:g} rps; the contract declares {declared:g} rps (contract "
            f"{perf.loc}): {_describe(outcome)}. It does not keep up with the declared load: "
            "raise it with the vendor, or correct performance.throughput_rps",
            data=data,
        )
    return Verdict(
        message=f"{measured:.1f} requests/s completed, declared {declared:g} "
        f"({_describe(outcome)})",
        data=data,
    )


def check_error_rate(context: CheckRuntime) -> Verdict:
    outcome = probe(context)
    if isinstance(outcome, Verdict):
        return outcome
    perf = context.contract.performance
    assert perf is not None
    data = _data(outcome, perf)
    rate = outcome.error_rate
    if rate is None:
        return inconclusive(f"the probe sent nothing ({_describe(outcome)})", data=data)
    statuses = sorted(
        {str(s.status) for s in outcome.samples if s.status is None or s.status >= 429}
    )
    if rate > ERROR_RATE_LIMIT:
        raise CheckFailure(
            f"{outcome.errors} of {len(outcome.samples)} requests under the declared load failed "
            f"({rate:.1%}; statuses {', '.join(statuses)}); at most {ERROR_RATE_LIMIT:.0%} is "
            f"tolerated (contract {perf.loc}): {_describe(outcome)}. A 429 here means the target "
            "refused load within its declared rate limits",
            data=data,
        )
    return Verdict(
        message=f"{outcome.errors} error(s) in {len(outcome.samples)} requests "
        f"({_describe(outcome)})",
        data=data,
    )
