"""The ``performance`` section of health.json and the HTML report: measured vs declared.

The ``performance`` family's checks keep what the load probe measured, the declared targets
and the load they were measured at in ``data["performance"]`` (every check of the family
holds the same probe). This module turns them into one section: a row per judged figure with
its verdict, the load, and where the latency came from (measured live, or recorded in the
cassette when replayed). No probe in the run: no section (``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from harness.results import CheckResult

FAMILY = "performance"
DATA_KEY = "performance"
FIGURES = ("avg_ms", "p95_ms", "p99_ms", "throughput_rps", "error_rate")


def performance_section(results: Iterable[CheckResult]) -> dict[str, Any] | None:
    """health.json's ``performance``: the probe's figures against the declared ones."""
    checks = [r for r in results if r.family == FAMILY and isinstance(r.data.get(DATA_KEY), dict)]
    if not checks:
        return None
    probe: Mapping[str, Any] = checks[0].data[DATA_KEY]
    measured, declared = probe.get("measured", {}), probe.get("declared", {})
    verdicts = {r.name: r for r in checks}
    rows = [
        {
            "metric": name,
            "declared": declared.get(name),
            "measured": measured.get(name),
            "outcome": str(verdicts[name].outcome) if name in verdicts else None,
            "inconclusive": verdicts[name].inconclusive if name in verdicts else None,
        }
        for name in FIGURES
        if name in verdicts
    ]
    return {
        "rows": rows,
        "measured": dict(measured),
        "load": dict(probe.get("load", {})),
        "latency_source": measured.get("latency_source"),
    }


def performance_html(section: Mapping[str, Any] | None) -> str:
    """The HTML table of ``performance_section`` ("" when the run had no probe)."""
    if not section:
        return ""
    load = section.get("load", {})
    measured = section.get("measured", {})
    rows = [
        [row["metric"], _figure(row["declared"]), _figure(row["measured"]), _verdict(row)]
        for row in section["rows"]
    ]
    caption = (
        f"{measured.get('requests')} requests at {load.get('rate_rps')} rps from "
        f"{measured.get('clients')} client(s); latency {section.get('latency_source')}; "
        f"p50 {_figure(measured.get('p50_ms'))} ms"
    )
    capped = "".join(
        f'<p class="warn">capped: {escape(str(c))}</p>' for c in load.get("capped", [])
    )
    return (
        '<section id="performance"><h2>Performance under load: declared vs measured</h2>'
        f"<p>{escape(caption)}</p>{capped}"
        + _table(["metric", "declared", "measured", "verdict"], rows)
        + "</section>"
    )


def _verdict(row: Mapping[str, Any]) -> str:
    return "inconclusive" if row.get("inconclusive") else str(row.get("outcome") or "—")


def _figure(value: Any) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
