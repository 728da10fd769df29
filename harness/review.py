"""``harness review``: the maintenance checklist of every integration, on one page.

Per contract: overdue maintenance tasks (ISO 8601 periods from ``last_done``), credentials due
for rotation, deprecations and sunset dates reached, the last green run (from the report
folder's results.json or history.sqlite, read only) and the contract's own diff since a git
ref. Reporting never sends requests; this reads files and, for ``--since``, runs git.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contract import Contract, load_contract
from harness.contract.loader import CONTRACT_FILE
from harness.diff import DiffReport, Severity, run_diff
from harness.errors import ContractError, UsageError

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_ROTATION = ("rotate", "credential", "secret", "key")


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One line of the checklist: what, its state, where in the contract, what to do."""

    topic: str
    text: str
    due: bool
    where: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class IntegrationReview:
    integration: str
    name: str
    items: tuple[Item, ...]
    last_green: str
    diff: DiffReport | None = None
    diff_problem: str = ""  # why --since could not be diffed (e.g. the contract is newer)
    problem: str = ""

    @property
    def due(self) -> int:
        return sum(1 for item in self.items if item.due)


def add_period(start: dt.date, period: str) -> dt.date | None:
    """``start`` plus an ISO 8601 period of whole days/weeks/months/years (None if invalid)."""
    match = _PERIOD.match(period.strip())
    if match is None or not any(match.groups()):
        return None
    years, months, weeks, days = (int(group or 0) for group in match.groups())
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day) + dt.timedelta(weeks=weeks, days=days)


def maintenance_items(contract: Contract, today: dt.date) -> Iterator[Item]:
    for task in contract.maintenance:
        rotation = any(word in task.task.lower() for word in _ROTATION)
        topic = "credentials" if rotation else "maintenance"
        if task.last_done is None:
            yield Item(
                topic=topic,
                text=f"{task.task}: never done (every {task.every})",
                due=True,
                where=str(task.loc),
            )
            continue
        due = add_period(task.last_done, task.every)
        if due is None:
            yield Item(
                topic=topic,
                text=f"{task.task}: period {task.every!r} is not an ISO 8601 duration such as P3M",
                due=True,
                where=str(task.loc),
            )
            continue
        late = (today - due).days
        state = f"OVERDUE by {late} days (due {due})" if late > 0 else f"due {due}"
        owner = f", owner {task.owner}" if task.owner else ""
        yield Item(
            topic=topic,
            text=f"{task.task}: {state}; last done {task.last_done}{owner}",
            due=late > 0,
            where=str(task.loc),
        )


def deprecation_items(contract: Contract, today: dt.date) -> Iterator[Item]:
    if contract.info.status == "deprecated":
        yield Item(
            topic="deprecations",
            text="the integration itself is deprecated",
            due=True,
            where=str(contract.info.loc),
        )
    document = contract.document
    for operation in document.operations.values() if document else ():
        sunset = _date(operation.definition.get("x-sunset"))
        if operation.definition.get("deprecated") is not True and sunset is None:
            continue
        if sunset is not None and sunset <= today:
            text, due = f"{operation.operation_id}: sunset {sunset} REACHED: move off it now", True
        elif sunset is not None:
            text, due = f"{operation.operation_id}: deprecated, sunset {sunset}", False
        else:
            text, due = f"{operation.operation_id}: deprecated (no sunset date)", False
        yield Item(topic="deprecations", text=text, due=due, where=operation.label)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def last_green_run(report_dir: Path, integration: str) -> str:
    """When the integration last passed every check, as recorded (read only)."""
    from_history = _green_in_history(report_dir / "history.sqlite", integration)
    if from_history:
        return from_history
    return _green_in_results(report_dir / integration / "results.json")


def _green_in_history(path: Path, integration: str) -> str:
    if not path.is_file():
        return ""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute(
                "SELECT r.started, r.run_id FROM runs r WHERE r.integration = ? AND NOT EXISTS "
                "(SELECT 1 FROM outcomes o WHERE o.run = r.id AND o.outcome IN ('failed', 'error'))"
                " ORDER BY r.id DESC LIMIT 1",
                (integration,),
            ).fetchone()
    except sqlite3.Error:
        return ""
    return f"{row[0]} (run {row[1]}, history)" if row else ""


