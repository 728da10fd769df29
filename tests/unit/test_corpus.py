"""The corpus of broken contracts: each gets its expected messages, and never a traceback.

Every folder under ``tests/corpus/broken`` holds an ``integration.yaml`` (plus any document it
references) and an ``expected.txt`` whose non-empty lines must each appear in the text that
``harness lint`` prints for it. See ``tests/corpus/README.md``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.lint import lint, render_json, render_text

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"
BROKEN = sorted(path for path in (CORPUS / "broken").iterdir() if path.is_dir())
VALID = [REPO / "contracts" / "acme-crm", *sorted((CORPUS / "valid").iterdir())]
UNSET = "HARNESS_CORPUS_UNSET_NAME"  # a variable case 106 needs to be unset


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Messages name files relative to the working directory when they are under it.
    monkeypatch.chdir(REPO)
    monkeypatch.delenv(UNSET, raising=False)


def _expected(case: Path) -> list[str]:
    text = (case / "expected.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _target(case: Path) -> str:
    return str(case.relative_to(REPO))


def test_corpus_covers_enough_cases() -> None:
    assert len(BROKEN) >= 55
    assert all(_expected(case) for case in BROKEN), "every case states what it expects"


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_broken_contract_gets_its_messages(case: Path) -> None:
    result = lint(_target(case))
    output = render_text([result])

    assert not result.valid
    assert "Traceback" not in output
    missing = [line for line in _expected(case) if line not in output]
    assert not missing, "not in the output:\n  " + "\n  ".join(missing) + f"\n--- output:\n{output}"


@pytest.mark.parametrize("case", BROKEN, ids=[case.name for case in BROKEN])
def test_every_error_has_a_line_a_path_and_a_hint(case: Path) -> None:
    errors = [p for p in lint(_target(case)).problems if p.severity == "error"]

    assert errors
    for problem in errors:
        assert problem.location.line > 0, problem
        assert problem.location.column > 0, problem
        assert problem.location.path.startswith("$"), problem
        assert problem.hint, problem


@pytest.mark.parametrize("case", VALID, ids=[case.name for case in VALID])
def test_valid_contract_passes(case: Path) -> None:
    result = lint(_target(case))

    assert result.valid, render_text([result])


def test_json_output_carries_every_field() -> None:
    case = CORPUS / "broken" / "001-unknown-top-level-key"

    payload = json.loads(render_json([lint(_target(case))]))

    assert payload["valid"] is False
    [problem] = payload["contracts"][0]["problems"]
    assert problem["file"].endswith("integration.yaml")
    assert (problem["line"], problem["column"], problem["path"]) == (7, 3, "$.rate_limit")
    assert problem["hint"] == "did you mean 'rate_limits'?"


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != UNSET}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_exits_1_on_every_broken_contract_without_a_traceback() -> None:
    done = _run_cli("lint", *(_target(case) for case in BROKEN))

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr == ""
    for case in BROKEN:
        assert f"{_target(case)}: " in done.stdout  # one verdict line per contract
        assert all(line in done.stdout for line in _expected(case)), case.name


@pytest.mark.parametrize(
    "args",
    [("lint",), ("lint", "--format", "xml", "contracts/acme-crm")],
    ids=["no-contract", "bad-format"],
)
def test_cli_exits_2_on_usage_errors(args: tuple[str, ...]) -> None:
    done = _run_cli(*args)

    assert done.returncode == 2
    assert "harness lint" in done.stderr  # the usage line, or "harness lint: error: ..."
    assert "Traceback" not in done.stderr
