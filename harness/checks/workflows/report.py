"""A failed workflow run, told so a person can act on it.

The first line says it all: ``workflow dealForContact fails at step createDeal when
amount = '-0', ... (shrunk): expected 201, got 422``. Then the step's operation and its
line in the Arazzo file, the response, the seed, and one curl line per step of the failing
run (credentials as variables, secrets redacted), so the sequence can be replayed by hand.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from harness.checks.base import CheckRuntime
from harness.checks.workflows.sender import curl_lines
from harness.transports.scrub import redact_text
from harness.workflows import ArazzoFile, Step, Workflow, WorkflowRun, operation_of

BODY_LIMIT = 400
VALUE_LIMIT = 60


def describe_failure(
    runtime: CheckRuntime,
    workflow: Workflow,
    arazzo: ArazzoFile,
    *,
    inputs: dict[str, Any],
    run: WorkflowRun,
    sent: list[httpx.Response],
    runs: int,
    flaky: bool = False,
) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The failure message and its evidence (secrets removed from both)."""
    failure = run.failure
    assert failure is not None
    secrets = runtime.secrets()
    shown = ", ".join(f"{name} = {_value(value)}" for name, value in _ordered(workflow, inputs))
    where = (
        f" (in workflow {failure.workflow_id})"
        if failure.workflow_id != workflow.workflow_id
        else ""
    )
    lines = [
        f"workflow {workflow.workflow_id} fails at step {failure.step.step_id}{where} "
        f"when {shown or 'no inputs'} ({_how(runs, flaky)}): {failure.reason}",
        f"Step:      {failure.step.step_id} ({_operation(failure.step, runtime)}) "
        f"at {arazzo.locate(failure.step.path)}",
    ]
    if failure.criterion is not None:
        lines.append(
            f"Criterion: {failure.criterion.condition} at {arazzo.locate(failure.criterion.path)}"
        )
    if failure.reply is not None:
        body = failure.reply.body
        text = body if isinstance(body, str) else _json(body)
        lines.append(f"Response:  {failure.reply.status} {text[:BODY_LIMIT]}")
    lines.append(
        f"Seed:      {runtime.seed} (run seed {runtime.settings.seed}: "
        f"--seed {runtime.settings.seed} reproduces the run)"
    )
    curls = curl_lines(sent, runtime)
    lines.append(f"Reproduce ({len(curls)} step request(s), in order):")
    lines += [f"  {line}" for line in curls]
    lines.append(
        "Fix: make the target accept these inputs at this step, or narrow the workflow's "
        "inputs schema / successCriteria in the Arazzo document if they are not meant to work"
    )
    message = redact_text("\n".join(lines), secrets)
    evidence = tuple({"curl": line} for line in curls)
    steps = tuple(
        {"step": step.step.step_id, "status": step.reply.status if step.reply else None}
        for step in run.steps
    )
    return message, (*evidence, {"steps": list(steps)})


def _operation(step: Step, runtime: CheckRuntime) -> str:
    document = runtime.contract.document
    operation_id = operation_of(step, document)
    if operation_id is None or document is None:
        return f"workflow {step.workflow_id}" if step.workflow_id else "no operation"
    operation = document.operations[operation_id]
    return f"{operation_id}: {operation.method.upper()} {operation.path}"


def _how(runs: int, flaky: bool) -> str:
    if flaky:
        return f"not shrunk: it failed once in {runs} run(s) and passed when repeated"
    return f"shrunk, after {runs} run(s)"


def _ordered(workflow: Workflow, inputs: dict[str, Any]) -> list[tuple[str, Any]]:
    """Inputs in the order the workflow's schema declares them, then any others."""
    declared = list(((workflow.inputs or {}).get("properties") or {}).keys())
    rank = {name: index for index, name in enumerate(declared)}
    return sorted(inputs.items(), key=lambda item: rank.get(item[0], len(rank)))


def _value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 3] + "..."


def _json(value: Any) -> str:
    return json.dumps(value, default=str)
