"""The health report of one integration and run: a status with the rule that decided it.

Rules, first match wins (documented in ``health.schema.json``):

* **unavailable** — no request got a response, or the health check could not run;
* **unhealthy** — the health check failed, auth failed, or more than 5 % of requests errored;
* **degraded** — a declared latency target was missed, requests were rate-limited (429s
  other than the ``ratelimit`` family's own probes), or any other check failed or errored;
* **healthy** — none of the above.

Only the integration's verdicts decide: checks of harness's own client (``subject: client``)
are counted apart under ``harness_client``, contract-hygiene findings belong to the compliance
report, and inconclusive checks (nothing to judge) are listed, never counted as passed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.contract import Contract
from harness.reporting.coverage import hollow_coverage
from harness.reporting.metrics import RunMetrics, compute_metrics
from harness.reporting.performance import performance_section
from harness.results import CheckResult, Outcome

HEALTH_FORMAT = 1
ERROR_RATE_UNHEALTHY = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class Targets:
    """Declared performance targets (``performance`` and ``health.max_latency_ms``)."""

    avg_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    min_samples: int = 20

    @classmethod
    def of(cls, contract: Contract | None) -> Targets:
        if contract is None:
            return cls()
        perf = contract.performance
        health_limit = contract.health.max_latency_ms if contract.health else None
        if perf is None:
            return cls(p95_ms=float(health_limit) if health_limit else None)
        return cls(
            avg_ms=perf.avg_ms, p95_ms=perf.p95_ms, p99_ms=perf.p99_ms, min_samples=perf.min_samples
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Targets:
        return cls(**{key: value for key, value in (data or {}).items() if key in _TARGET_KEYS})


_TARGET_KEYS = ("avg_ms", "p95_ms", "p99_ms", "min_samples")


def family_counts(results: Iterable[CheckResult]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for result in results:
        counts.setdefault(result.family, Counter())[str(result.outcome)] += 1
    return {
        family: {outcome.value: counter[outcome.value] for outcome in Outcome}
        for family, counter in sorted(counts.items())
    }


def latency_comparison(metrics: RunMetrics, targets: Targets) -> list[dict[str, Any]]:
    rows = []
    for name in ("avg_ms", "p95_ms", "p99_ms"):
        declared = getattr(targets, name)
        measured = getattr(metrics, name)
        met = None if declared is None or measured is None else measured <= declared
        rows.append({"metric": name, "declared": declared, "measured": measured, "met": met})
    return rows


def integration_verdicts(results: Iterable[CheckResult]) -> list[CheckResult]:
    """The verdicts on the integration: not on harness's client, not on the contract text."""
    return [r for r in results if not r.about_client and not r.contract_hygiene]


def auth_status(results: list[CheckResult], metrics: RunMetrics) -> str:
    """ok only when every auth check of the integration passed (inconclusive: partly)."""
    auth = [result for result in integration_verdicts(results) if result.family == "auth"]
    if any(result.outcome in (Outcome.FAILED, Outcome.ERROR) for result in auth):
        return "failing"
    if auth and all(result.outcome is Outcome.PASSED for result in auth):
        return "ok"
    return "not checked" if not auth else "partly checked"


def decide_status(
    results: list[CheckResult], metrics: RunMetrics, rows: list[dict[str, Any]], auth: str
) -> tuple[str, str]:
    """(status, the rule that decided it)."""
    health = [result for result in results if result.family == "health"]
    if (metrics.requests and metrics.succeeded == 0) or (
        not metrics.requests
        and results
        and all(result.outcome in (Outcome.ERROR, Outcome.SKIPPED) for result in results)
    ):
        return "unavailable", "no request got a usable response"
    if any(result.outcome is Outcome.ERROR for result in health):
        return "unavailable", "the health check could not reach the target"
    if any(result.outcome is Outcome.FAILED for result in health):
        return "unhealthy", "the declared health check failed"
    if auth == "failing":
        return "unhealthy", "authentication failed"
    if metrics.error_rate is not None and metrics.error_rate > ERROR_RATE_UNHEALTHY:
        return "unhealthy", f"error rate {metrics.error_rate:.1%} above {ERROR_RATE_UNHEALTHY:.0%}"
    missed = [row["metric"] for row in rows if row["met"] is False]
    if missed:
        return "degraded", f"latency above the declared target: {', '.join(missed)}"
    if metrics.rate_limited:
        headroom = metrics.ratelimit_headroom
        seen = f"; lowest headroom {headroom:.0%}" if headroom is not None else ""
        return "degraded", f"{metrics.rate_limited} request(s) were rate-limited (429){seen}"
    judged = integration_verdicts(results)
    broken = sum(1 for result in judged if result.outcome in (Outcome.FAILED, Outcome.ERROR))
    if broken:
        return "degraded", f"{broken} check(s) failed or errored"
    unjudged = sum(1 for result in judged if result.inconclusive)
    unmeasured = [
        row["metric"] for row in rows if row["declared"] is not None and row["met"] is None
    ]
    rule = "no check of the integration failed and every declared target was met"
    if unmeasured:  # e.g. a replay of cassettes recorded without timings
        rule = (
            "no check of the integration failed; latency not measured, so not judged: "
            + ", ".join(unmeasured)
        )
    return "healthy", rule + (f" ({unjudged} inconclusive: nothing to judge)" if unjudged else "")


def build_health(
    integration: str,
    run: Mapping[str, Any],
    results: Iterable[CheckResult],
    targets: Targets,
) -> dict[str, Any]:
    """The ``health.json`` document (shape: ``harness/reporting/health.schema.json``)."""
    ordered = sorted(results, key=lambda result: result.id)
    metrics = compute_metrics(ordered)
    rows = latency_comparison(metrics, targets)
    auth = auth_status(ordered, metrics)
    status, rule = decide_status(ordered, metrics, rows, auth)
    hollow = hollow_coverage(ordered)
    if hollow and status == "healthy":
        rule += f"; but {len(hollow)} coverage warning(s): see coverage_warnings"
    warnings = []
    if metrics.requests < targets.min_samples:
        warnings.append(
            f"only {metrics.requests} request(s) measured; performance.min_samples is "
            f"{targets.min_samples}, so the latency figures are indicative only"
        )
    return {
        "format": HEALTH_FORMAT,
        "integration": integration,
        "run": dict(run),
        "status": status,
        "rule": rule,
        "metrics": metrics.to_json(),
        "targets": {key: getattr(targets, key) for key in _TARGET_KEYS},
        "latency": rows,
        "auth": auth,
        "families": family_counts(r for r in ordered if not r.about_client),
        "harness_client": client_section(ordered),
        "inconclusive": [
            {"check": r.id, "family": r.family, "reason": r.message}
            for r in ordered
            if r.inconclusive
        ],
        "warnings": warnings,
        "coverage_warnings": hollow,
        **({"performance": perf} if (perf := performance_section(ordered)) else {}),
    }


def client_section(results: Iterable[CheckResult]) -> dict[str, Any]:
    """Checks of harness's own client: shown apart, never part of the integration's health."""
    client = [result for result in results if result.about_client]
    return {
        "counts": {o.value: sum(r.outcome is o for r in client) for o in Outcome},
        "checks": [
            {"check": r.id, "outcome": str(r.outcome), "message": r.message.split("\n")[0]}
            for r in client
        ],
    }
