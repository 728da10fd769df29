"""Family ``security``: secrets stay secret, PII stays out of URLs and errors, TLS in production.

Static claims (files, URLs, webhook verification) read the contract; the PII and strict
entity claims send one probe per entity (a create with the schema's example, then the
contract's error triggers for that operation) and judge what came back.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.mapping.examples import (
    example_body,
    read_records,
    reading_operations,
    resolve_schema,
)
from harness.checks.operations import SAFE_METHODS, secured_operations
from harness.contract import Contract
from harness.contract.model import AuthType, EntityMapping
from harness.errors import CheckFailure

#: Tokens that look like credentials whatever variable they came from.
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    "JSON Web Token": re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}"),
    "bearer token": re.compile(r"\bBearer\s+(?!\$|\[|<)[A-Za-z0-9._~+/=-]{24,}"),
}
TEXT_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".md", ".txt", ".html", ".xml", ".csv"})
MAX_FILE_BYTES = 5_000_000
MIN_SECRET_LENGTH = 6


def plan(contract: Contract) -> list[Check]:
    checks = [
        _check(
            contract,
            "no_secret_in_files",
            check_no_secret_in_files,
            "no secret value or secret-looking token in contract files, cassettes or reports",
        ),
        _check(
            contract,
            "https_in_production",
            check_https_in_production,
            "protected (production) environments use HTTPS base URLs",
        ),
    ]
    if contract.auth is not None and contract.auth.type is not AuthType.NONE:
        checks.append(
            _check(
                contract,
                "credentials_not_echoed",
                check_credentials_not_echoed,
                "answers never echo the credentials of the request (accepted or refused)",
                contract.auth.loc,
            )
        )
    if contract.webhooks is not None and contract.webhooks.events:
        checks.append(
            _check(
                contract,
                "webhook_verification_configured",
                check_webhook_verification,
                "declared webhooks have a signature scheme and a secret",
                contract.webhooks.loc,
            )
        )
    security = contract.security
    for entity in _probe_entities(contract):
        if security is not None and _pii_fields(contract, entity):
            checks.append(
                _check(
                    contract,
                    f"pii_not_exposed[{entity.name}]",
                    partial(check_pii_not_exposed, entity=entity.name),
                    f"PII of {entity.name} never appears in URLs or error bodies",
                    security.loc,
                    mutating=True,
                )
            )
        if entity.strict or (security is not None and entity.name in security.strict_entities):
            checks.append(
                _check(
                    contract,
                    f"no_undeclared_fields[{entity.name}]",
                    partial(check_no_undeclared_fields, entity=entity.name),
                    f"{entity.name} responses carry only the fields its schema declares",
                    entity.loc,
                    mutating=True,
                )
            )
    return checks


def _check(
    contract: Contract,
    name: str,
    run: Any,
    description: str,
    loc: Any = None,
    *,
    mutating: bool = False,
) -> Check:
    where = (
        loc if loc is not None else (contract.security.loc if contract.security else contract.loc)
    )
    return Check(
        family="security",
        name=name,
        run=run,
        description=description,
        loc=where,
        mutating=mutating,
    )


# --- secrets in files -------------------------------------------------------------------------


def scanned_files(contract: Contract, report_dir: Path) -> Iterator[Path]:
    """Text files of the contract folder, its cassettes and its reports."""
    roots = [
        contract.directory,
        Path("cassettes") / contract.id,
        report_dir / contract.id,
    ]
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            resolved = path.resolve()
            if resolved in seen or not path.is_file() or path.name.startswith("."):
                continue
            seen.add(resolved)
            if path.suffix.lower() in TEXT_SUFFIXES and path.stat().st_size <= MAX_FILE_BYTES:
                yield path


def find_secrets(text: str, secrets: Iterable[str]) -> list[str]:
    """What kinds of secret ``text`` holds (never the values themselves)."""
    found = [
        "the value of a secret variable"
        for secret in secrets
        if len(secret) >= MIN_SECRET_LENGTH and secret in text
    ][:1]
    found += [kind for kind, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    return found


def check_no_secret_in_files(context: CheckRuntime) -> Verdict:
    secrets = context.secrets()
    problems = []
    files = list(scanned_files(context.contract, Path(context.settings.report_dir)))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        problems += [
            f"{path}:{number}: {kind}"
            for number, line in enumerate(text.splitlines(), start=1)
            for kind in find_secrets(line, secrets)
        ]
    if problems:
        raise CheckFailure(
            f"{len(problems)} secret(s) found in files of {context.contract.id}:\n  "
            + "\n  ".join(problems[:20])
            + "\nFix: replace the value with ${VAR} in the contract, re-record cassettes with "
            "the scrubber on, delete the affected reports and rotate the leaked credential.",
            data={"files_scanned": len(files), "findings": problems[:50]},
        )
    if not files:
        return inconclusive(
            f"no text file to scan under {context.contract.directory}, cassettes/ or the reports"
        )
    return Verdict(message=f"{len(files)} files scanned", data={"files_scanned": len(files)})


# --- transport security -----------------------------------------------------------------------


def check_credentials_not_echoed(context: CheckRuntime) -> Verdict:
    """Neither a refusal of forged credentials nor an answer to valid ones quotes them."""
    reads = [
        op
        for op in secured_operations(context.contract)
        if op.method in SAFE_METHODS and "{" not in op.path
    ]
    if not reads:
        return inconclusive("no secured read without path parameters to send credentials to")
    operation = reads[0]
    marker = f"harness-forged-{context.seed:08x}"
    refused = context.http().request(
        operation.method.upper(), operation.path, **_forged(context.contract, marker)
    )
    accepted = context.client().call(operation.operation_id)
    echoed = [marker, base64.b64encode(f"harness:{marker}".encode()).decode()]
    if any(value in refused.text for value in echoed):
        raise CheckFailure(
            f"{operation.label} answered {refused.status_code} quoting the forged credential it "
            "refused; a real client's mistyped or stale secret would land in logs and traces"
        )
    secrets = [s for s in context.secrets() if len(s) >= MIN_SECRET_LENGTH]
    if any(secret in accepted.text for secret in secrets):
        raise CheckFailure(
            f"{operation.label} answered {accepted.status_code} quoting a credential of the "
            "request (value withheld)"
        )
    return Verdict(
        message=f"{operation.label}: forged credentials refused with {refused.status_code} and "
        f"valid ones answered {accepted.status_code}, neither quoted"
    )


def _forged(contract: Contract, marker: str) -> dict[str, Any]:
    """httpx request arguments carrying ``marker`` as the contract's kind of credential."""
    auth = contract.auth
    assert auth is not None
    if auth.type is AuthType.API_KEY:
        name = auth.header or "X-API-Key"
        return {"params": {name: marker}} if auth.in_ == "query" else {"headers": {name: marker}}
    if auth.type is AuthType.BASIC:
        return {"auth": ("harness", marker)}
    return {"headers": {"Authorization": f"Bearer {marker}"}}


