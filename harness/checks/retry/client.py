"""``retry::client_follows_policy``: harness's own client retries as the contract declares.

A check of harness's client, not of the integration (its results carry ``subject:
client``), on the local sandbox only: ``HarnessClient`` is driven through fault sequences
(back-off until success, attempts exhausted, a ``Retry-After`` above the cap, a POST) on a
virtual clock, so back-off of seconds costs no wall time, and its attempts are judged
(``harness.retry``) against the ``Retry-After`` each response carried, never against what
the fault asked the sandbox to send.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.checks.base import CheckRuntime, Verdict, about_client, inconclusive
from harness.contract import Contract
from harness.errors import CheckFailure
from harness.ratelimit import probe_operation
from harness.retry import RetryVerdict, expected_attempts, judge_attempts
from harness.transports.client import HarnessClient, retry_policy_for
from harness.transports.exchange import Exchange
from harness.transports.ratelimit_headers import parse_retry_after
from harness.transports.retry_policy import RetryPolicy, delay_bounds
from harness.transports.sandbox_admin import clear_faults, inject_fault


@dataclass(slots=True)
class VirtualTime:
    """A clock that only moves when the client sleeps, and remembers each attempt's start."""

    now: float = 0.0
    attempts: list[tuple[float, Exchange]] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def record(self, exchange: Exchange) -> None:
        self.attempts.append((self.now, exchange))


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    name: str
    operation: str
    statuses: tuple[int, ...]
    retry_after_s: int | None = None
    body: bool = False


def check_client_follows_policy(context: CheckRuntime) -> Verdict:
    results = drive_scenarios(context, rng=random.Random(context.seed))  # noqa: S311 - jitter
    data = about_client({name: verdict.message for name, verdict in results.items()})
    if not results:
        return inconclusive(
            "no fault sequence applies: no GET without parameters, or nothing to retry",
            data=data,
        )
    failed = {name: verdict for name, verdict in results.items() if not verdict.ok}
    if failed:
        retry = context.contract.retry
        assert retry is not None
        raise CheckFailure(
            f"harness's client breaks the retry policy (contract {retry.loc}):\n"
            + "\n".join(f"{name}: {verdict.message}" for name, verdict in failed.items()),
            data=data,
        )
    return Verdict(
        message=f"harness's client: {len(results)} fault sequences handled as declared",
        data=data,
    )


def scenarios(contract: Contract, policy: RetryPolicy) -> list[Scenario]:
    """The fault sequences worth driving a client through, for this contract's policy."""
    operation = probe_operation(contract)
    if operation is None or not policy.retry_on:
        return []
    status = 503 if 503 in policy.retry_on else min(policy.retry_on)
    retries = policy.max_attempts - 1
    found = [
        Scenario(name="backoff", operation=operation, statuses=(status,) * retries),
        Scenario(name="exhausted", operation=operation, statuses=(status,) * policy.max_attempts),
    ]
    if policy.honor_retry_after and retries:
        found.append(
            Scenario(
                name="retry_after",
                operation=operation,
                statuses=(429 if 429 in policy.retry_on else status,),
                retry_after_s=_retry_after_probe(policy),
            )
        )
    post = _post_operation(contract)
    if post is not None:
        found.append(
            Scenario(
                name="post", operation=post, statuses=(status,) * policy.max_attempts, body=True
            )
        )
    return found


def _retry_after_probe(policy: RetryPolicy) -> int:
    """A Retry-After above the cap (so the cap shows), yet inside the deadline (so it is obeyed)."""
    wanted = int((policy.max_retry_after_ms or 2000) / 1000) + 5
    if policy.deadline_ms is not None and wanted >= policy.deadline_ms / 1000:
        wanted = max(1, int(policy.deadline_ms / 2000))
    return wanted


def _post_operation(contract: Contract) -> str | None:
    if contract.document is None:
        return None
    return next(
        (
            op.operation_id
            for op in contract.document.operations.values()
            if op.method == "post"
            and not op.path_parameters
            and op.definition.get("requestBody")
            and (contract.auth is None or op.path != contract.auth.token_url)
        ),
        None,
    )


def drive_scenarios(context: CheckRuntime, *, rng: random.Random) -> dict[str, RetryVerdict]:
    policy = retry_policy_for(context.contract.retry)
    time = VirtualTime()
    target = context.target
    client = HarnessClient(
        context.contract,
        base_url=target.base_url,
        credentials=target.credentials,
        throttle=False,
        record=time.record,
        rng=rng,
        sleep=time.sleep,
        clock=time.clock,
        # The run's provider: tokens it is issued join the run's secrets, and are reused.
        auth=context.client(retry=False, throttle=False).auth,
    )
    with client:
        return {
            scenario.name: _drive(context, client, time, policy, scenario)
            for scenario in scenarios(context.contract, policy)
        }


def _drive(
    context: CheckRuntime,
    client: HarnessClient,
    time: VirtualTime,
    policy: RetryPolicy,
    scenario: Scenario,
) -> RetryVerdict:
    fault: dict[str, object] = {
        "status": scenario.statuses[0],
        "count": len(scenario.statuses),
        "operation": scenario.operation,
    }
    if scenario.retry_after_s is not None:
        fault["retry_after_s"] = scenario.retry_after_s
    time.attempts.clear()
    inject_fault(context.http(), fault)
    try:
        client.call(scenario.operation, json={} if scenario.body else None)
    finally:
        clear_faults(context.http())
    attempts = [(at, ex) for at, ex in time.attempts if ex.operation_id == scenario.operation]
    expected = _expected(policy, scenario)
    verdict = judge_attempts(
        policy,
        [at for at, _ in attempts],
        [ex.status for _, ex in attempts],
        [retry_after_received(ex) for _, ex in attempts],
        expected_attempts=expected,
    )
    keys = _key_problems(policy, [ex for _, ex in attempts]) if scenario.body else []
    if keys:
        return RetryVerdict(
            attempts=verdict.attempts,
            statuses=verdict.statuses,
            gaps_s=verdict.gaps_s,
            problems=verdict.problems + tuple(keys),
        )
    return verdict


def _expected(policy: RetryPolicy, scenario: Scenario) -> int | None:
    if scenario.body and not policy.idempotency_header and not policy.retry_non_idempotent:
        return 1
    count = expected_attempts(policy, scenario.statuses)
    worst = sum(delay_bounds(policy, n)[1] for n in range(1, count))
    if policy.deadline_ms is not None and worst > policy.deadline_ms / 1000:
        return None  # the deadline may rightly cut the sequence short
    return count


def retry_after_received(exchange: Exchange) -> float | None:
    """The ``Retry-After`` the response really carried: the client is judged on what it was
    told, never on what the fault asked the server to send (None: no instruction, so plain
    back-off is what the policy requires)."""
    if exchange.response is None:
        return None
    return parse_retry_after(exchange.response.header("Retry-After"))


def _key_problems(policy: RetryPolicy, attempts: Sequence[Exchange]) -> list[str]:
    header = policy.idempotency_header
    if header is None:
        return []
    keys = [exchange.request.header(header) for exchange in attempts]
    if any(key is None for key in keys):
        return [f"a POST attempt went out without the declared {header} header"]
    if len(set(keys)) > 1:
        return [f"retries of one POST carried different {header} values"]
    return []
