"""``harness lint``: Arazzo steps naming unknown operations or outputs are errors at their line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.contract import load_contract
from harness.errors import ContractError
from harness.lint import lint
from harness.workflows import reference_problems

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"
SOURCE = "{$sourceDescriptions.acmeCrm.url}"


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    folder = tmp_path / "acme-crm"
    shutil.copytree(ACME, folder)
    return folder


def _edit(folder: Path, old: str, new: str, count: int = 1) -> int:
    """Replace ``old`` (``count`` times); the 1-based line of its first occurrence."""
    file = folder / "workflows.arazzo.yaml"
    text = file.read_text()
    assert text.count(old) >= count
    line = text[: text.index(old)].count("\n") + 1
    file.write_text(text.replace(old, new, count))
    return line


def test_acme_workflows_reference_only_what_exists() -> None:
    assert reference_problems(load_contract(str(ACME))) == []
    assert lint(str(ACME)).valid


def test_an_unknown_step_output_is_an_error_at_its_line(acme: Path) -> None:
    line = _edit(acme, "value: $steps.createContact.outputs.contactId",
                 "value: $steps.createContact.outputs.contactID")  # fmt: skip
    result = lint(str(acme))
    assert not result.valid
    [problem] = [p for p in result.problems if "contactID" in p.message]
    assert problem.severity == "error"
    assert problem.location.file.endswith("workflows.arazzo.yaml")
    assert problem.location.line == line
    assert (
        "reads output 'contactID', which step 'createContact' does not declare" in problem.message
    )
    assert problem.hint == "did you mean 'contactId'?"


def test_an_unknown_step_is_an_error(acme: Path) -> None:
    line = _edit(acme, "$steps.createDeal.outputs.dealId\n", "$steps.createDeals.outputs.dealId\n")
    [problem] = reference_problems(load_contract(str(acme)))
    assert problem.location.line == line
    assert "reads step 'createDeals', which workflow 'dealForContact' does not have" in (
        problem.message
    )
    assert problem.hint == "did you mean 'createDeal'?"


def test_an_unknown_operation_path_is_an_error_at_its_line(acme: Path) -> None:
    line = _edit(acme, "operationId: getDeal", f"operationPath: '{SOURCE}#/paths/~1deal/get'")
    [problem] = reference_problems(load_contract(str(acme)))
    assert (problem.location.line, problem.location.path) == (
        line,
        "$.workflows[1].steps[2].operationPath",
    )
    assert "step 'getDeal' calls unknown operation" in problem.message
    assert f"workflows.arazzo.yaml:{line}:" in str(problem.location)


def test_a_known_operation_path_is_accepted(acme: Path) -> None:
    _edit(
        acme, "operationId: getDeal", f"operationPath: '{SOURCE}#/paths/~1deals~1{{deal_id}}/get'"
    )
    assert reference_problems(load_contract(str(acme))) == []


def test_an_unknown_operation_id_is_refused_when_loading(acme: Path) -> None:
    line = _edit(acme, "operationId: getDeal", "operationId: getDeals")
    with pytest.raises(ContractError) as caught:
        load_contract(str(acme))
    [problem] = caught.value.problems
    assert problem.location.line == line
    assert "unknown operation 'getDeals'" in problem.message
