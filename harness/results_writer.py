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

from harness.checks.base import RunSettings
from harness.results import CheckResult, render_results, write_atomically

RESULT_KEY = "harness_result"


class ResultsWriter:
    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.results: dict[str, dict[str, CheckResult]] = {}

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