def check_https_in_production(context: CheckRuntime) -> Verdict:
    problems = []
    checked = 0
    for env in context.contract.environments.values():
        if not (env.protected or env.name == "production") or not env.base_url:
            continue
        checked += 1
        if not env.base_url.lower().startswith("https://"):
            problems.append(
                f"environment '{env.name}' ({env.loc}) uses {env.base_url!r}; expected https://"
            )
    if problems:
        raise CheckFailure(
            "\n".join(problems) + "\nFix: use the HTTPS base URL of the provider.",
            data={"environments_checked": checked},
        )
    if not checked:
        return inconclusive("no protected or production environment with a base_url to inspect")
    return Verdict(message=f"{checked} protected environment(s) use HTTPS")


def check_webhook_verification(context: CheckRuntime) -> Verdict:
    webhooks = context.contract.webhooks
    assert webhooks is not None  # planned only when declared
    signature = webhooks.signature
    if signature is None:
        raise CheckFailure(
            f"webhooks are declared ({webhooks.loc}) but no signature scheme verifies them; "
            "add webhooks.signature {scheme, secret: ${WEBHOOK_SECRET}}"
        )
    target_secret = context.target.credentials.webhook_secret
    held = signature.secret.is_set or (target_secret is not None and target_secret.is_set)
    if not held:
        raise CheckFailure(
            f"webhooks.signature ({signature.loc}) uses ${{{signature.secret.var}}}, which is not "
            f"set for environment '{context.target.environment.name}'; export it"
        )
    return Verdict(message=f"verified with {signature.scheme}")


