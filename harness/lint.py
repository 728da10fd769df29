"""``harness lint``: validate contracts and report every problem, for people or machines."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from harness.checks.compliance.guide import hygiene_problems
from harness.contract import load_contract
from harness.contract.completeness import missing_sections, unset_variables
from harness.contract.safety import safety_warnings
from harness.errors import ContractError, Problem
from harness.mapping.entity import spec_problems
from harness.workflows import reference_problems


@dataclass(frozen=True, slots=True, kw_only=True)
class LintResult:
    """The verdict on one contract folder."""

    target: str
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)


def lint(target: str, *, strict: bool = False) -> LintResult:
    """Load ``target`` and collect its errors, or its warnings (errors when ``strict``)."""
    try:
        contract = load_contract(target)
    except ContractError as exc:
        return LintResult(target=target, problems=exc.problems)
    errors = spec_problems(contract)  # transforms that do not build, at their line
    errors += reference_problems(contract)  # Arazzo steps: unknown operations or outputs
    notes = missing_sections(contract) + hygiene_problems(contract) + unset_variables(contract)
    notes += safety_warnings(contract)  # fuzzing that may delete the run's own identity
    if strict:  # --strict: contract-hygiene and completeness warnings fail the lint too
        notes = [replace(p, severity="error") if p.severity == "warning" else p for p in notes]
    return LintResult(target=target, problems=tuple(errors + notes))


def render_text(results: list[LintResult], *, verbose: bool = False) -> str:
    """``file:line:col: severity: message`` lines, then one summary line."""
    lines: list[str] = []
    for result in results:
        shown = [p for p in result.problems if verbose or p.severity != "note"]
        lines += [problem.render() for problem in shown]
        errors = sum(p.severity == "error" for p in result.problems)
        warnings = sum(p.severity == "warning" for p in result.problems)
        verdict = "ok" if result.valid else f"{errors} error{'s' * (errors != 1)}"
        lines.append(f"{result.target}: {verdict}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines)


def render_json(results: list[LintResult]) -> str:
    """The same verdicts as JSON, for editors and CI annotations."""
    payload: dict[str, Any] = {
        "valid": all(result.valid for result in results),
        "contracts": [
            {
                "target": result.target,
                "valid": result.valid,
                "problems": [_problem_json(problem) for problem in result.problems],
            }
            for result in results
        ],
    }
    return json.dumps(payload, indent=2)


def _problem_json(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {
        "file": where.file,
        "line": where.line,
        "column": where.column,
        "path": where.path,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
    }
