"""The run history: one SQLite file (``reports/history.sqlite`` by default) across runs.

Each run of an integration appends a row (run id, time, contract version, environment,
mode, seed, health status, metrics) and one row per check outcome, so reports can draw
trends and say what changed since the last run: newly failing, fixed, flaky.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.results import CheckResult, Outcome

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    integration TEXT NOT NULL,
    started TEXT NOT NULL,
    contract_version TEXT,
    environment TEXT,
    mode TEXT,
    seed INTEGER,
    status TEXT,
    metrics TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    run INTEGER NOT NULL REFERENCES runs(id),
    check_id TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_integration ON runs(integration, id);
"""
_BAD = frozenset({Outcome.FAILED.value, Outcome.ERROR.value})


def undeclared_errors(results: Iterable[CheckResult]) -> list[str]:
    """The distinct error answers no declared code matched ('422 with error.code=X')."""
    found = {
        str(item.get("found"))
        for result in results
        if result.name == "observed_errors_declared"
        for item in result.data.get("observed_undeclared") or ()
        if isinstance(item, Mapping)
    }
    return sorted(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    key: int
    run_id: str
    started: str
    contract_version: str | None
    environment: str | None
    mode: str | None
    status: str | None
    metrics: Mapping[str, Any]
    outcomes: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started": self.started,
            "contract_version": self.contract_version,
            "environment": self.environment,
            "status": self.status,
            "success_rate": self.metrics.get("success_rate"),
            "p95_ms": self.metrics.get("p95_ms"),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Changes:
    """What changed between the previous run and the last one."""

    newly_failing: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()
    flaky: tuple[str, ...] = ()
    previous_run: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "previous_run": self.previous_run,
            "newly_failing": list(self.newly_failing),
            "fixed": list(self.fixed),
            "flaky": list(self.flaky),
        }


class History:
    """The history file; every method opens and closes its own connection.

    A history that cannot be read or written (corrupt, not SQLite, a folder, read-only) never
    changes a run's verdicts: the trends are left out and ``warning`` says why (printed once).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.warning: str | None = None

    def problem(self) -> str | None:
        """Why the history cannot be used, or None (a missing file is a new, empty history)."""
        if not self.path.exists():
            return None
        try:
            with self._connect() as db:
                db.execute("SELECT count(*) FROM runs JOIN outcomes ON outcomes.run = runs.id")
        except (sqlite3.Error, OSError) as exc:
            return self._describe(exc)
        return None

    def _describe(self, exc: BaseException) -> str:
        return (
            f"history {self.path} is unusable ({type(exc).__name__}: {exc}); move or delete it "
            "to start a new history"
        )

    def _unusable(self, exc: BaseException) -> None:
        if self.warning is None:
            self.warning = self._describe(exc)
            print(f"harness: warning: {self.warning}; trends are left out", file=sys.stderr)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            connection.executescript(_SCHEMA)
            with connection:
                yield connection
        finally:
            connection.close()

    def record(
        self,
        integration: str,
        run: Mapping[str, Any],
        results: Iterable[CheckResult],
        *,
        contract_version: str | None,
        status: str | None,
        metrics: Mapping[str, Any],
    ) -> str:
        """Append one run; returns its run id (not stored when the history is unusable)."""
        run_id = str(run.get("run_id") or uuid.uuid4().hex[:12])
        row = (
            run_id,
            integration,
            str(run.get("started", "")),
            contract_version,
            run.get("environment"),
            run.get("mode"),
            run.get("seed"),
            status,
            json.dumps({**metrics, "undeclared_errors": undeclared_errors(results)}, default=str),
        )
        try:
            with self._connect() as db:
                cursor = db.execute(
                    "INSERT INTO runs (run_id, integration, started, contract_version,"
                    " environment, mode, seed, status, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
                db.executemany(
                    "INSERT INTO outcomes (run, check_id, outcome) VALUES (?, ?, ?)",
                    [(cursor.lastrowid, result.id, str(result.outcome)) for result in results],
                )
        except (sqlite3.Error, OSError, OverflowError) as exc:
            self._unusable(exc)
        return run_id

    def runs(self, integration: str, limit: int = 30) -> list[RunRecord]:
        """The last ``limit`` runs of ``integration``, oldest first (none if unusable)."""
        if not self.path.exists():
            return []
        try:
            return self._select(integration, limit)
        except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
            self._unusable(exc)
            return []

    def _select(self, integration: str, limit: int) -> list[RunRecord]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, run_id, started, contract_version, environment, mode, status, metrics"
                " FROM runs WHERE integration = ? ORDER BY id DESC LIMIT ?",
                (integration, limit),
            ).fetchall()
            records = []
            for key, run_id, started, version, env, mode, status, metrics in reversed(rows):
                outcomes = dict(
                    db.execute("SELECT check_id, outcome FROM outcomes WHERE run = ?", (key,))
                )
                records.append(
                    RunRecord(
                        key=key,
                        run_id=run_id,
                        started=started,
                        contract_version=version,
                        environment=env,
                        mode=mode,
                        status=status,
                        metrics=json.loads(metrics),
                        outcomes=outcomes,
                    )
                )
        return records


def changes(runs: list[RunRecord], window: int = 5) -> Changes:
    """Newly failing and fixed since the previous run; flaky: flipped twice in ``window`` runs."""
    if not runs:
        return Changes()
    last = runs[-1].outcomes
    if len(runs) < 2:
        return Changes()
    previous = runs[-2]
    newly = sorted(c for c, o in last.items() if o in _BAD and previous.outcomes.get(c) == "passed")
    fixed = sorted(c for c, o in last.items() if o == "passed" and previous.outcomes.get(c) in _BAD)
    flaky = []
    recent = runs[-window:]
    for check in sorted(last):
        seen = [run.outcomes[check] in _BAD for run in recent if check in run.outcomes]
        flips = sum(1 for before, after in itertools.pairwise(seen) if before != after)
        if flips >= 2:
            flaky.append(check)
    return Changes(
        newly_failing=tuple(newly),
        fixed=tuple(fixed),
        flaky=tuple(flaky),
        previous_run=previous.run_id,
    )
