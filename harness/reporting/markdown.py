"""``summary.md``: health, compliance and changes in a few tables (fits a CI job summary)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATUS_ICONS = {"healthy": "🟢", "degraded": "🟡", "unhealthy": "🔴", "unavailable": "⚫"}
OUTCOME_ICONS = {"passed": "✅", "failed": "❌", "error": "💥", "skipped": "⏭️", "warning": "⚠️"}


def number(value: Any, suffix: str = "", *, percent: bool = False) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{float(value) * 100:.1f} %"
    return f"{float(value):g}{suffix}"


def render_summary(
    health: Mapping[str, Any], compliance: Mapping[str, Any], changes: Mapping[str, Any]
) -> str:
    metrics = health["metrics"]
    status = health["status"]
    run = health["run"]
    lines = [
        f"## {STATUS_ICONS.get(status, '')} {health['integration']}: {status}",
        "",
        f"*{health['rule']}* — env `{run.get('environment')}`, mode `{run.get('mode')}`, "
        f"seed `{run.get('seed')}`, started {run.get('started')}",
        "",
        "| requests | success rate | error rate | avg | p50 | p95 | p99 | rate-limit headroom "
        "| auth | compliance |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        f"| {metrics['requests']} | {number(metrics['success_rate'], percent=True)} "
        f"| {number(metrics['error_rate'], percent=True)} | {number(metrics['avg_ms'], ' ms')} "
        f"| {number(metrics['p50_ms'], ' ms')} | {number(metrics['p95_ms'], ' ms')} "
        f"| {number(metrics['p99_ms'], ' ms')} "
        f"| {number(metrics['ratelimit_headroom'], percent=True)} | {health['auth']} "
        f"| {number(compliance['score'], ' %')} ({compliance['passed']}/{compliance['total']}) |",
        "",
    ]
    lines += _latency(health) + _families(health) + _client(health) + _inconclusive(health)
    lines += _failing(compliance) + _changes(changes)
    lines += [f"> ⚠️ {warning}" for warning in health["warnings"]]
    return "\n".join(lines).rstrip() + "\n"


def _latency(health: Mapping[str, Any]) -> list[str]:
    rows = [row for row in health["latency"] if row["declared"] is not None]
    if not rows:
        return []
    lines = ["| latency | declared | measured | |", "|---|---:|---:|---|"]
    for row in rows:
        mark = {True: "✅", False: "❌ drift", None: "—"}[row["met"]]
        lines.append(
            f"| {row['metric'].removesuffix('_ms')} | {number(row['declared'], ' ms')} "
            f"| {number(row['measured'], ' ms')} | {mark} |"
        )
    return [*lines, ""]


def _families(health: Mapping[str, Any]) -> list[str]:
    lines = [
        "| family | ✅ passed | ❌ failed | 💥 error | ⏭️ skipped |",
        "|---|---:|---:|---:|---:|",
    ]
    for family, counts in health["families"].items():
        lines.append(
            f"| {family} | {counts['passed']} | {counts['failed']} | {counts['error']} "
            f"| {counts['skipped']} |"
        )
    return [*lines, ""]


def _client(health: Mapping[str, Any]) -> list[str]:
    """Checks of harness's own client: apart, they say nothing about the integration."""
    checks = (health.get("harness_client") or {}).get("checks") or []
    if not checks:
        return []
    lines = ["**Harness client** (checks of harness's own client, not of the integration)", ""]
    lines += [
        f"- {OUTCOME_ICONS.get(item['outcome'], '')} `{item['check'].split('::', 1)[-1]}`: "
        f"{item['message']}"
        for item in checks
    ]
    return [*lines, ""]


def _inconclusive(health: Mapping[str, Any]) -> list[str]:
    items = health.get("inconclusive") or []
    if not items:
        return []
    lines = [
        f"<details><summary>Inconclusive: {len(items)} check(s) had nothing to judge "
        "(skipped, not passed)</summary>",
        "",
    ]
    lines += [
        f"- `{item['check'].split('::', 1)[-1]}`: {item['reason'].removeprefix('inconclusive: ')}"
        for item in items
    ]
    return [*lines, "", "</details>", ""]


def _failing(compliance: Mapping[str, Any]) -> list[str]:
    shown = ("failed", "error", "warning")
    bad = [item for item in compliance["requirements"] if item["status"] in shown]
    if not bad:
        return []
    lines = ["**Compliance findings**", ""]
    for item in bad:
        fix = f" — *fix:* {item['remediation']}" if item["remediation"] else ""
        where = item["evidence"]["contract_line"] or ""
        lines.append(
            f"- {OUTCOME_ICONS[item['status']]} `{item['id']}` ({where}): {item['summary']}{fix}"
        )
    return [*lines, ""]


def _changes(changes: Mapping[str, Any]) -> list[str]:
    if not changes.get("previous_run"):
        return ["*First recorded run: no changes to compare.*", ""]
    lines = [f"**Since run {changes['previous_run']}**", ""]
    for key, label in (("newly_failing", "newly failing"), ("fixed", "fixed"), ("flaky", "flaky")):
        items = changes.get(key) or []
        shown = ", ".join(f"`{item.split('::', 1)[-1]}`" for item in items) or "none"
        lines.append(f"- {label}: {shown}")
    return [*lines, ""]
