"""``report.html``: one self-contained page (inline CSS and SVG, no script, no external asset)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from harness.reporting.markdown import OUTCOME_ICONS, number
from harness.reporting.performance import performance_html

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#1d2433;
padding:0 1rem}
h1{margin:0 0 .25rem}.rule{color:#555;margin:0 0 1rem}
.tiles{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.tile{border:1px solid #d7dce5;border-radius:8px;padding:.6rem .9rem;min-width:8rem}
.tile b{display:block;font-size:1.4rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{border-bottom:1px solid #e3e7ee;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right}.status{padding:.1rem .5rem;border-radius:4px;color:#fff}
.healthy{background:#1a7f37}.degraded{background:#b08800}.unhealthy{background:#cf222e}
.unavailable{background:#57606a}.failed{color:#cf222e}.error{color:#8250df}
.warning{color:#9a6700}
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;border-radius:6px}
pre{white-space:pre-wrap;font-size:12px;margin:0}
"""
WIDTH, HEIGHT, PAD = 640, 200, 36


def trend_svg(points: Sequence[Mapping[str, Any]]) -> str:
    """Success rate (0-100 %, left axis) and p95 latency (ms, right axis) per past run."""
    rates = [p.get("success_rate") for p in points]
    p95s = [p.get("p95_ms") for p in points]
    top = max([float(v) for v in p95s if v is not None] or [1.0]) * 1.1 or 1.0
    count = max(len(points), 1)

    def x(index: int) -> float:
        return PAD if count == 1 else PAD + index * (WIDTH - 2 * PAD) / (count - 1)

    def line(values: list[Any], scale: float, css: str, label: str) -> str:
        coords = [
            (x(i), HEIGHT - PAD - float(v) / scale * (HEIGHT - 2 * PAD))
            for i, v in enumerate(values)
            if v is not None
        ]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
        dots = "".join(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{css}"/>' for px, py in coords
        )
        return (
            f'<polyline fill="none" stroke="{css}" stroke-width="2" points="{path}">'
            f"<title>{label}</title></polyline>{dots}"
        )

    ticks = "".join(
        f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" font-size="10" text-anchor="middle">{i + 1}</text>'
        for i in range(len(points))
    )
    return (
        f'<svg id="trend" role="img" aria-labelledby="trend-title" xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        '<title id="trend-title">Success rate and p95 latency over past runs</title>'
        f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}"'
        ' fill="#f6f8fa" stroke="#d7dce5"/>'
        f'<text x="4" y="{PAD - 8}" font-size="11" fill="#1a7f37">success 100 %</text>'
        f'<text x="{WIDTH - 4}" y="{PAD - 8}" font-size="11" fill="#0969da" text-anchor="end">'
        f"p95 {top:.0f} ms</text>"
        + line(rates, 1.0, "#1a7f37", "success rate")
        + line(p95s, top, "#0969da", "p95 latency (ms)")
        + ticks
        + "</svg>"
    )


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(value: Any, css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return f"<td{attr}>{escape(str(value))}</td>"


def render_html(
    health: Mapping[str, Any],
    compliance: Mapping[str, Any],
    changes: Mapping[str, Any],
    trend: Sequence[Mapping[str, Any]],
) -> str:
    parts = [
        _summary_html(health, compliance),
        f'<section id="trend-chart"><h2>Trend ({len(trend)} runs)</h2>{trend_svg(trend)}</section>',
        _health_tables(health),
        performance_html(health.get("performance")),
        _client_html(health),
        _inconclusive_html(health),
        _changes_html(changes),
        _compliance_html(compliance),
    ]
    title = f"harness report: {health['integration']}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def _summary_html(health: Mapping[str, Any], compliance: Mapping[str, Any]) -> str:
    metrics, status, run = health["metrics"], health["status"], health["run"]
    tiles = [
        ("status", status),
        ("success rate", number(metrics["success_rate"], percent=True)),
        ("error rate", number(metrics["error_rate"], percent=True)),
        ("p95", number(metrics["p95_ms"], " ms")),
        ("requests", str(metrics["requests"])),
        ("lowest rate-limit headroom", number(metrics["ratelimit_headroom"], percent=True)),
        ("auth", health["auth"]),
        ("compliance", number(compliance["score"], " %")),
    ]
    where = ", ".join(f"{key} {run.get(key)}" for key in ("environment", "mode", "seed", "started"))
    return "".join(
        [
            f'<section id="summary"><h1>{escape(health["integration"])} '
            f'<span class="status {escape(status)}">{escape(status)}</span></h1>',
            f'<p class="rule">Decided by: {escape(health["rule"])}. {escape(where)}.</p>',
            '<div class="tiles">'
            + "".join(f'<div class="tile">{escape(k)}<b>{escape(v)}</b></div>' for k, v in tiles)
            + "</div>",
            *[f'<p class="warn">{escape(w)}</p>' for w in health["warnings"]],
            "</section>",
        ]
    )


def _health_tables(health: Mapping[str, Any]) -> str:
    met = {True: "yes", False: "no (drift)", None: "—"}
    latency = [
        [_td(r["metric"]), _td(number(r["declared"], " ms"), "n"),
         _td(number(r["measured"], " ms"), "n"), _td(met[r["met"]])]
        for r in health["latency"]
    ]  # fmt: skip
    kinds = ("passed", "failed", "error", "skipped")
    families = [[_td(f), *[_td(c[k], "n") for k in kinds]] for f, c in health["families"].items()]
    return (
        "<h2>Latency: declared vs measured</h2>"
        + _table(["metric", "declared", "measured", "met"], latency)
        + "<h2>Checks per family</h2>"
        + _table(["family", *kinds], families)
    )


def _client_html(health: Mapping[str, Any]) -> str:
    """Checks of harness's own client, apart from the integration's verdicts."""
    checks = (health.get("harness_client") or {}).get("checks") or []
    if not checks:
        return ""
    rows = [
        [_td(item["check"]), _td(item["outcome"], item["outcome"]), _td(item["message"])]
        for item in checks
    ]
    return (
        '<section id="harness-client"><h2>Harness client</h2><p>Checks of harness\'s own '
        "client (token reuse, single flight, retry policy): they do not judge the integration "
        "and do not count toward its health.</p>"
        + _table(["check", "outcome", "message"], rows)
        + "</section>"
    )


def _inconclusive_html(health: Mapping[str, Any]) -> str:
    items = health.get("inconclusive") or []
    if not items:
        return ""
    rows = [[_td(item["check"]), _td(item["reason"])] for item in items]
    return (
        f'<section id="inconclusive"><h2>Inconclusive ({len(items)})</h2><p>Skipped, not '
        "passed: these checks had nothing to judge.</p>"
        + _table(["check", "what was observed"], rows)
        + "</section>"
    )


def _compliance_html(compliance: Mapping[str, Any]) -> str:
    rows = [
        [
            _td(item["id"]),
            _td(f"{OUTCOME_ICONS[item['status']]} {item['status']}", item["status"]),
            f"<td><pre>{escape(item['message'])}</pre>"
            f"<small>{escape(item['evidence']['contract_line'] or '')}</small></td>",
            _td(item["remediation"] or ""),
        ]
        for item in compliance["requirements"]
    ]
    return f"<h2>Compliance ({compliance['passed']}/{compliance['total']})</h2>" + _table(
        ["requirement", "status", "evidence", "remediation"], rows
    )


def _changes_html(changes: Mapping[str, Any]) -> str:
    if not changes.get("previous_run"):
        return "<h2>Since the last run</h2><p>First recorded run: nothing to compare.</p>"
    rows = []
    for key, label in (("newly_failing", "newly failing"), ("fixed", "fixed"), ("flaky", "flaky")):
        items = changes.get(key) or []
        rows.append([_td(label), _td(", ".join(items) or "none")])
    return f'<h2 id="changes">Since run {escape(str(changes["previous_run"]))}</h2>' + _table(
        ["change", "checks"], rows
    )
