"""Family ``compliance``: the contract keeps the promises its guide template requires.

Required sections per integration type, maintenance tasks on schedule, deprecation,
the API version the target reports, the changelog, and PII governance.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict, contract_hygiene, inconclusive
from harness.contract import Contract
from harness.contract.model import AuthType, IntegrationType, MaintenanceTask, Status
from harness.errors import CheckFailure, Location, Problem
from harness.transports.cassette_session import LOCAL_BASE_URL

Today = Callable[[], dt.date]
_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
VERSION_HEADERS = ("x-api-version", "api-version", "x-version")
VERSION_FIELDS = ("version", "api_version", "apiVersion")


def plan(contract: Contract) -> list[Check]:
    def check(name: str, run: Any, description: str, loc: Any = None) -> Check:
        return Check(
            family="compliance",
            name=name,
            run=run,
            description=description,
            loc=loc if loc is not None else contract.info.loc,
        )

    checks = [
        check(
            "required_sections",
            contract_hygiene(check_required_sections),
            "the contract fills every section its integration type requires",
            contract.loc,
        ),
        check(
            "not_deprecated",
            contract_hygiene(check_not_deprecated),
            "the integration is not deprecated",
        ),
        check(
            "changelog_has_version",
            contract_hygiene(check_changelog_has_version),
            f"the changelog has an entry for version {contract.info.version}",
        ),
    ]
    if contract.security is not None and contract.security.pii:
        checks.append(
            check(
                "pii_governed",
                contract_hygiene(check_pii_governed),
                "PII comes with a retention period and compliance regimes",
                contract.security.loc,
            )
        )
    if contract.health is not None:
        checks.append(
            check(
                "api_version_matches",
                check_api_version_matches,
                "the API version the target reports matches the contract's",
                contract.health.loc,
            )
        )
    checks += [
        check(
            f"maintenance[{task.task}]",
            contract_hygiene(partial(check_maintenance, task=task)),
            f"maintenance task {task.task} done within {task.every}",
            task.loc,
        )
        for task in contract.maintenance
    ]
    return checks


# --- sections ---------------------------------------------------------------------------------


def missing_requirements(contract: Contract) -> list[str]:
    """What the template requires of this contract's type that it leaves out (with the fix)."""
    missing = []
    if not contract.info.owner:
        missing.append("info.owner: name the team that owns the integration")
    if contract.support is None:
        missing.append("support: who to call when it breaks")
    if not contract.changelog:
        missing.append("changelog: at least one entry")
    if IntegrationType.REST in contract.type:
        missing += [
            f"{name}: required for type rest"
            for name in ("api", "auth", "errors")
            if not getattr(contract, name)
        ]
    if IntegrationType.WEBHOOK in contract.type:
        webhooks = contract.webhooks
        if webhooks is None or not webhooks.events:
            missing.append("webhooks.events: type webhook needs the events it receives")
        if webhooks is None or webhooks.signature is None:
            missing.append("webhooks.signature.scheme: type webhook needs a signature scheme")
    auth = contract.auth
    if auth is not None and auth.type is AuthType.OAUTH2_CLIENT_CREDENTIALS:
        if not auth.token_url:
            missing.append("auth.token_url: OAuth2 needs the token endpoint")
        if not auth.scopes:
            missing.append("auth.scopes: OAuth2 needs the scopes the integration uses")
    if auth is not None and auth.type is AuthType.API_KEY and not auth.header:
        missing.append("auth.header: an API key needs the header (or query name) it goes in")
    if contract.health is None:
        missing.append("health: the operation that tells the integration is up")
    return missing


def check_required_sections(context: CheckRuntime) -> Verdict:
    missing = missing_requirements(context.contract)
    if missing:
        raise CheckFailure(
            f"{context.contract.path}: {len(missing)} required section(s) missing:\n  "
            + "\n  ".join(missing),
            data={"missing": missing},
        )
    kinds = ", ".join(str(kind) for kind in context.contract.type)
    return Verdict(message=f"every section required for {kinds} is filled")


