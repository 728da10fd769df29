"""``workflows::<workflowId>``: each Arazzo workflow, run on generated inputs, shrunk on failure.

Hypothesis draws the workflow's inputs from its ``inputs`` schema (seeded with the check's
seed, ``--examples`` runs, at most ``MAX_EXAMPLES``); each run sends the steps in order
through the contract client and judges them (``harness.workflows``). When a run fails,
Hypothesis shrinks the inputs to the smallest that still fail, and the failure names the
workflow, the step and its Arazzo line, the shrunk inputs, what was expected and found, and
one curl line per step of that run.

Shrinking sends requests too, so it is bounded: after ``SHRINK_RUNS`` more runs the best
failure so far is reported. In replay the same seed draws the same inputs, so every run finds
its recording; comparisons against values the cassette scrubbed (PII) are taken as recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.workflows.inputs import Uniquifier, inputs_strategy, unique_inputs
from harness.checks.workflows.report import describe_failure
from harness.checks.workflows.sender import ClientSender, scrubbed
from harness.contract import Contract
from harness.errors import CheckFailure, HarnessError
from harness.settings import Mode
from harness.workflows import (
    ArazzoFile,
    Unsupported,
    Workflow,
    WorkflowRun,
    WorkflowRunner,
    operation_of,
    parameter_in,
    unsupported,
)

MAX_EXAMPLES = 50
SHRINK_RUNS = 150


def plan(contract: Contract) -> list[Check]:
    """One check per workflow of the contract's Arazzo document."""
    arazzo = ArazzoFile.of(contract)
    return [
        Check(
            family="workflows",
            name=workflow.workflow_id,
            run=partial(check_workflow, workflow_id=workflow.workflow_id),
            description=workflow.summary or f"Arazzo workflow {workflow.workflow_id} succeeds",
            loc=arazzo.locate(workflow.path),
            mutating=True,
            fuzzing=True,
        )
        for workflow in arazzo.workflows
    ]


class WorkflowBroke(CheckFailure):
    """One run of the workflow failed (raised inside Hypothesis so it shrinks)."""


class _Stop(BaseException):
    """Ends the Hypothesis run at once: the run broke or harness cannot run the workflow.

    A ``BaseException`` so Hypothesis neither shrinks on it nor retries it: a sandbox that is
    down, a missing recording or an XPath criterion fails the same way on every input.
    """

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


@dataclass(slots=True)
class _Runs:
    """What the property saw: how many runs, the last failing one, and its inputs."""

    count: int = 0
    passed: int = 0
    lenient: int = 0
    failed: tuple[dict[str, Any], WorkflowRun, list[Any]] | None = None
    failing_draw: Any = None
    failures: int = 0
    flaky: bool = False  # the failure did not happen again when Hypothesis repeated it
    run_s: float = 0.0  # inside the step runner (the client included)
    steps: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def check_workflow(runtime: CheckRuntime, *, workflow_id: str) -> Verdict:
    """Run the workflow on generated inputs; fail with the shrunk inputs that break it."""
    arazzo = ArazzoFile.of(runtime.contract)
    workflows = {workflow.workflow_id: workflow for workflow in arazzo.workflows}
    workflow = workflows[workflow_id]
    runnable = _unrunnable(workflow, runtime.contract)
    if runnable is not None:
        return inconclusive(runnable)
    replaying = runtime.settings.mode == Mode.REPLAY
    sender = ClientSender(runtime.client())
    runner = WorkflowRunner(
        workflows,
        sender,
        operation_of=partial(operation_of, document=runtime.contract.document),
        parameter_in=parameter_in(runtime.contract.document),
        lenient=scrubbed if replaying else None,
        sleep=(lambda _: None) if replaying else time.sleep,
    )
    examples = min(max(runtime.settings.examples, 1), MAX_EXAMPLES)
    uniquifier = Uniquifier(
        workflow.inputs,
        unique_inputs(runtime.contract, workflow),
        seed=runtime.seed,
        salt=workflow_id,
    )
    runs = _Runs()
    prop = _property(workflow, runner, sender, uniquifier, runs, examples=examples)
    try:
        hypothesis.seed(runtime.seed)(prop)()  # the runner pins generation to the seed
    except _Stop as stop:
        if isinstance(stop.cause, Unsupported):
            reason = f"workflow {workflow_id} uses what harness cannot run: {stop.cause}"
            return inconclusive(reason)
        raise stop.cause from None
    except WorkflowBroke:
        pass
    except (hypothesis.errors.FlakyFailure, hypothesis.errors.Flaky):
        runs.flaky = True
    except hypothesis.errors.Unsatisfiable:
        if runs.count == 0:
            return inconclusive(f"no inputs of workflow {workflow_id} could be generated")
    return _verdict(runtime, workflow, arazzo, runs)


