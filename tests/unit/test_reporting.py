"""Reports on a fixed results set: snapshots of every format, schemas, history, guide."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from harness.contract import load_contract
from harness.reporting import History, changes, compute_metrics, write_reports
from harness.reporting.guide import guide_blocks, render_guide_html, render_markdown
from harness.reporting.guide_blocks import Measured
from harness.reporting.metrics import percentile
from harness.results import CheckResult, Outcome, render_results
from harness.runner import with_family_traits

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots" / "reporting"
SCHEMAS = ROOT / "harness" / "reporting"
CONTRACT = "contracts/acme-crm/integration.yaml"
RUN = {"started": "2026-11-28T03:00:00+00:00", "environment": "local", "mode": "live",
       "seed": 7, "examples": 20, "families": []}  # fmt: skip


def _exchanges(count: int, *, status: int = 200, ms: float = 10.0, remaining: int = 50) -> list:
    return [
        {"operation": "listContacts", "method": "GET", "status": status, "error": False,
         "elapsed_ms": ms + index, "ratelimit": {"limit": 60, "remaining": remaining - index}}
        for index in range(count)
    ]  # fmt: skip


def _result(family: str, name: str, outcome: Outcome, message: str = "", **data: object):
    return with_family_traits(CheckResult(
        id=f"{CONTRACT}::{family}::{name}", integration="acme-crm", family=family, name=name,
        outcome=outcome, message=message, contract_line=f"{CONTRACT}:10:3", data=dict(data),
    ))  # fmt: skip


def fixed_results(*, failing: bool = False) -> list[CheckResult]:
    overdue = Outcome.FAILED if failing else Outcome.PASSED
    return [
        _result("health", "getHealth", Outcome.PASSED, "getHealth: 4.0 ms median",
                exchanges=_exchanges(3, ms=4.0)),
        _result("auth", "token_issued", Outcome.PASSED, exchanges=_exchanges(2)),
        _result("conformance", "listContacts", Outcome.PASSED, exchanges=_exchanges(20, ms=30)),
        _result("security", "https_in_production", Outcome.PASSED, "1 protected environment"),
        _result("security", "pii_not_exposed[contact]", Outcome.FAILED,
                "POST /contacts answered 409 with a declared PII value (ERR_002)\nFix: refer "
                "to records by id", exchanges=_exchanges(2, status=409)),
        _result("compliance", "maintenance[rotate-credentials]", overdue,
                "maintenance task rotate-credentials is overdue by 3 day(s)"),
        _result("compliance", "changelog_has_version", Outcome.PASSED, "entry for 1.2.0"),
        _result("config", "clientSecret", Outcome.SKIPPED, "not run: local"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def contract():
    return load_contract(ROOT / CONTRACT, environment="local")


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; UPDATE_SNAPSHOTS=1 if meant"


def test_every_format_matches_its_snapshot(tmp_path, contract):
    written = write_reports(tmp_path, "acme-crm", RUN, fixed_results(failing=True),
                            contract=contract, history=None)  # fmt: skip
    for name in ("health.json", "compliance.json", "summary.md", "report.html"):
        _snapshot(name, (tmp_path / "acme-crm" / name).read_text(encoding="utf-8"))
    assert written.health["status"] == "unhealthy" or written.health["status"] == "degraded"


def test_reports_follow_their_schemas(tmp_path, contract):
    write_reports(tmp_path, "acme-crm", RUN, fixed_results(), contract=contract, history=None)
    for name in ("health", "compliance"):
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        document = json.loads((tmp_path / "acme-crm" / f"{name}.json").read_text())
        jsonschema.validate(document, schema)


def test_health_names_the_rule_and_measures_latency(tmp_path, contract):
    report = write_reports(tmp_path, "acme-crm", RUN, fixed_results(), contract=contract,
                           history=None)  # fmt: skip
    health = report.health
    assert health["status"] == "degraded"
    assert health["rule"] == "1 check(s) failed or errored"
    assert health["metrics"]["requests"] == 27
    assert health["metrics"]["p95_ms"] == 48.0  # nearest rank 26 of 27
    assert health["warnings"] == []  # 27 requests >= min_samples 20
    assert [row["met"] for row in health["latency"]] == [True, True, None]


def test_compliance_gives_remediation_from_the_contract(tmp_path, contract):
    report = write_reports(tmp_path, "acme-crm", RUN, fixed_results(failing=True),
                           contract=contract, history=None)  # fmt: skip
    by_id = {item["id"]: item for item in report.compliance["requirements"]}
    task = by_id["compliance.maintenance[rotate-credentials]"]
    assert task["remediation"] == "Rotate the OAuth client secret and the webhook secret"
    pii = by_id["security.pii_not_exposed[contact]"]
    assert pii["remediation"].startswith("ERR_002: Look the contact up by email")
    assert report.compliance["score"] == 50.0  # 2 of 4 counted (skipped aside)


def test_few_samples_warn():
    results = [_result("health", "getHealth", Outcome.PASSED, exchanges=_exchanges(3))]
    metrics = compute_metrics(results)
    assert metrics.requests == 3
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.0
    assert percentile([], 0.95) is None


def test_history_shows_a_newly_failing_check_across_three_runs(tmp_path, contract):
    history = History(tmp_path / "history.sqlite")
    for index, failing in enumerate((False, False, True)):
        run = {**RUN, "started": f"2026-11-2{index}T00:00:00+00:00"}
        report = write_reports(tmp_path, "acme-crm", run, fixed_results(failing=failing),
                               contract=contract, history=history)  # fmt: skip
    newly = report.health["changes"]["newly_failing"]
    assert newly == [f"{CONTRACT}::compliance::maintenance[rotate-credentials]"]
    assert "newly failing: `compliance::maintenance[rotate-credentials]`" in report.summary
    runs = history.runs("acme-crm")
    assert [run.started[:10] for run in runs] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert report.html.count("<circle") == 6  # 3 runs x (success rate, p95)


def test_flaky_checks_are_the_ones_that_flip(tmp_path):
    history = History(tmp_path / "h.sqlite")
    for failing in (False, True, False):
        history.record("x", RUN, fixed_results(failing=failing), contract_version="1",
                       status="healthy", metrics={})  # fmt: skip
    found = changes(history.runs("x"))
    assert found.fixed == (f"{CONTRACT}::compliance::maintenance[rotate-credentials]",)
    assert found.flaky == found.fixed


def test_guide_follows_the_template_and_flags_drift(tmp_path, contract):
    results = fixed_results()
    slow = [_result("health", "getHealth", Outcome.PASSED, exchanges=_exchanges(30, ms=900))]
    write_reports(tmp_path, "acme-crm", RUN, slow, contract=contract, history=None)
    (tmp_path / "acme-crm" / "results.json").write_text(render_results("acme-crm", RUN, results))
    blocks = guide_blocks(contract, Measured.load(tmp_path / "acme-crm"))
    markdown = render_markdown(blocks)
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["Document Information", "Overview", "Architecture"]
    assert headings[-2:] == ["Changelog", "Support and Feedback"]
    assert "| p95 | 500.0 | 928.0 | ⚠️ drift |" in markdown
    assert 'class="drift"' in render_guide_html(blocks)


# --- honest verdicts: inconclusive, harness's own client, contract hygiene --------------------


def _inconclusive(family: str, name: str, reason: str) -> CheckResult:
    return _result(family, name, Outcome.SKIPPED, f"inconclusive: {reason}", inconclusive=True)


def test_inconclusive_checks_count_neither_for_auth_nor_for_the_score(tmp_path, contract):
    results = [
        *fixed_results(),
        _inconclusive("auth", "refreshed_once_on_401", "no secured GET without parameters"),
        _inconclusive("compliance", "api_version_matches", "getHealth reports no version"),
    ]
    report = write_reports(tmp_path, "acme-crm", RUN, results, contract=contract, history=None)
    assert report.health["auth"] == "partly checked"  # not "ok": one auth claim was not judged
    assert [item["check"].rsplit("::", 1)[1] for item in report.health["inconclusive"]] == [
        "refreshed_once_on_401",
        "api_version_matches",
    ]
    assert report.compliance["score"] == 75.0  # 3 of 4 counted; the inconclusive one left out
    by_id = {item["id"]: item for item in report.compliance["requirements"]}
    assert by_id["compliance.api_version_matches"]["inconclusive"] is True
    assert "Inconclusive: 2 check(s) had nothing to judge" in report.summary
    assert "- `compliance::api_version_matches`: getHealth reports no version" in report.summary
    assert '<section id="inconclusive">' in report.html


def test_checks_of_the_harness_client_stand_apart(tmp_path, contract):
    client = _result("auth", "one_token_request_for_concurrent_callers", Outcome.FAILED,
                     "8 concurrent callers made 3 token requests", subject="client")  # fmt: skip
    results = [*fixed_results(), client]
    report = write_reports(tmp_path, "acme-crm", RUN, results, contract=contract, history=None)
    health = report.health
    assert health["auth"] == "ok"  # the vendor's token endpoint worked; our client did not
    assert health["rule"] == "1 check(s) failed or errored"  # pii only, not the client check
    assert health["families"]["auth"] == {"passed": 1, "failed": 0, "error": 0, "skipped": 0}
    assert health["harness_client"]["counts"]["failed"] == 1
    assert health["harness_client"]["checks"][0]["check"] == client.id
    assert "**Harness client**" in report.summary
    assert '<section id="harness-client">' in report.html
    document = json.loads(render_results("acme-crm", RUN, results))
    assert document["subjects"]["client"]["failed"] == 1
    assert document["subjects"]["integration"]["failed"] == 1
    assert document["counts"]["failed"] == 2
    schema = json.loads((ROOT / "harness" / "results.schema.json").read_text())
    jsonschema.validate(document, schema)


def test_contract_hygiene_is_a_compliance_warning_not_a_health_failure(tmp_path, contract):
    hygiene = _result("compliance", "changelog_has_version", Outcome.SKIPPED,
                      "contract hygiene: the changelog has no entry for version 1.2.0",
                      contract_hygiene=True)  # fmt: skip
    results = [r for r in fixed_results() if r.name != "changelog_has_version"] + [hygiene]
    results = [r for r in results if r.family != "security" or r.outcome is Outcome.PASSED]
    report = write_reports(tmp_path, "acme-crm", RUN, results, contract=contract, history=None)
    assert report.health["status"] == "healthy"
    by_id = {item["id"]: item for item in report.compliance["requirements"]}
    assert by_id["compliance.changelog_has_version"]["status"] == "warning"
    assert report.compliance["warnings"] == 1
    assert report.compliance["score"] == round(100 * 2 / 3, 1)  # the warning counts against
    assert "⚠️ `compliance.changelog_has_version`" in report.summary
    for name in ("health", "compliance"):
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
        document = json.loads((tmp_path / "acme-crm" / f"{name}.json").read_text())
        jsonschema.validate(document, schema)


def test_429s_provoked_on_purpose_do_not_degrade_health(tmp_path, contract):
    clean = [r for r in fixed_results() if r.outcome is not Outcome.FAILED]
    provoked = _result("retry", "retry_after_sent", Outcome.PASSED, "Retry-After: 1",
                       exchanges=_exchanges(1, status=429, remaining=0))  # fmt: skip
    report = write_reports(tmp_path, "acme-crm", RUN, [*clean, provoked], contract=contract,
                           history=None)  # fmt: skip
    assert report.health["metrics"]["rate_limited"] == 0
    assert report.health["status"] == "healthy", report.health["rule"]
    stray = _result("conformance", "getContact", Outcome.PASSED,
                    exchanges=_exchanges(1, status=429, remaining=0))  # fmt: skip
    report = write_reports(tmp_path, "acme-crm", RUN, [*clean, stray], contract=contract,
                           history=None)  # fmt: skip
    assert report.health["status"] == "degraded"


def test_hollow_coverage_is_loud_in_health():
    from harness.reporting.health import Targets, build_health

    refused = _result(
        "conformance", "getThing", Outcome.PASSED, "conform",
        statuses={"200": 2, "401": 18}, mode="positive",
    )  # fmt: skip
    missing = _result(
        "conformance", "getOther", Outcome.PASSED, "conform",
        statuses={"404": 20}, mode="positive",
    )  # fmt: skip
    health = build_health("acme-crm", {}, [refused, missing], Targets())
    warnings = health["coverage_warnings"]
    assert not any("answers were 401/403" in w for w in warnings)  # 18 of 40: under half
    assert any("getOther: never reached a 2xx in 20 examples (20x 404)" in w for w in warnings)
    assert any("getOther: all 20 examples were answered 404" in w for w in warnings)
    assert "coverage warning(s)" in health["rule"] or health["status"] != "healthy"
    broken = _result(
        "conformance", "getMore", Outcome.PASSED, "conform", statuses={"401": 30}, mode="positive"
    )
    health = build_health("acme-crm", {}, [refused, broken], Targets())
    assert any("48 of 50 answers were 401/403" in w for w in health["coverage_warnings"])


def test_unmeasured_latency_is_not_called_met():
    from harness.reporting.health import Targets, build_health

    passed = _result("auth", "token_issued", Outcome.PASSED, "token issued")  # no exchanges
    health = build_health("acme-crm", {}, [passed], Targets(avg_ms=200, p95_ms=500))
    assert health["status"] == "healthy"
    assert "every declared target was met" not in health["rule"]
    assert "latency not measured, so not judged: avg_ms, p95_ms" in health["rule"]
