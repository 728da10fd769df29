"""The error hierarchy: every error harness raises on purpose derives from HarnessError.

A *run* problem (bad contract, bad option, unreachable target) is distinct from an
*integration* problem (the external system violated its contract): the former are
``HarnessError`` subclasses, the latter ``CheckFailure``, an ``AssertionError`` so that
pytest and Allure show it as *failed* rather than *broken*.

The mechanisms raise ``HarnessError`` subclasses about the data they were given
(``webhooks.VerificationError``, ``mapping.TransformError``, ``mapping.entity.FieldMappingError``,
``sandbox.requests.InvalidRequest``): a check that catches one turns it into a
``CheckFailure`` with its evidence; one nobody catches is the run's error, never a pass.
``tests/unit/test_error_hierarchy.py`` keeps every exception class under one of the two roots.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """Where a node of a document sits: file, 1-based line and column, JSON path."""

    file: str
    line: int = 0
    column: int = 0
    path: str = "$"

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


class HarnessError(Exception):
    """Root of the errors harness raises on purpose."""


class UsageError(HarnessError):
    """A bad option or argument given by the user."""


class TransportError(HarnessError):
    """The target could not be reached, or a recording is missing."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a contract, with where it is and how to fix it."""

    location: Location
    message: str
    hint: str = ""
    severity: str = "error"

    def render(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message} (at {self.location.path})"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ContractError(HarnessError):
    """A contract (or a document it references) is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ContractError needs at least one problem")
        self.problems = tuple(problems)
        super().__init__("\n".join(problem.render() for problem in problems))


class CheckFailure(AssertionError):
    """The integration violated its contract: shown as *failed*, never *broken*.

    ``evidence`` holds JSON-safe excerpts (requests, responses, curl lines) with secrets
    already removed; ``data`` holds measured figures for the reports.
    """

    def __init__(
        self,
        message: str,
        *,
        evidence: tuple[dict[str, object], ...] = (),
        data: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = evidence
        self.data = data or {}
