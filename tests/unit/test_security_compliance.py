"""The security and compliance families' judgements, without a target."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.checks import security
from harness.checks.base import inconclusive
from harness.checks.compliance import guide as compliance
from harness.checks.config import options as config
from harness.checks.registry import families
from harness.checks.security import configuration, files, pii
from harness.contract import load_contract
from harness.contract.model import Status
from harness.contract.request_examples import example_body, unique_emails
from harness.errors import CheckFailure
from harness.results import HYGIENE_KEY, INCONCLUSIVE_KEY, Outcome

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract():
    return load_contract(ROOT / "contracts/acme-crm", environment="local")


def _context(contract, report_dir="reports"):
    return SimpleNamespace(
        contract=contract,
        settings=SimpleNamespace(report_dir=report_dir),
        secrets=lambda: frozenset({"super-secret-value"}),
    )


def test_families_are_registered_in_order():
    names = list(families())
    assert names.index("security") > names.index("conformance")
    assert names.index("compliance") > names.index("security")


def test_plans_name_every_claim(contract):
    names = {check.name for check in security.plan(contract)}
    assert {"no_secret_in_files", "https_in_production", "webhook_verification_configured",
            "pii_not_exposed[contact]", "no_undeclared_fields[contact]"} <= names  # fmt: skip
    names = {check.name for check in compliance.plan(contract)}
    assert "maintenance[rotate-credentials]" in names
    assert "api_version_matches" in names


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN", "JSON Web Token"),
        ("key = AKIAIOSFODNN7EXAMPLE", "AWS access key"),
        ("-----BEGIN RSA PRIVATE KEY-----", "private key"),
        ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "bearer token"),
        ("x super-secret-value y", "the value of a secret variable"),
    ],
)  # fmt: skip
def test_secrets_are_found(text, kind):
    assert kind in files.find_secrets(text, ["super-secret-value"])


@pytest.mark.parametrize(
    "text", ["Authorization: Bearer $TOKEN", "client_secret: s3cr3t-example-not-real", "[redacted]"]
)
def test_placeholders_are_not_secrets(text):
    assert files.find_secrets(text, ["x"]) == []


def test_a_leaked_secret_in_reports_fails(tmp_path, contract):
    (tmp_path / "acme-crm").mkdir()
    (tmp_path / "acme-crm" / "results.json").write_text('{"m": "super-secret-value"}')
    with pytest.raises(CheckFailure, match=r"results.json:1: the value of a secret variable"):
        files.check_no_secret_in_files(_context(contract, str(tmp_path)))


def test_http_production_fails(contract):
    production = dataclasses.replace(
        contract.environments["production"], base_url="http://api.acme.example/v1"
    )
    broken = dataclasses.replace(contract, environments={"production": production})
    with pytest.raises(CheckFailure, match="expected https://"):
        configuration.check_https_in_production(_context(broken))


def test_pii_fields_map_to_their_names(contract):
    fields = pii.pii_fields(contract, contract.mappings["contact"])
    assert sorted(fields) == ["email", "full_name", "phone"]


def test_probe_bodies_are_the_example_with_a_fresh_address_each_time(contract):
    first, second = (example_body(contract, "createContact") for _ in range(2))
    assert first["full_name"] == "Ada Lovelace"
    assert first["email"].startswith("ada+")
    assert first["email"].endswith("@example.com")
    assert first["email"] != second["email"]  # two probes never collide on a unique address
    nested = {"owner": {"email": "a@b.io"}, "emails": ["c@d.io"], "handle": "@acme", "n": 1}
    assert unique_emails(nested, "t0") == {
        "owner": {"email": "a+t0@b.io"}, "emails": ["c+t0@d.io"], "handle": "@acme", "n": 1
    }  # fmt: skip


@pytest.mark.parametrize(("text", "days"), [("P3M", 90), ("P1W", 7), ("P1Y2M10D", 435), ("p2d", 2)])
def test_periods(text, days):
    assert compliance.parse_period(text) == dt.timedelta(days=days)


@pytest.mark.parametrize("text", ["P", "3M", "PT1H", "every month"])
def test_bad_periods(text):
    with pytest.raises(ValueError, match="ISO 8601"):
        compliance.parse_period(text)


def test_overdue_maintenance_fails_with_the_task_description(contract):
    task = contract.maintenance[0]  # rotate-credentials, P3M, last done 2026-11-01
    context = _context(contract)
    verdict = compliance.check_maintenance(context, task=task, today=lambda: dt.date(2027, 1, 30))
    assert verdict.data["due"] == "2027-01-30"
    with pytest.raises(CheckFailure, match=r"overdue by 1 day\(s\).*Rotate the OAuth client"):
        compliance.check_maintenance(context, task=task, today=lambda: dt.date(2027, 1, 31))


def test_deprecated_and_missing_sections_fail(contract):
    info = dataclasses.replace(contract.info, status=Status.DEPRECATED, version="9.9.9")
    auth = dataclasses.replace(contract.auth, scopes=())
    webhooks = dataclasses.replace(contract.webhooks, signature=None)
    broken = dataclasses.replace(contract, info=info, auth=auth, webhooks=webhooks)
    with pytest.raises(CheckFailure, match="deprecated"):
        compliance.check_not_deprecated(_context(broken))
    with pytest.raises(CheckFailure, match=r"no entry for version 9\.9\.9"):
        compliance.check_changelog_has_version(_context(broken))
    missing = compliance.missing_requirements(broken)
    assert any(item.startswith("auth.scopes") for item in missing)
    assert any(item.startswith("webhooks.signature.scheme") for item in missing)
    assert compliance.missing_requirements(contract) == []


def test_reported_versions():
    assert compliance.reported_version({"x-api-version": "1.0"}, None) == (
        "header x-api-version",
        "1.0",
    )
    assert compliance.reported_version({}, {"version": "1.2.0"}) == ("body field version", "1.2.0")
    assert compliance.reported_version({}, {"status": "ok"}) is None


# --- honest verdicts: inconclusive and contract hygiene ---------------------------------------


def _run_context(contract, *, strict=False, environment="local", base_url=None):
    target = SimpleNamespace(environment=SimpleNamespace(name=environment))
    settings = SimpleNamespace(strict_contract=strict, base_url=base_url, report_dir="reports")
    return SimpleNamespace(contract=contract, settings=settings, target=target)


def _planned(contract, name):
    return next(check for check in compliance.plan(contract) if check.name == name)


def test_hygiene_findings_skip_the_check_unless_strict(contract):
    info = dataclasses.replace(contract.info, version="9.9.9")
    stale = dataclasses.replace(contract, info=info)
    check = _planned(stale, "changelog_has_version")
    verdict = check.run(_run_context(stale))
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.message.startswith(
        "contract hygiene: the changelog has no entry for version 9.9.9"
    )
    assert "--harness-strict-contract" in verdict.message
    assert verdict.data[HYGIENE_KEY] is True
    with pytest.raises(CheckFailure, match=r"no entry for version 9\.9\.9") as failure:
        check.run(_run_context(stale, strict=True))
    assert failure.value.data[HYGIENE_KEY] is True
    passed = _planned(contract, "changelog_has_version").run(_run_context(contract))
    assert (passed.outcome, passed.data[HYGIENE_KEY]) == (Outcome.PASSED, True)


def test_hygiene_problems_are_lint_warnings_at_their_line(contract):
    assert compliance.hygiene_problems(contract, today=lambda: dt.date(2027, 1, 1)) == []
    info = dataclasses.replace(contract.info, status=Status.DEPRECATED, version="9.9.9")
    broken = dataclasses.replace(contract, info=info)
    problems = compliance.hygiene_problems(broken, today=lambda: dt.date(2030, 1, 1))
    assert {p.severity for p in problems} == {"warning"}
    messages = [p.message for p in problems]
    assert any("deprecated" in m for m in messages)
    assert any("no entry for version 9.9.9" in m for m in messages)
    overdue = [p for p in problems if "rotate-credentials is overdue" in p.message]
    assert overdue[0].location == contract.maintenance[0].loc


def test_no_protected_environment_is_inconclusive_not_passed(contract):
    local_only = dataclasses.replace(
        contract, environments={"local": contract.environments["local"]}
    )
    verdict = configuration.check_https_in_production(_context(local_only))
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.data[INCONCLUSIVE_KEY] is True
    assert verdict.message == (
        "inconclusive: no protected or production environment with a base_url to inspect"
    )


def test_an_option_unset_here_is_inconclusive(contract):
    option = next(option for option in contract.config if option.name == "timeout")
    context = _run_context(contract)
    verdict = config.check_option(context, option=option, environ={})
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.message == (
        "inconclusive: timeout: ACME_TIMEOUT is not set here (the default 30000 applies); "
        "nothing to validate"
    )
    verdict = config.check_option(context, option=option, environ={"ACME_TIMEOUT": "15000"})
    assert (verdict.outcome, verdict.message) == (
        Outcome.PASSED,
        "timeout: 15000 from ACME_TIMEOUT",
    )
    with pytest.raises(CheckFailure, match="not a valid integer"):
        config.check_option(context, option=option, environ={"ACME_TIMEOUT": "soon"})


def test_inconclusive_is_one_convention():
    verdict = inconclusive("no successful contact response to inspect (1 request: 404 x1)")
    assert verdict.outcome is Outcome.SKIPPED
    assert verdict.message.startswith("inconclusive: no successful contact response")
    assert verdict.data == {INCONCLUSIVE_KEY: True}
