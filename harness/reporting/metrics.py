"""Run metrics from the requests of a run: success and error rates, latency, rate-limit headroom.

Each check's result carries the requests it caused in ``data["exchanges"]`` (a compact,
secret-free record per request, made by ``compact_exchange``), so the metrics can be
computed on the controller from results alone, whichever xdist worker ran the check.

A request *succeeded* when a response came back with a status below 500 other than 429 (a
4xx the check provoked on purpose is the target working); it *errored* on a transport error
or a 5xx; 429s are counted apart as rate-limited. The ``ratelimit`` and ``retry`` families
and the checks of harness's own client provoke 429s on purpose (exhausting the limit to see
the refusal and its Retry-After): their 429s count as successes and their headers not toward
the headroom.

Latency comes from each request's ``elapsed_ms``: measured live, or the time recorded in the
cassette when replayed (never the speed of replay). A request replayed from a cassette
without timings has ``elapsed_ms: null`` and counts toward no latency figure; when no request
has a time, every latency figure is ``None`` (not judged), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from harness import stats
from harness.results import CheckResult
from harness.transports.exchange import Exchange
from harness.transports.ratelimit_headers import parse_rate_limit

EXCHANGES_KEY = "exchanges"


def compact_exchange(exchange: Exchange) -> dict[str, Any]:
    """What the reports need of one request: no URL, header value or body, so no secret."""
    record: dict[str, Any] = {
        "operation": exchange.operation_id,
        "method": exchange.request.method,
        "status": exchange.response.status if exchange.response else None,
        "elapsed_ms": round(exchange.elapsed_s * 1000, 3) if exchange.timed else None,
        "error": exchange.error is not None,
    }
    if exchange.response is not None:
        info = parse_rate_limit(dict(exchange.response.headers))
        if info is not None and info.limit:
            record["ratelimit"] = {"limit": info.limit, "remaining": info.remaining}
    return record


def exchanges_of(results: Iterable[CheckResult]) -> list[Mapping[str, Any]]:
    """Every request record of the results; those of provoking families are marked so."""
    return [
        {**item, "provoked": result.provoking or result.about_client}
        for result in results
        for item in result.data.get(EXCHANGES_KEY, ()) or ()
        if isinstance(item, Mapping)
    ]


def percentile(values: list[float], fraction: float) -> float | None:
    """``harness.stats.percentile`` rounded to 2 decimals, as the reports show milliseconds."""
    found = stats.percentile(values, fraction)
    return None if found is None else round(found, 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunMetrics:
    requests: int = 0
    succeeded: int = 0
    errored: int = 0
    rate_limited: int = 0
    unauthorized: int = 0
    success_rate: float | None = None
    error_rate: float | None = None
    avg_ms: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    ratelimit_limit: int | None = None
    ratelimit_min_remaining: int | None = None
    ratelimit_headroom: float | None = None  # lowest remaining / limit seen

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def compute_metrics(results: Iterable[CheckResult]) -> RunMetrics:
    records = exchanges_of(results)
    if not records:
        return RunMetrics()
    statuses = [record.get("status") for record in records]
    errored = sum(
        1
        for record, status in zip(records, statuses, strict=True)
        if record.get("error") or status is None or status >= 500
    )
    limited = sum(
        1
        for record, status in zip(records, statuses, strict=True)
        if status == 429 and not record["provoked"]
    )
    latencies = _latencies(records)
    total = len(records)
    succeeded = total - errored - limited
    headroom = _headroom(records)
    return RunMetrics(
        requests=total,
        succeeded=succeeded,
        errored=errored,
        rate_limited=limited,
        unauthorized=sum(1 for status in statuses if status == 401),
        success_rate=round(succeeded / total, 4),
        error_rate=round(errored / total, 4),
        avg_ms=round(sum(latencies) / len(latencies), 2) if latencies else None,
        p50_ms=percentile(latencies, 0.50),
        p95_ms=percentile(latencies, 0.95),
        p99_ms=percentile(latencies, 0.99),
        max_ms=round(max(latencies), 2) if latencies else None,
        **headroom,
    )


def _latencies(records: list[Mapping[str, Any]]) -> list[float]:
    """The request times known (a replayed request without a recorded time has none)."""
    values = [record.get("elapsed_ms") for record in records]
    return [
        float(value)
        for value in values
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ]


def _headroom(records: list[Mapping[str, Any]]) -> dict[str, Any]:
    seen = [
        record["ratelimit"]
        for record in records
        if isinstance(record.get("ratelimit"), Mapping)
        and record["ratelimit"].get("remaining") is not None
        and not record["provoked"]
    ]
    if not seen:
        return {}
    lowest = min(seen, key=lambda item: item["remaining"] / max(item["limit"], 1))
    return {
        "ratelimit_limit": lowest["limit"],
        "ratelimit_min_remaining": lowest["remaining"],
        "ratelimit_headroom": round(lowest["remaining"] / max(lowest["limit"], 1), 4),
    }
