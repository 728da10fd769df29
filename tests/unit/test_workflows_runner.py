"""The Arazzo step runner: requests built, criteria judged, outputs, goto / retry / end.

The runner's seam is ``Sender`` (as httpx's is a transport): here a scripted sender answers
each operation from a table, so every action path can be driven exactly; the runner on the
real local sandbox is tested in tests/integration/test_workflows_acme.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from harness.workflows import (
    Reply,
    StepRequest,
    Unsupported,
    WorkflowRunner,
    unsupported,
    workflows_of,
)
from harness.workflows.model import Step

Answer = Callable[[StepRequest], Reply]


class Scripted:
    """Answers each operation with the next reply of its script (the last one repeats)."""

    def __init__(self, script: dict[str, list[Answer]]) -> None:
        self.script = script
        self.sent: list[StepRequest] = []

    def send(self, request: StepRequest) -> Reply:
        self.sent.append(request)
        answers = self.script[request.operation_id]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request)


def reply(status: int, body: Any = None, **headers: str) -> Answer:
    return lambda request: Reply(
        status=status, body=body, headers=headers, url=f"http://t/{request.operation_id}"
    )


def _operation(step: Step) -> str | None:
    return step.operation_id


def _runner(document: dict[str, Any], sender: Scripted, **options: Any) -> WorkflowRunner:
    workflows = {w.workflow_id: w for w in workflows_of(document)}
    return WorkflowRunner(workflows, sender, operation_of=_operation, **options)


CREATE_THEN_GET = {
    "workflows": [
        {
            "workflowId": "lifecycle",
            "parameters": [{"name": "X-API-Version", "in": "header", "value": "1.0"}],
            "steps": [
                {
                    "stepId": "create",
                    "operationId": "createContact",
                    "requestBody": {
                        "contentType": "application/json",
                        "payload": {"email": "$inputs.email", "tags": ["{$inputs.email}!"]},
                        "replacements": [{"target": "/source", "value": "$inputs.source"}],
                    },
                    "successCriteria": [
                        {"condition": "$statusCode == 201"},
                        {"context": "$response.body#/id", "condition": "^ct_", "type": "regex"},
                    ],
                    "outputs": {"id": "$response.body#/id", "where": "$response.header.location"},
                },
                {
                    "stepId": "get",
                    "operationId": "getContact",
                    "parameters": [
                        {"name": "id", "in": "path", "value": "$steps.create.outputs.id"},
                        {"name": "expand", "value": "all"},
                        {"name": "X-API-Version", "in": "header", "value": "2.0"},
                    ],
                    "successCriteria": [
                        {"condition": "$statusCode == 200"},
                        {
                            "context": "$response.body",
                            "condition": "$.tags[?(@ == 'vip')]",
                            "type": {"type": "jsonpath", "version": "draft-goessner-00"},
                        },
                    ],
                    "outputs": {"email": "$response.body#/email"},
                },
            ],
            "outputs": {"id": "$steps.create.outputs.id", "email": "$steps.get.outputs.email"},
        }
    ]
}


def test_steps_run_in_order_and_outputs_flow_between_them() -> None:
    sender = Scripted(
        {
            "createContact": [reply(201, {"id": "ct_9"}, location="/contacts/ct_9")],
            "getContact": [reply(200, {"email": "a@b.co", "tags": ["vip"]})],
        }
    )
    run = _runner(CREATE_THEN_GET, sender).run("lifecycle", {"email": "a@b.co", "source": "wf"})
    assert run.passed, run.failure
    assert run.outputs == {"id": "ct_9", "email": "a@b.co"}
    create, get = sender.sent
    assert create.body == {"email": "a@b.co", "tags": ["a@b.co!"], "source": "wf"}
    assert create.headers == {"X-API-Version": "1.0", "Content-Type": "application/json"}
    assert get.path_params == {"id": "ct_9"}
    assert get.query == {"expand": "all"}  # no `in`, no declared place: the query
    assert get.headers == {"X-API-Version": "2.0"}  # the step's own parameter wins


@pytest.mark.parametrize(
    ("script", "step", "reason"),
    [
        ({"createContact": [reply(422, {"error": "bad"})]}, "create", "expected 201, got 422"),
        ({"createContact": [reply(201, {"id": "x9"})]}, "create", 'does not match /^ct_/'),
        ({"createContact": [reply(201, {"id": "ct_1"})]}, "create",
         "output 'where' ($response.header.location): no header 'location'"),
        ({"createContact": [reply(201, {"id": "ct_1"}, location="/c")],
          "getContact": [reply(200, {"email": "a", "tags": ["new"]})]}, "get",
         "JSONPath $.tags[?(@ == 'vip')] selects nothing in $response.body"),
    ],
)  # fmt: skip
def test_a_failing_step_stops_the_run_and_says_why(
    script: dict[str, list[Answer]], step: str, reason: str
) -> None:
    run = _runner(CREATE_THEN_GET, Scripted(script)).run("lifecycle", {"email": "e", "source": 1})
    assert run.failure is not None
    assert run.failure.step.step_id == step
    assert reason in run.failure.reason
    assert run.outputs == {}


def _one_step(on_failure: list[dict[str, Any]] | None = None, **step: Any) -> dict[str, Any]:
    return {
        "workflows": [
            {
                "workflowId": "flow",
                "steps": [
                    {
                        "stepId": "poll",
                        "operationId": "getJob",
                        "successCriteria": [{"condition": "$response.body#/state == 'done'"}],
                        "onFailure": on_failure or [],
                        **step,
                    },
                    {"stepId": "after", "operationId": "getJob"},
                ],
            },
            {
                "workflowId": "cleanup",
                "steps": [{"stepId": "purge", "operationId": "purge"}],
                "outputs": {"purged": "$statusCode"},
            },
        ]
    }


def test_retry_waits_retry_after_and_stops_at_the_limit() -> None:
    waits: list[float] = []
    retry = {"name": "again", "type": "retry", "retryAfter": 2, "retryLimit": 2,
             "criteria": [{"condition": "$statusCode == 202"}]}  # fmt: skip
    busy = reply(202, {"state": "busy"})
    sender = Scripted({"getJob": [busy, busy, reply(200, {"state": "done"})]})
    run = _runner(_one_step([retry]), sender, sleep=waits.append).run("flow", {})
    assert run.passed
    assert waits == [2.0, 2.0]
    assert len(sender.sent) == 4  # 3 polls, then the next step
    sender = Scripted({"getJob": [busy]})
    run = _runner(_one_step([retry]), sender, sleep=waits.append).run("flow", {})
    assert run.failure is not None
    assert len(sender.sent) == 3  # the first try and two retries


def test_an_action_whose_criteria_do_not_hold_is_passed_over() -> None:
    retry = {"name": "again", "type": "retry", "criteria": [{"condition": "$statusCode == 503"}]}
    sender = Scripted({"getJob": [reply(500, {"state": "x"})]})
    run = _runner(_one_step([retry]), sender, sleep=lambda _: None).run("flow", {})
    assert run.failure is not None
    assert len(sender.sent) == 1


def test_goto_a_workflow_on_failure_and_end_on_success() -> None:
    goto = {"name": "clean", "type": "goto", "workflowId": "cleanup"}
    sender = Scripted({"getJob": [reply(500, {"state": "x"})], "purge": [reply(204)]})
    run = _runner(_one_step([goto]), sender).run("flow", {})
    assert run.passed
    assert run.outputs == {"purged": 204}
    assert [r.operation_id for r in sender.sent] == ["getJob", "purge"]
    end = {"name": "stop", "type": "end"}
    sender = Scripted({"getJob": [reply(200, {"state": "done"})]})
    run = _runner(_one_step(onSuccess=[end]), sender).run("flow", {})
    assert run.passed
    assert len(sender.sent) == 1  # `after` never ran


def test_goto_a_step_loops_and_the_run_is_bounded() -> None:
    again = {"name": "loop", "type": "goto", "stepId": "poll"}
    sender = Scripted({"getJob": [reply(200, {"state": "busy"})]})
    run = _runner(_one_step([again]), sender).run("flow", {})
    assert run.failure is not None
    assert "goto loop" in run.failure.reason


def test_what_harness_cannot_run_is_unsupported_not_failed() -> None:
    xpath = _one_step(
        successCriteria=[{"condition": "/a", "type": "xpath", "context": "$response.body"}]
    )
    with pytest.raises(Unsupported, match="'xpath' criteria"):
        _runner(xpath, Scripted({"getJob": [reply(200)]})).run("flow", {})
    reused = _one_step([{"reference": "$components.failureActions.retry"}])
    with pytest.raises(Unsupported, match="reusable action"):
        _runner(reused, Scripted({"getJob": [reply(500)]})).run("flow", {})


def test_scrubbed_values_are_taken_as_recorded_when_lenient() -> None:
    def scrubbed(value: Any) -> bool:
        return bool(value == "pii-1@example.invalid")

    document = _one_step(successCriteria=[{"condition": "$response.body#/email == $inputs.email"}])
    sender = Scripted({"getJob": [reply(200, {"email": "pii-1@example.invalid"})]})
    run = _runner(document, sender, lenient=scrubbed).run("flow", {"email": "a@b.co"})
    assert run.passed
    assert run.lenient == 1
    strict = _runner(document, sender).run("flow", {"email": "a@b.co"})
    assert strict.failure is not None
    assert "$response.body#/email = 'pii-1@example.invalid'" in strict.failure.reason


def test_unsupported_features_are_found_before_anything_is_sent() -> None:
    [plain] = workflows_of(CREATE_THEN_GET)
    assert unsupported(plain) is None
    xpath = _one_step(successCriteria=[{"condition": "/a", "type": "xpath"}])
    assert unsupported(workflows_of(xpath)[0]) == (
        "'xpath' criteria (harness runs simple, regex, jsonpath)"
    )
    reused = _one_step([{"reference": "$components.failureActions.retry"}])
    assert "reusable action" in (unsupported(workflows_of(reused)[0]) or "")


def test_a_step_may_run_another_workflow_with_its_parameters_as_inputs() -> None:
    document = {
        "workflows": [
            *CREATE_THEN_GET["workflows"],
            {
                "workflowId": "outer",
                "steps": [
                    {
                        "stepId": "inner",
                        "workflowId": "lifecycle",
                        "parameters": [
                            {"name": "email", "value": "$inputs.mail"},
                            {"name": "source", "value": "outer"},
                        ],
                        "outputs": {"contact": "$outputs.id"},
                    },
                    {
                        "stepId": "check",
                        "operationId": "getContact",
                        "parameters": [
                            {"name": "id", "in": "path", "value": "$steps.inner.outputs.contact"}
                        ],
                    },
                ],
                "outputs": {"contact": "$steps.inner.outputs.contact"},
            },
        ]
    }
    sender = Scripted(
        {
            "createContact": [reply(201, {"id": "ct_5"}, location="/c/ct_5")],
            "getContact": [reply(200, {"email": "m", "tags": ["vip"]})],
        }
    )
    run = _runner(document, sender).run("outer", {"mail": "m@x.io"})
    assert run.passed, run.failure
    assert run.outputs == {"contact": "ct_5"}
    assert sender.sent[0].body["email"] == "m@x.io"
    assert sender.sent[-1].path_params == {"id": "ct_5"}
    assert [step.workflow_id for step in run.steps] == ["lifecycle", "lifecycle", "outer"]


def test_retry_with_a_step_runs_that_step_then_the_failing_one_again() -> None:
    refresh = {"name": "refresh", "type": "retry", "stepId": "after", "retryLimit": 1}
    sender = Scripted(
        {"getJob": [reply(401, {"state": "x"}), reply(200, {}), reply(200, {"state": "done"})]}
    )
    run = _runner(_one_step([refresh]), sender, sleep=lambda _: None).run("flow", {})
    assert run.passed, run.failure
    assert [step.step.step_id for step in run.steps] == ["poll", "after", "poll", "after"]
