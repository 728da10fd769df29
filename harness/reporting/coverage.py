"""Run-level truth: warnings when a run's conformance coverage was hollow.

A green table means little if most answers were 401 (the credentials broke mid-run), if an
operation never reached a 2xx, or if every example of a check hit the same 404. The
conformance checks store what they reached (``data["statuses"]``: status → count); this
module reads those facts back from the results and says what was hollow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from harness.results import CheckResult

#: Share of 401/403 answers above which the run's credentials are suspected broken.
REFUSED_SHARE = 0.5
_REFUSED = ("401", "403")


def hollow_coverage(results: Iterable[CheckResult]) -> list[str]:
    """Warnings, one line each, about what a run claimed to cover but did not really reach."""
    measured = [r for r in results if isinstance(r.data.get("statuses"), Mapping)]
    warnings: list[str] = []
    total = sum(_answers(r.data) for r in measured)
    refused = sum(int(r.data["statuses"].get(code, 0)) for r in measured for code in _REFUSED)
    if total and refused / total > REFUSED_SHARE:
        warnings.append(
            f"{refused} of {total} answers were 401/403: the credentials were refused for most "
            "of the run (expired, revoked or deleted mid-run?); verdicts that depend on them "
            "are hollow"
        )
    for result in measured:
        warnings += _check_warnings(result)
    return warnings


def _check_warnings(result: CheckResult) -> list[str]:
    statuses: Mapping[str, Any] = result.data["statuses"]
    answers = _answers(result.data)
    if not answers:
        return []
    found = []
    positive = result.data.get("mode") == "positive"
    if positive and not any(str(code).startswith("2") for code in statuses):
        found.append(f"{result.id}: never reached a 2xx in {answers} examples ({_shown(statuses)})")
    if len(statuses) == 1 and answers > 1:
        (only,) = statuses
        if str(only) in ("404", "401", "403"):
            found.append(f"{result.id}: all {answers} examples were answered {only}")
    return found


def _answers(data: Mapping[str, Any]) -> int:
    return sum(int(count) for count in data["statuses"].values())


def _shown(statuses: Mapping[str, Any]) -> str:
    return ", ".join(f"{count}x {status}" for status, count in sorted(statuses.items()))