def deprecation_finding(contract: Contract) -> str | None:
    info = contract.info
    if info.status is not Status.DEPRECATED:
        return None
    return (
        f"{info.id} is deprecated (info.status at {info.loc}); plan the migration "
        "(see the migration section) and stop new use"
    )


def check_not_deprecated(context: CheckRuntime) -> Verdict:
    info = context.contract.info
    finding = deprecation_finding(context.contract)
    if finding:
        raise CheckFailure(finding, data={"status": str(info.status)})
    return Verdict(message=f"status {info.status}", data={"status": str(info.status)})


def changelog_finding(contract: Contract) -> str | None:
    versions = [entry.version for entry in contract.changelog]
    if contract.info.version in versions:
        return None
    return (
        f"the changelog has no entry for version {contract.info.version} (info.version at "
        f"{contract.info.loc}); it lists {versions or 'nothing'}. Fix: add "
        f'- {{version: "{contract.info.version}", date: ..., changes: [...]}}'
    )


def check_changelog_has_version(context: CheckRuntime) -> Verdict:
    finding = changelog_finding(context.contract)
    if finding:
        raise CheckFailure(finding)
    return Verdict(message=f"changelog entry for {context.contract.info.version}")


def pii_governance_finding(contract: Contract) -> str | None:
    security = contract.security
    if security is None or not security.pii:
        return None
    missing = []
    if security.retention_days is None:
        missing.append("security.retention_days")
    if not security.compliance:
        missing.append("security.compliance (e.g. [GDPR])")
    if not missing:
        return None
    return (
        f"PII is declared ({security.loc}: {', '.join(security.pii)}) but "
        f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not; declare them"
    )


def check_pii_governed(context: CheckRuntime) -> Verdict:
    security = context.contract.security
    assert security is not None
    finding = pii_governance_finding(context.contract)
    if finding:
        raise CheckFailure(finding)
    return Verdict(
        message=f"retention {security.retention_days} days; {', '.join(security.compliance)}"
    )


# --- maintenance ------------------------------------------------------------------------------


def parse_period(text: str) -> dt.timedelta:
    """An ISO 8601 period (``P3M``, ``P1W``, ``P1Y2M10D``) as days (months: 30, years: 365)."""
    match = _PERIOD.fullmatch(text.strip().upper())
    if not match or text.strip().upper() == "P":
        raise ValueError(f"{text!r} is not an ISO 8601 period such as P3M or P1W")
    years, months, weeks, days = (int(part or 0) for part in match.groups())
    return dt.timedelta(days=years * 365 + months * 30 + weeks * 7 + days)


def due_date(task: MaintenanceTask) -> dt.date | None:
    if task.last_done is None:
        return None
    return task.last_done + parse_period(task.every)


def maintenance_finding(task: MaintenanceTask, today: dt.date) -> str | None:
    """Why ``task`` is not on schedule on ``today``, or None."""
    due = due_date(task)
    remedy = task.description or f"do {task.task}"
    if due is None:
        return (
            f"maintenance task {task.task} ({task.loc}) has never been done (no last_done); "
            f"{remedy}, then set last_done"
        )
    if today > due:
        return (
            f"maintenance task {task.task} is overdue by {(today - due).days} day(s): last done "
            f"{task.last_done}, every {task.every}, due {due} ({task.loc}). Fix: {remedy}, then "
            "update last_done"
        )
    return None


def check_maintenance(
    context: CheckRuntime, *, task: MaintenanceTask, today: Today = dt.date.today
) -> Verdict:
    due = due_date(task)
    data: dict[str, Any] = {
        "every": task.every,
        "last_done": str(task.last_done),
        "due": str(due) if due else None,
    }
    finding = maintenance_finding(task, today())
    if finding:
        raise CheckFailure(finding, data=data)
    return Verdict(message=f"{task.task}: next due {due}", data=data)


# --- contract hygiene, for harness lint -------------------------------------------------------


