"""Drift: what changed in a target's behaviour between recorded runs (read-only history).

Reads ``reports/history.sqlite`` (the tables ``runs`` and ``outcomes`` that
``harness.reporting.history`` writes) without writing to it, and compares the runs since a
date or a run id with the run before them: newly failing, fixed, flaky, latency and
error-rate trend, contract (API) version changes.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from harness.errors import UsageError

_BAD = ("failed", "error")
_TRENDS = ("p95_ms", "avg_ms", "error_rate", "success_rate")


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    run_id: str
    started: str
    version: str
    outcomes: Mapping[str, str]
    metrics: Mapping[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Drift:
    """One integration's drift over ``runs`` (the first is the baseline)."""

    integration: str
    runs: tuple[Run, ...]
    newly_failing: tuple[str, ...]
    fixed: tuple[str, ...]
    flaky: tuple[str, ...]
    trends: Mapping[str, tuple[Any, Any]]
    versions: tuple[str, ...]
    new_undeclared_errors: tuple[str, ...] = ()  # error answers no declared code matches


def read_drift(history: Path, since: str) -> list[Drift]:
    """Drift of every integration in ``history`` since ``since`` (ISO date or a run id)."""
    if not history.is_file():
        raise UsageError(f"{history}: no run history; run 'harness check' first")
    try:
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True, timeout=5) as db:
            names = [row[0] for row in db.execute("SELECT DISTINCT integration FROM runs")]
            found = [_drift(name, _runs(db, name), since) for name in sorted(names)]
    except sqlite3.Error as exc:
        raise UsageError(f"{history}: not a readable run history ({exc})") from None
    return [drift for drift in found if drift is not None]


def _runs(db: sqlite3.Connection, integration: str) -> list[Run]:
    rows = db.execute(
        "SELECT id, run_id, started, contract_version, metrics FROM runs WHERE integration = ?"
        " ORDER BY id",
        (integration,),
    ).fetchall()
    runs = []
    for key, run_id, started, version, metrics in rows:
        outcomes = dict(db.execute("SELECT check_id, outcome FROM outcomes WHERE run = ?", (key,)))
        try:
            parsed = json.loads(metrics or "{}")
        except ValueError:
            parsed = {}
        runs.append(
            Run(
                run_id=str(run_id),
                started=str(started),
                version=str(version or ""),
                outcomes=outcomes,
                metrics=parsed if isinstance(parsed, dict) else {},
            )
        )
    return runs


def _window(runs: list[Run], since: str) -> list[Run]:
    """The run before ``since`` (the baseline) and every run from it on."""
    by_id = [index for index, run in enumerate(runs) if run.run_id == since]
    start = (
        by_id[0]
        if by_id
        else next((index for index, run in enumerate(runs) if run.started >= since), len(runs))
    )
    return runs[max(start - 1, 0) :] if start < len(runs) else []


def _drift(integration: str, runs: list[Run], since: str) -> Drift | None:
    window = _window(runs, since)
    if not window:
        return None
    first, last = window[0], window[-1]
    newly = sorted(
        c for c, o in last.outcomes.items() if o in _BAD and first.outcomes.get(c) == "passed"
    )
    fixed = sorted(
        c for c, o in last.outcomes.items() if o == "passed" and first.outcomes.get(c) in _BAD
    )
    flaky = sorted(check for check in last.outcomes if _flips(window, check) >= 2)
    trends = {
        name: (first.metrics.get(name), last.metrics.get(name))
        for name in _TRENDS
        if name in first.metrics or name in last.metrics
    }
    versions = tuple(dict.fromkeys(run.version for run in window if run.version))
    before = set(first.metrics.get("undeclared_errors") or ())
    undeclared = sorted(set(last.metrics.get("undeclared_errors") or ()) - before)
    return Drift(
        new_undeclared_errors=tuple(undeclared),
        integration=integration,
        runs=tuple(window),
        newly_failing=tuple(newly),
        fixed=tuple(fixed),
        flaky=tuple(flaky),
        trends=trends,
        versions=versions,
    )


def _flips(runs: list[Run], check: str) -> int:
    seen = [run.outcomes[check] in _BAD for run in runs if check in run.outcomes]
    return sum(1 for before, after in itertools.pairwise(seen) if before != after)


def render_drift_markdown(drifts: list[Drift], since: str) -> str:
    lines = [f"# Drift since {since}", ""]
    if not drifts:
        return "\n".join([*lines, f"No runs recorded since {since}."])
    for drift in drifts:
        first, last = drift.runs[0], drift.runs[-1]
        lines += [
            f"## {drift.integration}",
            "",
            f"{len(drift.runs) - 1} run(s) after the baseline {first.run_id} "
            f"({first.started}); latest {last.run_id} ({last.started}).",
            "",
        ]
        for title, checks in (
            ("Newly failing", drift.newly_failing),
            ("Fixed", drift.fixed),
            ("Flaky (flipped twice or more)", drift.flaky),
            ("New undeclared error answers", drift.new_undeclared_errors),
        ):
            lines.append(f"### {title}")
            lines += [f"- `{check}`" for check in checks] or ["- none"]
            lines.append("")
        lines += ["### Trends", "| metric | baseline | latest |", "|---|---|---|"]
        lines += [
            f"| {name} | {_shown(a)} | {_shown(b)} |" for name, (a, b) in drift.trends.items()
        ]
        changed = " → ".join(drift.versions) if len(drift.versions) > 1 else "unchanged"
        lines += ["", f"### Contract / API version\n- {changed}", ""]
    return "\n".join(lines)


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)


def render_drift_html(drifts: list[Drift], since: str) -> str:
    """The same drift as a self-contained page (no script, no external asset)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Drift since {escape(since)}</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem}"
        ".bad{color:#b00}.good{color:#070}</style></head><body>",
        f"<h1>Drift since {escape(since)}</h1>",
    ]
    if not drifts:
        parts.append(f"<p>No runs recorded since {escape(since)}.</p>")
    for drift in drifts:
        first, last = drift.runs[0], drift.runs[-1]
        parts += [
            f"<h2>{escape(drift.integration)}</h2>",
            f"<p>{len(drift.runs) - 1} run(s) after the baseline {escape(first.run_id)} "
            f"({escape(first.started)}); latest {escape(last.run_id)} "
            f"({escape(last.started)}).</p>",
        ]
        for title, checks, css in (
            ("Newly failing", drift.newly_failing, "bad"),
            ("Fixed", drift.fixed, "good"),
            ("Flaky (flipped twice or more)", drift.flaky, "bad"),
            ("New undeclared error answers", drift.new_undeclared_errors, "bad"),
        ):
            items = "".join(f"<li class='{css}'><code>{escape(c)}</code></li>" for c in checks)
            parts.append(f"<h3>{title}</h3><ul>{items or '<li>none</li>'}</ul>")
        rows = "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(_shown(a))}</td><td>{escape(_shown(b))}</td></tr>"
            for name, (a, b) in drift.trends.items()
        )
        parts.append(
            "<h3>Trends</h3><table><tr><th>metric</th><th>baseline</th><th>latest</th></tr>"
            f"{rows}</table>"
        )
        changed = " → ".join(drift.versions) if len(drift.versions) > 1 else "unchanged"
        parts.append(f"<h3>Contract / API version</h3><p>{escape(changed)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
