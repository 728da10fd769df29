"""Writing the reports of one integration: health.json, compliance.json, summary.md, report.html.

Called at the end of a run (the plugin, on the controller) and by ``harness report``, which
re-renders from stored ``results.json`` files without touching the history.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contract import Contract, load_contract
from harness.errors import HarnessError
from harness.reporting.compliance import build_compliance
from harness.reporting.health import Targets, build_health
from harness.reporting.history import History, RunRecord, changes
from harness.reporting.html import render_html
from harness.reporting.markdown import render_summary
from harness.results import CheckResult, read_results, write_atomically

STEP_SUMMARY = "GITHUB_STEP_SUMMARY"
TREND_RUNS = 30


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportSet:
    integration: str
    health: Mapping[str, Any]
    compliance: Mapping[str, Any]
    summary: str
    html: str
    folder: Path


def contract_for(
    results: Iterable[CheckResult], environment: str, *, root: Path | None = None
) -> Contract | None:
    """The contract the checks came from (their ids start with its file), if it still loads."""
    for result in results:
        path = (root or Path.cwd()) / result.id.split("::", 1)[0]
        if path.is_file():
            try:
                return load_contract(path, environment=environment)
            except HarnessError:
                return None
    return None


def write_reports(
    report_dir: Path,
    integration: str,
    run: Mapping[str, Any],
    results: list[CheckResult],
    *,
    contract: Contract | None,
    history: History | None,
    record: bool = True,
) -> ReportSet:
    """Render and write every report of ``integration``; append the run to ``history``."""
    health = build_health(integration, run, results, Targets.of(contract))
    compliance = build_compliance(integration, run, results, contract)
    past: list[RunRecord] = []
    if history is not None:
        if record:
            run = {
                **run,
                "run_id": history.record(
                    integration,
                    run,
                    results,
                    status=health["status"],
                    metrics=health["metrics"],
                    contract_version=contract.info.version if contract else None,
                ),
            }
            health = {**health, "run": run}
            compliance = {**compliance, "run": run}
        past = history.runs(integration, TREND_RUNS)
    delta = changes(past).to_json()
    health = {**health, "changes": delta}
    trend = [record_.to_json() for record_ in past] or [
        {"success_rate": health["metrics"]["success_rate"], "p95_ms": health["metrics"]["p95_ms"]}
    ]
    folder = report_dir / integration
    summary = render_summary(health, compliance, delta)
    html = render_html(health, compliance, delta, trend)
    write_atomically(folder / "health.json", _json(health))
    write_atomically(folder / "compliance.json", _json(compliance))
    write_atomically(folder / "summary.md", summary)
    write_atomically(folder / "report.html", html)
    return ReportSet(
        integration=integration,
        health=health,
        compliance=compliance,
        summary=summary,
        html=html,
        folder=folder,
    )


def write_run_summary(report_dir: Path, written: Iterable[ReportSet]) -> Path:
    """``<report_dir>/summary.md``: every integration of the run, worst status first."""
    order = {"unavailable": 0, "unhealthy": 1, "degraded": 2, "healthy": 3}
    ranked = sorted(written, key=lambda r: (order.get(r.health["status"], 4), r.integration))
    lines = [
        "# harness run",
        "",
        "| integration | status | rule | compliance |",
        "|---|---|---|---:|",
    ]
    lines += [
        f"| {r.integration} | {r.health['status']} | {r.health['rule']} "
        f"| {r.compliance['score'] if r.compliance['score'] is not None else '—'} % |"
        for r in ranked
    ]
    text = "\n".join(lines) + "\n\n" + "\n".join(report.summary for report in ranked)
    path = report_dir / "summary.md"
    write_atomically(path, text)
    return path


def append_step_summary(texts: Iterable[str]) -> None:
    """Add the summaries to ``$GITHUB_STEP_SUMMARY`` when the CI provides one."""
    target = os.environ.get(STEP_SUMMARY)
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as stream:
        for text in texts:
            stream.write(text + "\n")


def rerender(report_dir: Path, history: History | None) -> list[ReportSet]:
    """Re-render every ``<report_dir>/<id>/results.json`` (the history is read, not appended)."""
    written = []
    for path in sorted(report_dir.glob("*/results.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        results = read_results(path)
        run = document.get("run", {})
        contract = contract_for(results, str(run.get("environment", "local")))
        written.append(
            write_reports(
                report_dir,
                document["integration"],
                run,
                results,
                contract=contract,
                history=history,
                record=False,
            )
        )
    return written


def _json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str) + "\n"
