"""The contract's ``safety`` section: what fuzzing may send, and the lint that guards it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contract import load_contract
from harness.errors import ContractError
from harness.lint import lint

OPENAPI = """\
openapi: 3.1.0
info: {title: Accounts, version: "1.0.0"}
paths:
  /users/{user_id}:
    get:
      operationId: getUser
      parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: the user}}
    delete:
      operationId: deleteUser
      parameters: [{name: user_id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: gone}}
  /buckets/{id}:
    delete:
      operationId: deleteBucket
      tags: [storage]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: gone}}
"""

CONTRACT = """\
harness: 1
info: {id: accounts, name: Accounts, version: "1.0.0"}
type: [rest]
environments:
  sandbox: {base_url: "https://sandbox.example"}
  production: {base_url: "https://api.example", protected: true}
auth: {type: basic, username: qa, password: "${ACCOUNTS_PASSWORD}"}
api: {openapi: openapi.yaml}
"""


def _write(tmp_path: Path, safety: str = "") -> Path:
    (tmp_path / "openapi.yaml").write_text(OPENAPI)
    (tmp_path / "integration.yaml").write_text(CONTRACT + safety)
    return tmp_path


def test_without_safety_nothing_is_excluded(tmp_path: Path) -> None:
    contract = load_contract(_write(tmp_path))
    assert contract.excluded_operations("sandbox") == {}


def test_no_fuzz_excludes_everywhere_and_says_why(tmp_path: Path) -> None:
    safety = "safety:\n  no_fuzz:\n    - {operation: deleteUser, reason: the QA account}\n"
    contract = load_contract(_write(tmp_path, safety))
    for environment in (None, "local", "sandbox"):
        reason = contract.excluded_operations(environment)["deleteUser"]
        assert reason.startswith("excluded from fuzzing by safety.no_fuzz operation deleteUser")
        assert "integration.yaml:11:" in reason
        assert reason.endswith(": the QA account")


def test_destructive_is_fuzzed_only_where_allowed(tmp_path: Path) -> None:
    safety = (
        "safety:\n  destructive:\n"
        '    - {path: "/users/{id}", methods: [delete]}\n'
        "    - {tag: storage}\n"
    )
    contract = load_contract(_write(tmp_path, safety))
    assert contract.excluded_operations() == {}  # at plan time: no environment yet
    assert contract.excluded_operations("local") == {}
    refused = contract.excluded_operations("sandbox")
    assert set(refused) == {"deleteUser", "deleteBucket"}  # not getUser: only DELETE
    assert "add 'sandbox' to safety.allow_destructive" in refused["deleteUser"]
    allowed = load_contract(_write(tmp_path, safety + "  allow_destructive: [local, sandbox]\n"))
    assert allowed.excluded_operations("sandbox") == {}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{operation: deleteUsr}", "no operation 'deleteUsr' in openapi.yaml"),
        ("{operation: deleteUser, tag: x}", "picks by one of operation, path or tag"),
        ("{reason: why}", "needs one of 'operation', 'path' or 'tag'"),
        ("{path: users}", "a path starting with '/'"),
    ],
)
def test_a_bad_selector_is_an_error_at_its_line(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        load_contract(_write(tmp_path, f"safety:\n  no_fuzz:\n    - {entry}\n"))
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.location.line == 11


def test_lint_warns_when_fuzzing_may_delete_the_auth_identity(tmp_path: Path) -> None:
    result = lint(str(_write(tmp_path)))
    warnings = [p for p in result.problems if "may delete the identity" in p.message]
    assert len(warnings) == 1  # sandbox only: production is protected, local is the sandbox
    assert "environment 'sandbox' lets fuzzing send DELETE /users/{user_id}" in warnings[0].message
    assert "auth: basic" in warnings[0].message
    assert warnings[0].location.line == 5
    assert "no_fuzz: [{operation: deleteUser}]" in warnings[0].hint


def test_lint_is_quiet_once_the_identity_is_protected(tmp_path: Path) -> None:
    safety = "safety:\n  destructive:\n    - {operation: deleteUser}\n"
    result = lint(str(_write(tmp_path, safety)))
    assert not [p for p in result.problems if "may delete the identity" in p.message]


def test_lint_warns_about_a_selector_that_picks_nothing(tmp_path: Path) -> None:
    result = lint(str(_write(tmp_path, 'safety:\n  no_fuzz:\n    - {path: "/admin/*"}\n')))
    assert any("path /admin/* picks no operation" in p.message for p in result.problems)
