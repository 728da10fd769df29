"""Running ``harness check`` against one mutant and reading its verdict from results.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from harness.results import SUBJECT_CLIENT, SUBJECT_KEY
from tests.mutants.mutant import Mutant
from tests.mutants.plugin import ENV_VAR

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = "contracts/acme-crm"
MESSAGE_CHARS = 220


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckVerdict:
    id: str  # family::name
    outcome: str
    message: str
    of_client: bool = False  # judges harness's own client, not the target


@dataclass(frozen=True, slots=True, kw_only=True)
class MutantRun:
    """What ``harness check`` said with one mutant in front of the sandbox."""

    mutant: Mutant
    verdicts: tuple[CheckVerdict, ...] = ()
    duration_s: float = 0.0
    problem: str = ""  # the run itself broke (timeout, no results.json)
    baseline_failures: frozenset[str] = frozenset()  # failing without a mutant: no evidence

    def with_outcome(self, outcome: str) -> list[CheckVerdict]:
        return [v for v in self.verdicts if v.outcome == outcome]

    def failures(self) -> list[CheckVerdict]:
        """Failed checks of the target that pass on the baseline: a false positive proves
        nothing, and a check of harness's own client says nothing about the vendor."""
        return [
            v
            for v in self.with_outcome("failed")
            if v.id not in self.baseline_failures and not v.of_client
        ]

    @property
    def caught(self) -> bool:
        return bool(self.failures())

    @property
    def expected(self) -> list[CheckVerdict]:
        """The verdicts of the checks the mutant names in ``expect``."""
        prefix = self.mutant.expect
        return [v for v in self.verdicts if prefix and v.id.startswith(prefix)]

    @property
    def caught_as_expected(self) -> bool:
        return any(v in self.failures() for v in self.expected)

    def first_failure(self) -> CheckVerdict | None:
        """The expected check's failure if there is one, else the first failed check."""
        failed = self.failures()
        expected = [v for v in self.expected if v in failed]
        chosen = expected or failed
        return chosen[0] if chosen else None


def one_line(text: str, limit: int = MESSAGE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def harness_command(
    families: tuple[str, ...], *, select: str = "", examples: int, seed: int, report_dir: Path
) -> list[str]:
    executable = Path(sys.executable).with_name("harness")
    command = [str(executable), "check", CONTRACT, "--seed", str(seed)]
    command += ["--examples", str(examples), "--report-dir", str(report_dir)]
    for family in families:
        command += ["--family", family]
    pytest_args = ["-p", "tests.mutants.plugin", "-q", *(["-k", select] if select else [])]
    return [*command, "--", *pytest_args]


def run_mutant(
    mutant: Mutant,
    *,
    families: tuple[str, ...] | None = None,
    select: str | None = None,
    examples: int = 10,
    seed: int = 1,
    report_dir: Path,
    timeout_s: float = 180.0,
) -> MutantRun:
    """Run ``harness check`` with ``mutant`` between harness and the sandbox: by default
    over the mutant's families and selection, else over ``families``/``select``."""
    chosen = mutant.families if families is None else families
    if select is None:
        select = mutant.select if families is None else ""
    command = harness_command(
        chosen, select=select, examples=examples, seed=seed, report_dir=report_dir
    )
    environment = {**os.environ, ENV_VAR: mutant.name, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return MutantRun(
            mutant=mutant, duration_s=timeout_s, problem=f"timed out after {timeout_s:.0f} s"
        )
    duration = time.monotonic() - started
    results = report_dir / "acme-crm" / "results.json"
    if not results.is_file():
        tail = one_line(completed.stdout[-600:] + completed.stderr[-600:])
        return MutantRun(mutant=mutant, duration_s=duration, problem=f"no results.json: {tail}")
    return MutantRun(mutant=mutant, verdicts=read_verdicts(results), duration_s=duration)


def read_verdicts(results: Path) -> tuple[CheckVerdict, ...]:
    document = json.loads(results.read_text(encoding="utf-8"))
    return tuple(
        CheckVerdict(
            id=f"{check['family']}::{check['name']}",
            outcome=check["outcome"],
            message=one_line(check.get("message") or ""),
            of_client=(check.get("data") or {}).get(SUBJECT_KEY) == SUBJECT_CLIENT,
        )
        for check in document["checks"]
    )
