"""Reports of a run: health, compliance, summary, HTML page, history, living guide, Allure files.

Renderers take results (and, where it helps, the contract) and write files atomically; none
imports pytest or allure.
"""

from __future__ import annotations

from harness.reporting.history import Changes, History, changes
from harness.reporting.metrics import EXCHANGES_KEY, RunMetrics, compact_exchange, compute_metrics
from harness.reporting.reports import ReportSet, append_step_summary, rerender, write_reports

__all__ = [
    "EXCHANGES_KEY",
    "Changes",
    "History",
    "ReportSet",
    "RunMetrics",
    "append_step_summary",
    "changes",
    "compact_exchange",
    "compute_metrics",
    "rerender",
    "write_reports",
]
