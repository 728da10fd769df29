"""Running one workflow with one set of inputs: steps in order, actions, outputs.

The runner knows Arazzo, not HTTP: each step becomes a ``StepRequest`` handed to a
``Sender`` (the check family's adapter over the contract client, so auth, throttling,
recording and replay apply) and comes back as a ``Reply``. After each step the success
criteria are judged; then the first ``onSuccess`` / ``onFailure`` action whose own criteria
hold decides what follows (the workflow's ``successActions`` / ``failureActions`` when the
step has none): ``end``, ``goto`` a step or another workflow, or ``retry`` after
``retryAfter`` seconds at most ``retryLimit`` times. No action: the next step on success,
the end of the run on failure. A run is bounded (``MAX_TRANSITIONS``) so a goto loop ends.

The result is a ``WorkflowRun``: every step as sent and answered, the outputs, and the
failure (``StepFailure``: the step, what did not hold) if the workflow did not succeed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.workflows.expressions import Message, Scope, Unresolved, evaluate, resolve
from harness.workflows.judge import SUPPORTED_KINDS, Leniency, Lenient, Unsupported, judge
from harness.workflows.model import Action, Criterion, Step, Workflow
from harness.workflows.request import StepRequest, build_request

MAX_TRANSITIONS = 200
MAX_DEPTH = 4  # workflows running workflows
MAX_RETRY_AFTER_S = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """What came back for a step: status, headers (lower-case names), parsed body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    url: str = ""
    method: str = ""


class Sender(Protocol):
    """Sends a step's request to the target (raising ``HarnessError`` if the run breaks)."""

    def send(self, request: StepRequest) -> Reply: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRun:
    """One attempt of one step: the request as built, the reply, and the verdict."""

    step: Step
    workflow_id: str
    request: StepRequest | None
    reply: Reply | None
    failure: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepFailure:
    """Where a workflow failed and why (``expected 201, got 422``)."""

    workflow_id: str
    step: Step
    reason: str
    reply: Reply | None = None
    criterion: Criterion | None = None  # the success criterion that did not hold


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkflowRun:
    """A finished run: the steps attempted, the outputs, the failure if any."""

    workflow_id: str
    steps: tuple[StepRun, ...]
    outputs: Mapping[str, Any]
    failure: StepFailure | None = None
    lenient: int = 0  # comparisons taken as recorded (scrubbed values in replay)

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass(slots=True)
class _State:
    leniency: Leniency
    steps: list[StepRun] = field(default_factory=list)
    transitions: int = 0
    retries: dict[str, int] = field(default_factory=dict)  # retry action (its path) → times