# --- probes: PII and strict entities ----------------------------------------------------------


def _probe_entities(contract: Contract) -> list[EntityMapping]:
    if contract.document is None:
        return []
    return [
        entity
        for entity in contract.mappings.values()
        if entity.operation and entity.operation in contract.document.operations
    ]


def _pii_fields(contract: Contract, entity: EntityMapping) -> list[str]:
    """Their field names of the entity's declared PII (``security.pii: [contact.email]``)."""
    security = contract.security
    if security is None:
        return []
    ours = {item.split(".", 1)[1] for item in security.pii if item.startswith(entity.name + ".")}
    return [
        theirs for mapping in entity.fields if set(mapping.ours) & ours for theirs in mapping.theirs
    ]


def _probed(context: CheckRuntime, entity: EntityMapping) -> list[Any]:
    """The probe's responses, sent once per entity and run (shared by the checks)."""
    client = context.client()  # outside ``shared``: building the client takes the same lock
    return context.shared(f"security-probe:{entity.name}", partial(_probe, context, client, entity))


def _probe(context: CheckRuntime, client: Any, entity: EntityMapping) -> list[Any]:
    """Create one record from the example, then send each error trigger of the operation."""
    contract = context.contract
    assert entity.operation is not None
    body = example_body(contract, entity.operation, context.seed)
    if body is None:
        return []
    responses = [client.call(entity.operation, json=body)]
    for error in contract.errors:
        trigger = error.trigger
        if trigger is None or trigger.operation != entity.operation or not trigger.body:
            continue
        if trigger.auth != "valid":
            continue
        responses += [
            client.call(entity.operation, json=trigger.body) for _ in range(max(trigger.repeat, 1))
        ]
    return responses


def _sent_values(response: Any, fields: list[str]) -> set[str]:
    try:
        body = json.loads(response.request.content or b"{}")
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    return {str(body[name]) for name in fields if isinstance(body.get(name), str) and body[name]}


def _run_leaks(context: CheckRuntime, fields: list[str]) -> list[str]:
    """PII values sent in any request body of the run (this process) that show up in a URL."""
    exchanges = context.exchanges()
    values: set[str] = set()
    for exchange in exchanges:
        try:
            body = json.loads(exchange.request.body or b"null")
        except ValueError:
            continue
        if isinstance(body, dict):
            values |= {str(body[f]) for f in fields if isinstance(body.get(f), str)}
    values = {value for value in values if len(value) >= MIN_SECRET_LENGTH}
    return [
        f"{exchange.request.method} {exchange.request.url.split('?', 1)[0]} "
        f"({exchange.operation_id}): a PII value sent earlier in the run is in its URL"
        for exchange in exchanges
        if any(value in _url_outside_lookups(exchange.request.url, fields) for value in values)
    ][:10]


