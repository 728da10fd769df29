"""The living Integration Guide: the contract rendered in the template's section order, with
the measured figures of the last run beside the declared ones and a drift flag where they differ.

The guide is built as blocks (heading, paragraph, list, table) rendered to Markdown and HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from harness.contract import Contract
from harness.reporting.guide_blocks import (
    DRIFT,
    Block,
    Measured,
    bullets,
    drift,
    h2,
    h3,
    para,
    table,
)
from harness.reporting.guide_verified import verified_performance, verified_testing, workflows

# The ## sections of /work/shared/seed/integration-guide-template.md, in its order.
TEMPLATE_SECTIONS = (
    "Document Information",
    "Overview",
    "Architecture",
    "Prerequisites",
    "Configuration",
    "Setup Instructions",
    "Authentication",
    "API Reference",
    "Data Mapping",
    "Integration Workflows",
    "Error Handling",
    "Webhooks",
    "Testing",
    "Monitoring",
    "Performance",
    "Troubleshooting",
    "Maintenance",
    "Security",
    "Costs",
    "Migration Guide",
    "Compliance",
    "Related Documentation",
    "Appendix",
    "Changelog",
    "Support and Feedback",
)
Section = Callable[[Contract, "Measured | None"], list[Block]]


def _document(contract: Contract, measured: Measured | None) -> list[Block]:
    info = contract.info
    rows: list[list[Any]] = [
        ["Integration", f"{info.name} ({info.id})"],
        ["Version", info.version],
        ["Status", str(info.status)],
        ["Owner", info.owner],
        ["Last updated", info.updated],
    ]
    return [table(["field", "value"], rows)]


def _overview(contract: Contract, measured: Measured | None) -> list[Block]:
    info = contract.info
    blocks = [para(info.purpose or "—"), para("Type: " + ", ".join(map(str, contract.type)))]
    if info.business_value:
        blocks.append(para(f"Business value: {info.business_value}"))
    return blocks + ([bullets(info.capabilities)] if info.capabilities else [])


def _architecture(contract: Contract, measured: Measured | None) -> list[Block]:
    pattern = contract.pattern
    if pattern is None:
        return []
    blocks = [para(f"Pattern: {pattern.style}, {pattern.direction}, {pattern.frequency}")]
    return blocks + ([bullets(pattern.data_flow)] if pattern.data_flow else [])


def _configuration(contract: Contract, measured: Measured | None) -> list[Block]:
    rows = [
        [
            o.name,
            o.env,
            o.type,
            "yes" if o.required else "no",
            "(secret)" if o.secret else o.default,
        ]
        for o in contract.config
    ]
    return [table(["name", "env", "type", "required", "default"], rows)] if rows else []


def _setup(contract: Contract, measured: Measured | None) -> list[Block]:
    return [
        para(
            f"Run `harness check {contract.directory}` to verify a setup against the local "
            "sandbox, then add `--env sandbox`."
        )
    ]


def _authentication(contract: Contract, measured: Measured | None) -> list[Block]:
    auth = contract.auth
    if auth is None:
        return []
    rows = [[str(auth.type), auth.token_url, " ".join(auth.scopes)]]
    return [table(["method", "token URL", "scopes"], rows)]


def _api(contract: Contract, measured: Measured | None) -> list[Block]:
    if contract.document is None:
        return []
    rows = [[op.operation_id, op.label] for op in contract.document.operations.values()]
    return [table(["operation", "request"], rows)]


def _mapping(contract: Contract, measured: Measured | None) -> list[Block]:
    rows = [[m.name, m.ours, m.theirs, len(m.fields)] for m in contract.mappings.values()]
    return [table(["entity", "ours", "theirs", "fields"], rows)] if rows else []


def _webhooks(contract: Contract, measured: Measured | None) -> list[Block]:
    hooks = contract.webhooks
    if hooks is None:
        return []
    scheme = hooks.signature.scheme if hooks.signature else "none"
    return [para(f"Signature scheme: {scheme}"), bullets(sorted(hooks.events))]


def _troubleshooting(contract: Contract, measured: Measured | None) -> list[Block]:
    if contract.support is None or not contract.support.troubleshooting:
        return []
    entries = contract.support.troubleshooting
    return [bullets([f"{t.problem}: {'; '.join(t.resolution)}" for t in entries])]


def _maintenance(contract: Contract, measured: Measured | None) -> list[Block]:
    rows = [[t.task, t.every, t.last_done, t.owner] for t in contract.maintenance]
    return [table(["task", "every", "last done", "owner"], rows)] if rows else []


def _security(contract: Contract, measured: Measured | None) -> list[Block]:
    sec = contract.security
    if sec is None:
        return []
    pii = ", ".join(sec.pii) or "none"
    return [bullets([f"PII: {pii}", f"Retention: {sec.retention_days} days", *sec.considerations])]


def _compliance(contract: Contract, measured: Measured | None) -> list[Block]:
    sec = contract.security
    return [bullets([*sec.compliance, *sec.certifications])] if sec is not None else []


def _costs(contract: Contract, measured: Measured | None) -> list[Block]:
    return [para(contract.costs.pricing_model or "—")] if contract.costs is not None else []


def _migration(contract: Contract, measured: Measured | None) -> list[Block]:
    migration = contract.migration
    return [bullets(migration.steps)] if migration is not None and migration.steps else []


def _related(contract: Contract, measured: Measured | None) -> list[Block]:
    links = contract.info.links
    return [bullets([f"{key}: {value}" for key, value in links.items()])] if links else []


def _changelog(contract: Contract, measured: Measured | None) -> list[Block]:
    rows = [[c.version, c.date, "; ".join(c.changes)] for c in contract.changelog]
    return [table(["version", "date", "changes"], rows)] if rows else []


def _support(contract: Contract, measured: Measured | None) -> list[Block]:
    support = contract.support
    if support is None:
        return []
    return [bullets([text for text in (support.external, support.internal) if text])]


def _prerequisites(contract: Contract, measured: Measured | None) -> list[Block]:
    prerequisites = contract.info.prerequisites
    return [bullets(prerequisites)] if prerequisites else []


def _errors(contract: Contract, measured: Measured | None) -> list[Block]:
    passed = {r.name for r in measured.results if r.outcome == "passed"} if measured else set()
    rows = []
    for error in contract.errors:
        seen = any(error.code in name for name in passed) if measured else None
        rows.append(
            [
                error.code,
                error.status,
                error.description,
                error.resolution,
                "—" if seen is None else ("yes" if seen else "not observed"),
            ]
        )
    covered = sum(1 for row in rows if row[-1] == "yes")
    blocks = [table(["code", "status", "meaning", "resolution", "verified in last run"], rows)]
    if measured is not None and rows:
        blocks.append(para(f"Error-code coverage of the last run: {covered}/{len(rows)}."))
    return blocks


def _monitoring(contract: Contract, measured: Measured | None) -> list[Block]:
    blocks = []
    if contract.health is not None:
        blocks.append(
            para(
                f"Health check: {contract.health.operation} answers "
                f"{contract.health.expect_status} within "
                f"{contract.health.max_latency_ms or '—'} ms."
            )
        )
    if measured is not None:
        health = measured.health
        blocks.append(
            para(
                f"Last run ({health['run'].get('started')}): **{health['status']}** — "
                f"{health['rule']}."
            )
        )
    return blocks


def _performance(contract: Contract, measured: Measured | None) -> list[Block]:
    perf = contract.performance
    metrics = measured.health["metrics"] if measured else {}
    rows = []
    for label, key in (("average", "avg_ms"), ("p95", "p95_ms"), ("p99", "p99_ms")):
        declared = getattr(perf, key) if perf is not None else None
        value = metrics.get(key)
        rows.append([label, declared, value, drift(declared, value)])
    blocks = [
        h3("Performance Benchmarks"),
        table(["latency (ms)", "declared", "measured (last run)", "drift"], rows),
    ]
    limits = [rl for rl in contract.rate_limits if rl.limit is not None]
    if limits:
        seen = metrics.get("ratelimit_limit")
        blocks += [
            h3("Rate Limits"),
            table(
                ["declared", "observed in headers", "drift"],
                [
                    [
                        f"{rl.limit} per {rl.window}",
                        seen,
                        "—" if seen is None else ("ok" if seen == rl.limit else DRIFT),
                    ]
                    for rl in limits
                ],
            ),
        ]
    return blocks + verified_performance(measured)


SECTIONS: dict[str, Section] = {
    "Document Information": _document,
    "Overview": _overview,
    "Architecture": _architecture,
    "Prerequisites": _prerequisites,
    "Configuration": _configuration,
    "Setup Instructions": _setup,
    "Authentication": _authentication,
    "API Reference": _api,
    "Data Mapping": _mapping,
    "Integration Workflows": workflows,
    "Testing": verified_testing,
    "Error Handling": _errors,
    "Webhooks": _webhooks,
    "Monitoring": _monitoring,
    "Performance": _performance,
    "Troubleshooting": _troubleshooting,
    "Maintenance": _maintenance,
    "Security": _security,
    "Costs": _costs,
    "Migration Guide": _migration,
    "Compliance": _compliance,
    "Related Documentation": _related,
    "Changelog": _changelog,
    "Support and Feedback": _support,
}


def guide_blocks(contract: Contract, measured: Measured | None) -> list[Block]:
    blocks = [Block("h1", (f"{contract.info.name} Integration Guide",))]
    if measured is None:
        blocks.append(para("No run recorded yet: run `harness check` to add measured figures."))
    for section in TEMPLATE_SECTIONS:
        blocks.append(h2(section))
        render = SECTIONS.get(section)
        blocks += (render(contract, measured) if render else []) or [
            para("Not declared in the contract.")
        ]
    return blocks


def render_markdown(blocks: Sequence[Block]) -> str:
    out = []
    for block in blocks:
        if block.kind in ("h1", "h2", "h3"):
            out.append("#" * int(block.kind[1]) + " " + block.items[0])
        elif block.kind == "p":
            out.append(block.items[0])
        elif block.kind == "ul":
            out.append("\n".join(f"- {item}" for item in block.items))
        else:
            headers, rows = block.items
            lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def render_guide_html(blocks: Sequence[Block]) -> str:
    out = []
    for block in blocks:
        if block.kind in ("h1", "h2", "h3"):
            out.append(f"<{block.kind}>{escape(block.items[0])}</{block.kind}>")
        elif block.kind == "p":
            out.append(f"<p>{escape(block.items[0])}</p>")
        elif block.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + "</ul>")
        else:
            headers, rows = block.items
            head = "".join(f"<th>{escape(h)}</th>" for h in headers)
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td class="{"drift" if c == DRIFT else ""}">{escape(c)}</td>' for c in row
                )
                + "</tr>"
                for row in rows
            )
            out.append(f"<table><tr>{head}</tr>{body}</table>")
    title = escape(blocks[0].items[0]) if blocks else "Integration Guide"
    style = (
        "body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}"
        ".drift{background:#fff3cd;font-weight:bold}"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>{''.join(out)}</body></html>\n"
    )
