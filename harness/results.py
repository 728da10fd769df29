"""What a check concludes, and the run's results file (written atomically, check by check)."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
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


INCONCLUSIVE_KEY = "inconclusive"  # data[INCONCLUSIVE_KEY] is True: nothing to judge
SUBJECT_KEY = "subject"  # data[SUBJECT_KEY] == SUBJECT_CLIENT: judges harness's own client
SUBJECT_CLIENT = "client"
HYGIENE_KEY = "contract_hygiene"  # data[HYGIENE_KEY] is True: a finding about the contract itself


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
    requirement: bool = False  # its family's checks are compliance requirements (registry)
    provoking: bool = False  # its family provokes errors/429s on purpose (registry)

    @property
    def inconclusive(self) -> bool:
        """The check had nothing to judge (always with outcome skipped)."""
        return self.data.get(INCONCLUSIVE_KEY) is True

    @property
    def about_client(self) -> bool:
        """The check judges harness's own client, not the integration."""
        return self.data.get(SUBJECT_KEY) == SUBJECT_CLIENT

    @property
    def contract_hygiene(self) -> bool:
        """The check judges the contract document itself, not the integration's behaviour."""
        return self.data.get(HYGIENE_KEY) is True

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


def write_atomically(
    path: Path,
    content: str | bytes,
    *,
    mode: int | None = None,
    verify: Callable[[Path], object] | None = None,
) -> None:
    """Write ``content`` (text as UTF-8) so readers see the old file or the new one, never half.

    The file gets ``mode`` when given (a cassette is 0644 whatever the umask: it is meant to
    be committed), else the existing file's mode or the umask's (reports are for sharing;
    mkstemp alone would make them 0600). ``verify(temporary_path)`` runs before the rename:
    when it raises, nothing is written at ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(handle, _file_mode(path) if mode is None else mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode("utf-8") if isinstance(content, str) else content)
        if verify is not None:
            verify(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode a new file gets from the umask (0644 under 022), or the existing file's."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)  # reading the umask means setting it: restore it at once
        os.umask(mask)
        return 0o666 & ~mask


def render_results(integration: str, run: Mapping[str, Any], results: Iterable[CheckResult]) -> str:
    """The ``results.json`` document (shape: ``harness/results.schema.json``)."""
    ordered = sorted(results, key=lambda result: result.id)
    document = {
        "format": RESULTS_FORMAT,
        "integration": integration,
        "run": dict(run),
        "counts": count_outcomes(ordered),
        "subjects": {
            "integration": count_outcomes(r for r in ordered if not r.about_client),
            "client": count_outcomes(r for r in ordered if r.about_client),
        },
        "inconclusive": sum(result.inconclusive for result in ordered),
        "checks": [result.to_json() for result in ordered],
    }
    return json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"


def count_outcomes(results: Iterable[CheckResult]) -> dict[str, int]:
    """``{"passed": n, "failed": n, "error": n, "skipped": n}``."""
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    return counts


def read_results(path: Path) -> list[CheckResult]:
    """The checks of a ``results.json`` written by ``render_results``."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [CheckResult.from_json(item) for item in document.get("checks", [])]