def hygiene_problems(contract: Contract, today: Today = dt.date.today) -> list[Problem]:
    """The compliance findings about the contract itself, as ``harness lint`` warnings."""
    hint = "a finding about the contract, not the vendor; --strict makes it an error"
    found: list[tuple[Location, str | None]] = [
        (contract.loc, f"required section missing: {item}")
        for item in missing_requirements(contract)
        if not _empty_section(contract, item.partition(":")[0])
    ]
    found += [
        (contract.info.loc, deprecation_finding(contract)),
        (contract.info.loc, changelog_finding(contract)),
        (contract.security.loc if contract.security else contract.loc,
         pii_governance_finding(contract)),
    ]  # fmt: skip
    found += [(task.loc, _maintenance_problem(task, today())) for task in contract.maintenance]
    return [
        Problem(where, message, hint, severity="warning") for where, message in found if message
    ]


def _empty_section(contract: Contract, name: str) -> bool:
    """A whole top-level section left empty: lint's completeness warnings already say so."""
    return "." not in name and hasattr(contract, name) and not getattr(contract, name)


def _maintenance_problem(task: MaintenanceTask, today: dt.date) -> str | None:
    try:
        return maintenance_finding(task, today)
    except ValueError as exc:  # a period that is not ISO 8601: the loader reports it
        return str(exc)


# --- API version ------------------------------------------------------------------------------


def reported_version(headers: Any, body: Any) -> tuple[str, str] | None:
    """(where, version) the target reports in a header or a body field, or None."""
    for name in VERSION_HEADERS:
        value = headers.get(name)
        if value:
            return f"header {name}", str(value)
    if isinstance(body, dict):
        for name in VERSION_FIELDS:
            if isinstance(body.get(name), str | int | float):
                return f"body field {name}", str(body[name])
    return None


def expected_versions(contract: Contract) -> dict[str, str]:
    """The versions the contract claims: the version header it sends and the API's version."""
    claims = {}
    if contract.api is not None:
        for name, value in contract.api.headers.items():
            if name.lower() in VERSION_HEADERS:
                claims["header"] = str(value)
    if contract.document is not None:
        claims["body"] = str(contract.document.raw.get("info", {}).get("version", ""))
    return claims


def check_api_version_matches(context: CheckRuntime) -> Verdict:
    health = context.contract.health
    assert health is not None
    response = context.client().call(health.operation)
    try:
        body = response.json()
    except ValueError:
        body = None
    found = reported_version(response.headers, body)
    if found is None:
        return inconclusive(
            f"{health.operation} answered {response.status_code} with no API version in a "
            f"header ({', '.join(VERSION_HEADERS)}) or a body field ({', '.join(VERSION_FIELDS)})"
            "; nothing to compare"
        )
    where, version = found
    claims = expected_versions(context.contract)
    expected = claims.get("header" if where.startswith("header") else "body")
    data: dict[str, object] = {"reported": version, "where": where, "expected": expected}
    if not expected:
        side = "an api.headers version header" if where.startswith("header") else "info.version"
        return inconclusive(
            f"{health.operation} reports {version} ({where}) but the contract states no version "
            f"to compare it with (no {side})",
            data=data,
        )
    if version != expected and not version.startswith(expected + "."):
        raise CheckFailure(
            f"{health.operation} reports API version {version} ({where}); the contract is "
            f"written for {expected} ({context.contract.api.loc if context.contract.api else ''})."
            " Fix: review the provider's changelog and update the contract and its version",
            data=data,
        )
    if _local_sandbox(context):  # it serves the contract's own document: agreement is no news
        return inconclusive(
            f"the local sandbox reports {version} ({where}), the version of the contract's own "
            "document; agreeing with itself proves nothing. Run with --env sandbox or production",
            data=data,
        )
    return Verdict(message=f"target reports {version} ({where})", data=data)


def _local_sandbox(context: CheckRuntime) -> bool:
    """Locally, live or replayed from a recording of the local sandbox (its stand-in URL)."""
    local = context.target.environment.name == "local"
    return local and context.settings.base_url in (None, LOCAL_BASE_URL)
