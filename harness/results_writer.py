"""A pytest plugin object that keeps ``reports/<id>/results.json`` up to date, check by check.

It runs on the controller only: with pytest-xdist the workers' reports arrive here with the
result attached (``user_properties``), so one results.json per integration holds every
worker's checks. The file is rewritten atomically after each check, so an interrupted run
keeps what it finished.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.checks.base import RunSettings
from harness.reporting import History, ReportSet, append_step_summary, write_reports
from harness.reporting.reports import contract_for, write_run_summary
from harness.results import CheckResult, render_results, write_atomically

RESULT_KEY = "harness_result"


class ResultsWriter:
    def __init__(
        self, settings: RunSettings, *, history: str | None = None, root: Path | None = None
    ) -> None:
        self.settings = settings
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.results: dict[str, dict[str, CheckResult]] = {}
        self.history = Path(history) if history else Path(settings.report_dir) / "history.sqlite"
        self.root = root or Path.cwd()

    @property
    def run_info(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "environment": self.settings.environment,
            "mode": str(self.settings.mode),
            "seed": self.settings.seed,
            "examples": self.settings.examples,
            "families": sorted(self.settings.families),
        }

    def pytest_runtest_logreport(self, report: Any) -> None:
        for key, value in getattr(report, "user_properties", ()):
            if key == RESULT_KEY:
                self.add(CheckResult.from_json(json.loads(value)))

    def add(self, result: CheckResult) -> None:
        checks = self.results.setdefault(result.integration, {})
        checks[result.id] = result
        self.write(result.integration)

    def write(self, integration: str) -> Path:
        path = Path(self.settings.report_dir) / integration / "results.json"
        text = render_results(integration, self.run_info, self.results[integration].values())
        write_atomically(path, text)
        return path

    def all_results(self) -> list[CheckResult]:
        return [result for checks in self.results.values() for result in checks.values()]

    def finish(self) -> list[ReportSet]:
        """At the end of the run: every report of every integration, and the history rows."""
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
