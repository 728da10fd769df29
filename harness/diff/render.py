"""Render a DiffReport as text (terminal), Markdown (a PR comment) or JSON."""

from __future__ import annotations

import json

from harness.diff.change import Change, DiffReport, Severity, where

FORMATS = ("text", "markdown", "json")


def render(report: DiffReport, form: str) -> str:
    if form == "json":
        return render_json(report)
    if form == "markdown":
        return render_markdown(report)
    return render_text(report)


def _summary(report: DiffReport) -> str:
    return (
        f"{report.count(Severity.BREAKING)} breaking, {report.count(Severity.NEEDS_REVIEW)} "
        f"needs review, {report.count(Severity.NON_BREAKING)} non-breaking"
    )


def _where(change: Change) -> str:
    return f"{where(change.old) or '-'} → {where(change.new) or '-'}"


def render_text(report: DiffReport) -> str:
    lines = [f"harness diff {report.old} → {report.new}: {_summary(report)}"]
    for change in report.sorted():
        lines.append(
            f"{change.severity.upper():<13} {change.section}/{change.kind}: {change.subject}: "
            f"{change.message}"
        )
        lines.append(f"    at {_where(change)}")
        lines.append(f"    migrate: {change.migration}")
    if not report.changes:
        lines.append("no changes")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport) -> str:
    lines = [f"### harness diff `{report.old}` → `{report.new}`", "", f"**{_summary(report)}**", ""]
    if not report.changes:
        return "\n".join([*lines, "No changes."])
    lines += [
        "| class | section | change | subject | where (old → new) | migration |",
        "|---|---|---|---|---|---|",
    ]
    icons = {Severity.BREAKING: "🔴", Severity.NEEDS_REVIEW: "🟡", Severity.NON_BREAKING: "🟢"}
    for change in report.sorted():
        row = (
            f"{icons[change.severity]} {change.severity}",
            change.section,
            f"`{change.kind}`: {change.message}",
            f"`{change.subject}`",
            _where(change),
            change.migration,
        )
        lines.append("| " + " | ".join(_cell(part) for part in row) + " |")
    return "\n".join(lines)


def render_json(report: DiffReport) -> str:
    data = {
        "old": report.old,
        "new": report.new,
        "summary": {str(s): report.count(s) for s in Severity},
        "changes": [change.to_json() for change in report.sorted()],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
