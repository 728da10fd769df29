"""The public run API: check a contract from Python, without pytest.

    import harness

    result = harness.check("contracts/acme-crm", families={"health", "auth"}, seed=1)
    assert result.ok, result.summary()
    for failed in result.failed():
        print(failed.id, failed.message)

The checks, seeds and verdicts are those of ``harness check`` (the same runner, the same
per-check seeds: a check's id is ``<contract file>::<family>::<name>``, as pytest names it
when run from the current directory); ``report_dir`` writes the same reports.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from harness.checks.registry import family, plan_checks
from harness.contract import Contract, load_contract
from harness.errors import UsageError
from harness.results import CheckResult, Outcome, count_outcomes
from harness.results_writer import ResultsWriter
from harness.runner import ContractRun, run_item
from harness.settings import Mode, RunSettings


@dataclass(frozen=True, slots=True)
class RunResult:
    """The verdicts of one run of one contract."""

    integration: str
    settings: RunSettings
    results: tuple[CheckResult, ...]
    report_dir: Path | None = field(default=None)

    @property
    def counts(self) -> dict[str, int]:
        """``{"passed": n, "failed": n, "error": n, "skipped": n}``."""
        return count_outcomes(self.results)

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing errored (skipped checks say why in their message)."""
        return not any(r.outcome in (Outcome.FAILED, Outcome.ERROR) for r in self.results)

    def failed(self) -> list[CheckResult]:
        """The failed and errored checks, in run order."""
        return [r for r in self.results if r.outcome in (Outcome.FAILED, Outcome.ERROR)]

    def of(self, family_name: str, name: str | None = None) -> list[CheckResult]:
        """The results of one family (and one check name, when given)."""
        return [
            r for r in self.results if r.family == family_name and (name is None or r.name == name)
        ]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts.items() if n)
        problems = "".join(f"\n  {r.outcome}: {r.id}: {r.message[:200]}" for r in self.failed())
        return f"{self.integration}: {counts or 'no checks'}{problems}"


def check(
    contract: str | Path | Contract,
    *,
    env: str = "local",
    families: Collection[str] = (),
    mode: str | Mode = Mode.LIVE,
    seed: int = 0,
    examples: int = 20,
    base_url: str | None = None,
    allow_protected: bool = False,
    report_dir: str | Path | None = None,
) -> RunResult:
    """Run the checks of ``contract`` (a folder, its integration.yaml, or a loaded Contract).

    Raises ``UsageError`` for a bad argument and ``ContractError`` for an invalid contract;
    the target's failures and the run's own errors are verdicts in the result, never raised.
    """
    for name in families:
        family(name)  # an unknown family: a UsageError naming the known ones
    settings = RunSettings(
        environment=env,
        mode=_mode(mode),
        families=frozenset(families),
        examples=examples,
        seed=seed,
        base_url=base_url,
        allow_protected=allow_protected,
        report_dir=str(report_dir or "reports"),
    )
    loaded = contract if isinstance(contract, Contract) else _load(contract, env)
    results = _run(loaded, settings)
    written = None
    if report_dir is not None:
        written = _write(settings, results)
    return RunResult(loaded.id, settings, tuple(results), written)


def _mode(mode: str | Mode) -> Mode:
    try:
        return Mode(mode)
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise UsageError(f"mode must be one of {known}, got {mode!r}") from None


def _load(path: str | Path, env: str) -> Contract:
    return load_contract(Path(path), environment=env)


def _run(contract: Contract, settings: RunSettings) -> list[CheckResult]:
    run = ContractRun(contract, settings)
    prefix = _relative(contract.path)
    try:
        return [
            run_item(run, item, f"{prefix}::{item.family}::{item.name}")[0]
            for item in plan_checks(contract, settings.families)
        ]
    finally:
        run.close()


def _relative(path: Path) -> str:
    """The contract file as pytest names it from the current directory."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _write(settings: RunSettings, results: list[CheckResult]) -> Path:
    writer = ResultsWriter(settings)
    for result in results:
        writer.add(result)
    writer.finish()
    return Path(settings.report_dir)


__all__ = ["RunResult", "check"]
