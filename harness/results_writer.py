"""A pytest plugin object that keeps ``reports/<id>/results.json`` up to date, check by check.

It runs on the controller only: with pytest-xdist the workers' reports arrive here with the
result attached (``user_properties``), so one results.json per integration holds every
worker's checks. The file is rewritten atomically after each check, so an interrupted run
keeps what it finished.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import __version__
from harness.results import CheckResult, render_results, write_atomically

if TYPE_CHECKING:
    from harness.reporting import ReportSet
    from harness.settings import RunSettings

RESULT_KEY = "harness_result"
STALE_REPORTS = ("health.json", "compliance.json", "summary.md", "report.html")
RUN_FILES = ("summary.md", "junit.xml")  # of the whole run, in the report folder


class ResultsWriter:
    """``settings`` may be a function: the plugin builds them only once harness is used."""

    def __init__(
        self,
        settings: RunSettings | Callable[[], RunSettings],
        *,
        history: str | None = None,
        root: Path | None = None,
    ) -> None:
        self._settings = settings
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.results: dict[str, dict[str, CheckResult]] = {}
        self._history = Path(history) if history else None
        self.root = root or Path.cwd()
        self.complete = False  # set by finish(): the run ended without interruption

    @property
    def settings(self) -> RunSettings:
        if callable(self._settings):
            self._settings = self._settings()
        return self._settings

    @property
    def history(self) -> Path:
        return self._history or Path(self.settings.report_dir) / "history.sqlite"

    @property
    def run_info(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "environment": self.settings.environment,
            "mode": str(self.settings.mode),
            "seed": self.settings.seed,
            "examples": self.settings.examples,
            "families": sorted(self.settings.families),
            "complete": self.complete,
            **_shard(self.settings.shard),
        }

    def pytest_runtest_logreport(self, report: Any) -> None:
        for key, value in getattr(report, "user_properties", ()):
            if key == RESULT_KEY:
                self.add(CheckResult.from_json(json.loads(value)))

    def add(self, result: CheckResult) -> None:
        if result.integration not in self.results:
            self._clear_previous(result.integration)
        checks = self.results.setdefault(result.integration, {})
        checks[result.id] = result
        self.write(result.integration)

    def write(self, integration: str) -> Path:
        path = Path(self.settings.report_dir) / integration / "results.json"
        text = render_results(integration, self.run_info, self.results[integration].values())
        write_atomically(path, text)
        return path

    def _clear_previous(self, integration: str) -> None:
        """The previous run's reports go when this run's first result comes: a run killed
        half-way leaves its results.json ("complete": false), never old reports beside it."""
        report_dir = Path(self.settings.report_dir)
        for name in STALE_REPORTS:
            (report_dir / integration / name).unlink(missing_ok=True)
        for name in RUN_FILES:
            (report_dir / name).unlink(missing_ok=True)

    def all_results(self) -> list[CheckResult]:
        return [result for checks in self.results.values() for result in checks.values()]

    def finish(self, *, complete: bool = True) -> list[ReportSet]:
        """At the end of the run: every report of every integration, and the history rows.

        An interrupted run (Ctrl-C, -x, a crash) only marks its results.json incomplete: no
        report or history row is made from part of a run.
        """
        self.complete = complete
        for integration in self.results:
            self.write(integration)
        if not complete:
            return []
        from harness.reporting import History, append_step_summary, write_reports  # noqa: PLC0415
        from harness.reporting.reports import contract_for, write_run_summary  # noqa: PLC0415

        history = History(self.history)
        written = []
        for integration, checks in sorted(self.results.items()):
            results = list(checks.values())
            contract = contract_for(results, self.settings.environment, root=self.root)
            written.append(
                write_reports(Path(self.settings.report_dir), integration, self.run_info,
                              results, contract=contract, history=history)
            )  # fmt: skip
        if written:
            write_run_summary(Path(self.settings.report_dir), written)
        append_step_summary(report.summary for report in written)
        return written

    def environment_properties(self) -> dict[str, Any]:
        """Allure's environment panel: what this run was."""
        return {
            "harness": __version__,
            "integrations": ", ".join(sorted(self.results)),
            **{key: value for key, value in self.run_info.items() if key != "families"},
            "families": ", ".join(self.run_info["families"]) or "all",
        }


def _shard(shard: tuple[int, int]) -> dict[str, str]:
    """``{"shard": "K/N"}`` for a sharded run (``harness report --merge`` checks it)."""
    return {"shard": f"{shard[0]}/{shard[1]}"} if shard[1] > 1 else {}