def _url_outside_lookups(url: str, fields: list[str]) -> str:
    """The URL without query parameters named for a PII field (a lookup the API documents,
    e.g. ``GET /contacts?email=``): those carry PII by the provider's design, not by leak."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in fields]
    return unquote_plus(urlunsplit(parts._replace(query=urlencode(kept))))


def check_pii_not_exposed(context: CheckRuntime, *, entity: str) -> Verdict:
    mapping = context.contract.mappings[entity]
    fields = _pii_fields(context.contract, mapping)
    responses = _probed(context, mapping)
    leaks = []
    for response in responses:
        values = _sent_values(response, fields)
        url = str(response.request.url)
        leaks += [
            f"{response.request.method} {url.split('?', maxsplit=1)[0]}: PII in the URL"
            for v in values
            if v in url
        ]
        if response.status_code >= 400 and any(value in response.text for value in values):
            leaks.append(
                f"{response.request.method} {response.request.url.path} answered "
                f"{response.status_code} with a declared PII value of the request in its body"
            )
    leaks += _run_leaks(context, fields)
    data = {"requests": len(responses), "pii_fields": fields}
    sent = set().union(*(_sent_values(response, fields) for response in responses))
    if leaks:
        security = context.contract.security
        raise CheckFailure(
            f"PII of {entity} ({', '.join(fields)}) exposed (declared at "
            f"{security.loc if security else '?'}):\n  "
            + "\n  ".join(leaks)
            + "\nFix: keep PII out of URLs and error messages; refer to records by id.",
            data=data,
        )
    if not responses:
        return inconclusive(_no_probe(mapping), data=data)
    if not sent:
        return inconclusive(
            f"none of the {len(responses)} probe request(s) carried a value of the PII "
            f"field(s) {', '.join(fields)}: nothing could leak",
            data=data,
        )
    return Verdict(message=f"{len(responses)} probe requests, no PII exposed", data=data)


def _no_probe(entity: EntityMapping) -> str:
    return (
        f"no request body example for {entity.operation} in the OpenAPI document, so no "
        f"{entity.name} was sent to probe with; add an example to its requestBody"
    )


def status_summary(responses: Iterable[Any]) -> str:
    """``'404 x18, 500 x2'``: what came back, for an inconclusive or failing verdict."""
    counts: dict[int, int] = {}
    for response in responses:
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
    return ", ".join(f"{status} x{count}" for status, count in sorted(counts.items())) or "none"


def check_no_undeclared_fields(context: CheckRuntime, *, entity: str) -> Verdict:
    """The records the probe created and the entity's lists return carry declared fields only."""
    contract = context.contract
    mapping = contract.mappings[entity]
    schema = resolve_schema(contract, {"$ref": "#" + mapping.theirs.partition("#")[2]})
    declared = set(schema.get("properties", {}))
    responses = _probed(context, mapping)
    created = [_json_body(r) for r in responses if r.status_code < 300]
    listed, asked = read_records(context, reading_operations(contract, mapping))
    records = [body for body in (*created, *listed) if isinstance(body, dict)]
    extra = {name for record in records for name in record if name not in declared}
    data = {"records": len(records), "declared": sorted(declared), "asked": asked}
    if extra:
        raise CheckFailure(
            f"{entity} is strict ({mapping.loc}) but responses carry undeclared field(s) "
            f"{sorted(extra)}; declared: {sorted(declared)} ({mapping.theirs}). Fix: ask the "
            "provider to drop them, or declare them in the schema if they are intended.",
            data={**data, "undeclared": sorted(extra)},
        )
    if not records:
        probed = (
            f"{len(responses)} probe request(s) to {mapping.operation}: {status_summary(responses)}"
            if responses
            else _no_probe(mapping)
        )
        return inconclusive(
            f"no successful JSON {entity} record to inspect ({'; '.join([probed, *asked])})",
            data=data,
        )
    return Verdict(
        message=f"{len(records)} {entity} record(s) carry only declared fields "
        f"({len(records) - len(listed)} created, {len(listed)} listed)",
        data=data,
    )


def _json_body(response: Any) -> Any:
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None
