"""What a check concludes, and the run's results file (written atomically, check by check)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

RESULTS_FORMAT = 1


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the integration broke its contract
    ERROR = "error"  # the run broke: target down, bad option, harness bug
    SKIPPED = "skipped"


class Family(StrEnum):
    CONTRACT = "contract"
    CONFIG = "config"
    AUTH = "auth"
    CONFORMANCE = "conformance"
    WORKFLOWS = "workflows"
    MAPPING = "mapping"
    ERRORS = "errors"
    RETRY = "retry"
    RATELIMIT = "ratelimit"
    WEBHOOKS = "webhooks"
    HEALTH = "health"
    PERFORMANCE = "performance"
    SECURITY = "security"
    COMPLIANCE = "compliance"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """The verdict on one claim of the contract, with evidence (secrets already removed)."""

    id: str
    integration: str
    family: str
    name: str
    outcome: Outcome
    duration_s: float = 0.0
    message: str = ""
    evidence: tuple[Mapping[str, Any], ...] = ()
    seed: int | None = None
    contract_line: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["outcome"] = str(self.outcome)
        payload["evidence"] = [dict(item) for item in self.evidence]
        payload["data"] = dict(self.data)
        return payload

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> CheckResult:
        values = dict(payload)
        values["outcome"] = Outcome(values["outcome"])
        values["evidence"] = tuple(values.get("evidence", ()))
        return cls(**values)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_results(integration: str, run: Mapping[str, Any], results: Iterable[CheckResult]) -> str:
    """The ``results.json`` document (shape: ``harness/results.schema.json``)."""
    ordered = sorted(results, key=lambda result: result.id)
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in ordered:
        counts[result.outcome.value] += 1
    document = {
        "format": RESULTS_FORMAT,
        "integration": integration,
        "run": dict(run),
        "counts": counts,
        "checks": [result.to_json() for result in ordered],
    }
    return json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"


def read_results(path: Path) -> list[CheckResult]:
    """The checks of a ``results.json`` written by ``render_results``."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [CheckResult.from_json(item) for item in document.get("checks", [])]