class WorkflowRunner:
    """Runs the workflows of one Arazzo document through a ``Sender``.

    ``operation_of(step)`` names the OpenAPI operation of a step (None when it has none),
    ``parameter_in(operation_id, name)`` where an unplaced parameter goes; ``lenient`` is
    the replay predicate of ``judge``; ``sleep`` waits out ``retryAfter``.
    """

    def __init__(
        self,
        workflows: Mapping[str, Workflow],
        sender: Sender,
        *,
        operation_of: Callable[[Step], str | None],
        parameter_in: Callable[[str, str], str | None] = lambda operation, name: None,
        lenient: Lenient | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.workflows = workflows
        self.sender = sender
        self.operation_of = operation_of
        self.parameter_in = parameter_in
        self.sleep = sleep
        self._lenient = lenient

    def run(self, workflow_id: str, inputs: Mapping[str, Any]) -> WorkflowRun:
        """Run ``workflow_id`` with ``inputs`` (``Unsupported`` if it uses what harness lacks)."""
        state = _State(leniency=Leniency(self._lenient))
        outputs, failure = self._workflow(workflow_id, inputs, state, depth=0)
        return WorkflowRun(
            workflow_id=workflow_id,
            steps=tuple(state.steps),
            outputs=outputs,
            failure=failure,
            lenient=state.leniency.taken,
        )

    def _workflow(
        self,
        workflow_id: str,
        inputs: Mapping[str, Any],
        state: _State,
        *,
        depth: int,
    ) -> tuple[dict[str, Any], StepFailure | None]:
        workflow = self.workflows.get(workflow_id)
        if workflow is None or depth > MAX_DEPTH:
            raise Unsupported(f"workflow '{workflow_id}' is unknown or nested too deeply")
        scope = Scope(inputs=inputs)
        index = 0
        while index < len(workflow.steps):
            state.transitions += 1
            step = workflow.steps[index]
            if state.transitions > MAX_TRANSITIONS:
                reason = f"more than {MAX_TRANSITIONS} steps run: a goto loop never ends"
                return {}, StepFailure(workflow_id=workflow_id, step=step, reason=reason)
            failure = self._step(workflow, step, scope, state, depth)
            actions = (
                (step.on_success or workflow.success_actions)
                if failure is None
                else (step.on_failure or workflow.failure_actions)
            )
            action = self._chosen(actions, scope, state.leniency)
            if action is None or action.type == "end":
                if failure is not None:
                    return {}, failure
                index = index + 1 if action is None else len(workflow.steps)
            elif action.type == "retry":
                if failure is None:
                    index += 1  # retrying a step that succeeded: nothing to repeat
                elif not self._may_retry(
                    workflow, step, action, scope=scope, state=state, depth=depth
                ):
                    return {}, failure
            elif action.workflow_id:
                return self._workflow(action.workflow_id, inputs, state, depth=depth + 1)
            else:
                index = self._target_index(workflow, action)
        return self._outputs(workflow, scope), None

    def _may_retry(
        self,
        workflow: Workflow,
        step: Step,
        action: Action,
        *,
        scope: Scope,
        state: _State,
        depth: int,
    ) -> bool:
        """Wait ``retryAfter`` and run the action's step or workflow first; False: limit hit.

        The count is per step and action (a workflow's ``failureActions`` serve every step).
        """
        key = repr((step.path, action.path))
        done = state.retries.get(key, 0)
        if done >= action.retry_limit:
            return False
        state.retries[key] = done + 1
        self.sleep(min(max(action.retry_after_s, 0.0), MAX_RETRY_AFTER_S))
        if action.workflow_id:
            self._workflow(action.workflow_id, scope.inputs, state, depth=depth + 1)
        elif action.step_id:
            other = workflow.steps[self._target_index(workflow, action)]
            self._step(workflow, other, scope, state, depth)  # then the current step again
        return True

    def _target_index(self, workflow: Workflow, action: Action) -> int:
        found = workflow.index(action.step_id or "")
        if found is None:
            raise Unsupported(f"action '{action.name}' goes to unknown step '{action.step_id}'")
        return found

    def _chosen(
        self, actions: tuple[Action, ...], scope: Scope, leniency: Leniency
    ) -> Action | None:
        for action in actions:
            if action.reference is not None:
                raise Unsupported(f"reusable action {action.reference} (harness runs inline ones)")
            if action.type not in ("end", "goto", "retry"):
                raise Unsupported(f"action '{action.name}' of unknown type '{action.type}'")
            if all(judge(criterion, scope, leniency) is None for criterion in action.criteria):
                return action
        return None

    def _step(
        self,
        workflow: Workflow,
        step: Step,
        scope: Scope,
        state: _State,
        depth: int,
    ) -> StepFailure | None:
        if step.workflow_id is not None:
            return self._nested(workflow, step, scope, state, depth)
        operation_id = self.operation_of(step)
        if operation_id is None:
            raise Unsupported(f"step '{step.step_id}' names no operation harness can find")
        request = build_request(workflow, step, operation_id, scope, self.parameter_in)
        reply = self.sender.send(request)
        _enter(scope, request, reply)
        criterion, reason = self._criteria(step, scope, state.leniency)
        outputs: dict[str, Any] = {}
        if reason is None:
            outputs, reason = _outputs(step.outputs, scope)
        state.steps.append(
            StepRun(
                step=step, workflow_id=workflow.workflow_id, request=request, reply=reply,
                failure=reason,
            )
        )  # fmt: skip
        if reason is not None:
            return StepFailure(
                workflow_id=workflow.workflow_id,
                step=step,
                reason=reason,
                reply=reply,
                criterion=criterion,
            )
        scope.steps[step.step_id] = outputs
        return None

    def _criteria(
        self, step: Step, scope: Scope, leniency: Leniency
    ) -> tuple[Criterion | None, str | None]:
        """The first success criterion that does not hold, and why (None, None: all hold)."""
        for criterion in step.success_criteria:
            reason = judge(criterion, scope, leniency)
            if reason is not None:
                return criterion, reason
        return None, None

    def _nested(
        self,
        workflow: Workflow,
        step: Step,
        scope: Scope,
        state: _State,
        depth: int,
    ) -> StepFailure | None:
        """A step that runs another workflow: its parameters are that workflow's inputs."""
        try:
            inputs = {p.name: resolve(p.value, scope) for p in step.parameters}
        except Unresolved as exc:
            return StepFailure(workflow_id=workflow.workflow_id, step=step, reason=str(exc))
        wanted = step.workflow_id or ""
        outputs, failure = self._workflow(wanted, inputs, state, depth=depth + 1)
        if failure is not None:
            return failure
        scope.workflows[wanted] = outputs
        inner = Scope(inputs=scope.inputs, steps=scope.steps, outputs=outputs)
        values, reason = _outputs(step.outputs, inner)
        if reason is not None:
            return StepFailure(workflow_id=workflow.workflow_id, step=step, reason=reason)
        scope.steps[step.step_id] = values
        return None

    def _outputs(self, workflow: Workflow, scope: Scope) -> dict[str, Any]:
        values, _ = _outputs(workflow.outputs or {}, scope)
        return values


def unsupported(workflow: Workflow) -> str | None:
    """What of ``workflow`` harness cannot run, found before any request is sent (or None)."""
    actions = [*workflow.success_actions, *workflow.failure_actions]
    criteria = []
    for step in workflow.steps:
        actions += [*step.on_success, *step.on_failure]
        criteria += list(step.success_criteria)
    for action in actions:
        if action.reference is not None:
            return f"reusable action {action.reference} (harness runs inline ones)"
        if action.type not in ("end", "goto", "retry"):
            return f"action '{action.name}' of unknown type '{action.type}'"
        criteria += list(action.criteria)
    for criterion in criteria:
        if criterion.kind not in SUPPORTED_KINDS:
            return f"'{criterion.kind}' criteria (harness runs simple, regex, jsonpath)"
    return None


def _enter(scope: Scope, request: StepRequest, reply: Reply) -> None:
    """Make the step's request and reply what ``$url``, ``$response...`` read next."""
    scope.url = reply.url
    scope.method = reply.method or request.method
    scope.status = reply.status
    scope.request = Message(
        headers={name.lower(): value for name, value in request.headers.items()},
        body=request.body,
        query=request.query,
        path=request.path_params,
    )
    scope.response = Message(headers=reply.headers, body=reply.body)


def _outputs(expressions: Mapping[str, str], scope: Scope) -> tuple[dict[str, Any], str | None]:
    values: dict[str, Any] = {}
    for name, expression in expressions.items():
        try:
            values[name] = evaluate(expression, scope)
        except Unresolved as exc:
            return values, f"output '{name}' ({expression}): {exc.missing}"
    return values, None