def _unrunnable(workflow: Workflow, contract: Contract) -> str | None:
    if not workflow.steps:
        return f"workflow {workflow.workflow_id} has no steps"
    if contract.document is None:
        return "the contract has no OpenAPI document for the steps' operations"
    for step in workflow.steps:
        if step.workflow_id is None and operation_of(step, contract.document) is None:
            named = step.operation_id or step.operation_path or "no operation"
            return f"step {step.step_id} calls {named}, which the OpenAPI document lacks"
    lacking = unsupported(workflow)
    if lacking is not None:
        return f"workflow {workflow.workflow_id} uses what harness cannot run: {lacking}"
    return None


def _property(
    workflow: Workflow,
    runner: WorkflowRunner,
    sender: ClientSender,
    uniquifier: Uniquifier,
    runs: _Runs,
    *,
    examples: int,
) -> Callable[[], None]:
    @hypothesis.settings(
        parent=hypothesis.settings.get_profile("default"),  # not the ambient profile
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
        phases=(Phase.generate, Phase.shrink),
    )
    @hypothesis.given(inputs_strategy(workflow.inputs))
    def workflow_succeeds(drawn: dict[str, Any]) -> None:
        spent = runs.failed is not None and runs.count >= examples + SHRINK_RUNS
        if spent and drawn != runs.failing_draw:
            hypothesis.reject()  # shrinking budget spent: keep the best failure so far
        inputs = uniquifier.apply(drawn)
        sender.start()
        started = time.perf_counter()
        try:
            run = runner.run(workflow.workflow_id, inputs)
        except (Unsupported, HarnessError) as exc:
            raise _Stop(exc) from exc
        runs.run_s += time.perf_counter() - started
        runs.count += 1
        runs.steps += len(run.steps)
        runs.lenient += run.lenient
        if run.failure is None:
            runs.passed += 1
            return
        runs.failures += 1
        runs.failed = (inputs, run, list(sender.sent))
        runs.failing_draw = drawn
        raise WorkflowBroke(run.failure.reason)

    return workflow_succeeds


def _verdict(runtime: CheckRuntime, workflow: Workflow, arazzo: ArazzoFile, runs: _Runs) -> Verdict:
    data: dict[str, Any] = {
        "runs": runs.count,
        "passed_runs": runs.passed,
        "steps_sent": runs.steps,
        "seed": runtime.seed,
        "runner_s": round(runs.run_s, 3),  # the steps' time, HTTP included (bench/workflows.py)
    }
    if runs.lenient:
        data["taken_as_recorded"] = runs.lenient
    if runs.failed is not None:
        inputs, run, sent = runs.failed
        message, evidence = describe_failure(
            runtime,
            workflow,
            arazzo,
            inputs=inputs,
            run=run,
            sent=sent,
            runs=runs.count,
            flaky=runs.flaky,
        )
        raise CheckFailure(message, evidence=evidence, data={**data, "failed_runs": runs.failures})
    if runs.count == 0:
        return inconclusive(f"workflow {workflow.workflow_id} was never run", data=data)
    steps = len(workflow.steps)
    note = (
        f"; {runs.lenient} comparison(s) with scrubbed PII taken as recorded"
        if runs.lenient
        else ""
    )
    return Verdict(
        message=f"workflow {workflow.workflow_id} succeeded on {runs.count} generated "
        f"input(s) ({steps} steps each, {runs.steps} step requests){note}",
        data=data,
    )
