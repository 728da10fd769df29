"""The security and compliance families' judgements, without a target."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.checks import FAMILIES, compliance, security
from harness.contract import load_contract
from harness.contract.model import Status
from harness.errors import CheckFailure

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
    names = list(FAMILIES)
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
    assert kind in security.find_secrets(text, ["super-secret-value"])


@pytest.mark.parametrize(
    "text", ["Authorization: Bearer $TOKEN", "client_secret: s3cr3t-example-not-real", "[redacted]"]
)
def test_placeholders_are_not_secrets(text):
    assert security.find_secrets(text, ["x"]) == []


def test_a_leaked_secret_in_reports_fails(tmp_path, contract):
    (tmp_path / "acme-crm").mkdir()
    (tmp_path / "acme-crm" / "results.json").write_text('{"m": "super-secret-value"}')
    with pytest.raises(CheckFailure, match=r"results.json:1: the value of a secret variable"):
        security.check_no_secret_in_files(_context(contract, str(tmp_path)))


def test_http_production_fails(contract):
    production = dataclasses.replace(
        contract.environments["production"], base_url="http://api.acme.example/v1"
    )
    broken = dataclasses.replace(contract, environments={"production": production})
    with pytest.raises(CheckFailure, match="expected https://"):
        security.check_https_in_production(_context(broken))


def test_pii_fields_map_to_their_names(contract):
    fields = security._pii_fields(contract, contract.mappings["contact"])
    assert sorted(fields) == ["email", "full_name", "phone"]
    body = security.example_body(contract, "createContact", seed=5)
    assert body["email"] == "ada.probe5@example.com"


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