def _green_in_results(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    counts = data.get("counts") if isinstance(data, Mapping) else None
    run = data.get("run") if isinstance(data, Mapping) else None
    if not isinstance(counts, Mapping) or not isinstance(run, Mapping):
        return ""
    if counts.get("failed") or counts.get("error"):
        return ""
    return f"{run.get('started', '?')} (results.json)"


def review_contract(
    folder: Path, *, today: dt.date, report_dir: Path, since: str | None
) -> IntegrationReview:
    try:
        contract = load_contract(folder, environ={})
    except ContractError as exc:
        first = exc.problems[0]
        return IntegrationReview(
            integration=folder.name,
            name=folder.name,
            items=(),
            last_green="",
            problem=f"{first.location}: {first.message}",
        )
    items = (*maintenance_items(contract, today), *deprecation_items(contract, today))
    diff, diff_problem = None, ""
    if since is not None:
        try:
            diff = run_diff(f"{since}:{folder}", str(folder), today=today)
        except UsageError as exc:
            diff_problem = str(exc)
    return IntegrationReview(
        integration=contract.id,
        name=contract.info.name,
        items=items,
        last_green=last_green_run(report_dir, contract.id),
        diff=diff,
        diff_problem=diff_problem,
    )


def contract_folders(root: Path) -> list[Path]:
    """The contracts under ``root`` (``root`` itself if it is one)."""
    if (root / CONTRACT_FILE).is_file():
        return [root]
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder; give a contracts folder such as contracts/")
    found = sorted(path.parent for path in root.glob(f"*/{CONTRACT_FILE}"))
    if not found:
        raise UsageError(f"{root}: no */{CONTRACT_FILE} below it")
    return found


def review(
    root: Path,
    *,
    today: dt.date | None = None,
    report_dir: Path = Path("reports"),
    since: str | None = None,
) -> list[IntegrationReview]:
    day = today or dt.date.today()
    return [
        review_contract(folder, today=day, report_dir=report_dir, since=since)
        for folder in contract_folders(root)
    ]


_TOPICS = ("maintenance", "credentials", "deprecations")


def render_review_markdown(reviews: list[IntegrationReview], today: dt.date) -> str:
    lines = [f"# Maintenance review — {today}", ""]
    for entry in reviews:
        lines += [f"## {entry.name} (`{entry.integration}`)", ""]
        if entry.problem:
            lines += [f"- [ ] **contract does not load**: {entry.problem} (run `harness lint`)", ""]
            continue
        for topic in _TOPICS:
            chosen = [item for item in entry.items if item.topic == topic]
            lines.append(f"### {topic.capitalize()}")
            lines += [
                f"- [{' ' if item.due else 'x'}] {'**' if item.due else ''}{item.text}"
                f"{'**' if item.due else ''} — `{item.where}`"
                for item in chosen
            ]
            lines += ["- nothing recorded" if not chosen else "", ""]
        lines += ["### Last green run", f"- {entry.last_green or '**none recorded**'}", ""]
        lines += _diff_lines(entry.diff, entry.diff_problem)
    return "\n".join(
        line for index, line in enumerate(lines) if line or (index and lines[index - 1])
    )


def _diff_lines(diff: DiffReport | None, problem: str) -> list[str]:
    if problem:
        return ["### Changes since the last review", f"- [ ] could not diff: {problem}", ""]
    if diff is None:
        return ["### Changes since the last review", "- not asked (`--since REF`)", ""]
    lines = [f"### Changes since `{diff.old}`"]
    shown = [c for c in diff.sorted() if c.severity is not Severity.NON_BREAKING]
    lines += [
        f"- [ ] {c.severity}: {c.section}/{c.kind}: {c.subject}: {c.message} — {c.migration}"
        for c in shown
    ]
    if not shown:
        lines.append(f"- no breaking or needs-review changes ({len(diff.changes)} in all)")
    return [*lines, ""]


def _diff_summary(entry: IntegrationReview) -> str:
    if entry.diff_problem:
        return f"; could not diff: {entry.diff_problem}"
    if entry.diff is None:
        return ""
    return f"; {len(entry.diff.breaking)} breaking change(s) since {entry.diff.old}"


def render_review_text(reviews: list[IntegrationReview]) -> str:
    lines = []
    for entry in reviews:
        if entry.problem:
            lines.append(f"{entry.integration}: contract does not load: {entry.problem}")
            continue
        lines.append(
            f"{entry.integration}: {entry.due} item(s) due; last green run: "
            f"{entry.last_green or 'none recorded'}{_diff_summary(entry)}"
        )
        lines += [
            f"  DUE  {item.topic}: {item.text} ({item.where})" for item in entry.items if item.due
        ]
    return "\n".join(lines)
