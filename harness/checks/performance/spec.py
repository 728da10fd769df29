"""How hard the performance probe may push: the load it asks for and the limits that bound it.

The probe sends ``requests`` safe requests, open-loop, one every ``1 / rate_rps`` seconds,
from at most ``clients`` concurrent virtual clients, for at most ``seconds``. The load comes
from the contract (``performance.throughput_rps``, a ``concurrent`` rate limit) or from
``--harness-load clients=4,rps=10,requests=60,seconds=5`` (any subset). It is then bounded:

* **rate limits** — of every declared ``limit`` per ``window`` that covers a probed operation,
  the probe takes at most ``PROBE_SHARE`` (half; the other checks need the rest), divided
  again between ``--shard K/N`` shards. It keeps the declared rate and sends at most that many
  requests in total (no window can then see more from it), or, when that leaves fewer
  requests than pacing itself under the window would, paces itself under it;
* **concurrency** — never more clients than a declared ``concurrent`` limit;
* **size** — at most ``MAX_SECONDS`` and ``DEFAULT_REQUESTS`` by default (hard caps
  ``HARD_SECONDS``/``HARD_REQUESTS`` even with ``--harness-load``).

Every cap that lowered the load is kept in ``LoadPlan.capped`` so verdicts can say why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from harness.contract.policies import Performance, RateLimit
from harness.errors import UsageError

PROBE_SHARE = 0.5  # of each declared window's limit; the rest is for the other checks
DEFAULT_RATE_RPS = 10.0  # when the contract declares no throughput
DEFAULT_CLIENTS = 4
MAX_SECONDS = 5.0  # default bound of one probe
DEFAULT_REQUESTS = 200
TYPICAL_SECONDS = 2.0  # requests wanted = rate x this (at least performance.min_samples)
HARD_SECONDS = 60.0
HARD_REQUESTS = 2000
HARD_CLIENTS = 64
HARD_RATE_RPS = 1000.0
LOAD_KEYS = ("clients", "rps", "requests", "seconds")


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadSpec:
    """What ``--harness-load`` asks for (None: from the contract or the default)."""

    clients: int | None = None
    rps: float | None = None
    requests: int | None = None
    seconds: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadPlan:
    """The load the probe will send, after every bound."""

    rate_rps: float
    clients: int
    requests: int
    seconds: float
    capped: tuple[str, ...] = ()  # why the load is lower than asked, one reason each


def parse_load(text: str | None) -> LoadSpec:
    """``clients=4,rps=10,requests=60,seconds=5`` (any subset) → ``LoadSpec``."""
    if not text:
        return LoadSpec()
    values: dict[str, float] = {}
    for part in (piece.strip() for piece in text.split(",")):
        key, sep, raw = part.partition("=")
        key = key.strip()
        if not sep or key not in LOAD_KEYS:
            raise UsageError(
                f"--harness-load {text[:60]!r}: expected KEY=VALUE pairs separated by commas "
                f"with KEY one of {', '.join(LOAD_KEYS)} (e.g. clients=4,rps=10,seconds=3)"
            )
        values[key] = _number(key, raw.strip().removesuffix("s") if key == "seconds" else raw)
    return LoadSpec(
        clients=_bounded_int("clients", values.get("clients"), HARD_CLIENTS),
        rps=_bounded("rps", values.get("rps"), HARD_RATE_RPS),
        requests=_bounded_int("requests", values.get("requests"), HARD_REQUESTS),
        seconds=_bounded("seconds", values.get("seconds"), HARD_SECONDS),
    )


def _number(key: str, raw: str) -> float:
    try:
        number = float(raw)
    except ValueError:
        raise UsageError(f"--harness-load {key}={raw[:20]!r}: expected a number") from None
    if not math.isfinite(number) or number <= 0:
        raise UsageError(f"--harness-load {key}={raw[:20]!r}: must be more than 0")
    return number


def _bounded(key: str, value: float | None, hard: float) -> float | None:
    if value is not None and value > hard:
        raise UsageError(f"--harness-load {key}={value:g}: at most {hard:g} (a bounded probe)")
    return value


def _bounded_int(key: str, value: float | None, hard: int) -> int | None:
    if value is None:
        return None
    if value != int(value):
        raise UsageError(f"--harness-load {key}={value:g}: expected a whole number")
    bounded = _bounded(key, value, hard)
    return int(bounded) if bounded is not None else None


def plan_load(
    performance: Performance,
    limits: Sequence[RateLimit],
    operations: Sequence[str],
    *,
    spec: LoadSpec,
    shards: int = 1,
) -> LoadPlan:
    """The bounded load for a probe of ``operations`` (see the module docstring)."""
    capped: list[str] = []
    rate = spec.rps or performance.throughput_rps or DEFAULT_RATE_RPS
    seconds = spec.seconds or MAX_SECONDS
    wanted = spec.requests or max(performance.min_samples, math.ceil(rate * TYPICAL_SECONDS))
    requests = min(wanted, HARD_REQUESTS if spec.requests else DEFAULT_REQUESTS)
    clients = spec.clients or DEFAULT_CLIENTS
    applying = [limit for limit in limits if _covers(limit, operations)]
    for limit in applying:
        allowed = max(1, limit.concurrent // max(shards, 1)) if limit.concurrent else None
        if allowed is not None and clients > allowed:
            clients = allowed
            capped.append(f"{clients} clients: concurrent {limit.concurrent} ({limit.loc})")
    for limit in applying:
        if limit.limit is None or limit.window_s is None:
            continue
        share = max(1, math.floor(limit.limit * PROBE_SHARE / max(shards, 1)))
        if requests <= share:
            continue
        paced = min(rate, (share - 1) / limit.window_s) if share > 1 else 0.0
        split = f", split over {shards} shards" if shards > 1 else ""
        why = f"the probe's share ({share}) of {limit.limit}/{limit.window} ({limit.loc}){split}"
        if min(requests, math.floor(paced * seconds) + 1) > share:  # pacing keeps more
            rate = paced
            capped.append(f"{rate:g} rps: {why}, in any window")
        else:
            requests = share
            capped.append(f"{requests} requests: {why}")
    if math.floor(rate * seconds) + 1 < requests:
        requests = max(1, math.floor(rate * seconds) + 1)
        capped.append(f"{requests} requests: {seconds:g} s at {rate:g} rps")
    return LoadPlan(
        rate_rps=rate, clients=clients, requests=requests, seconds=seconds, capped=tuple(capped)
    )


def _covers(limit: RateLimit, operations: Sequence[str]) -> bool:
    return not limit.operations or any(op in limit.operations for op in operations)
