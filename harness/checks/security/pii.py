"""Claim ``pii_not_exposed[entity]``: declared PII stays out of URLs and error bodies.

``security.pii: [contact.email]`` names our fields; the entity's mapping gives their names.
The probe's requests carry those values; a failure names each request whose URL, or whose
error answer, repeats one — and, across the run, any earlier request whose URL carries a PII
value sent in a body (a lookup the API documents, ``GET /contacts?email=``, is by design).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.security.files import MIN_SECRET_LENGTH
from harness.checks.security.probe import no_probe, probe_entities, probed
from harness.contract import Contract
from harness.contract.model import EntityMapping
from harness.errors import CheckFailure


def checks(contract: Contract) -> list[Check]:
    """One check per probed entity with declared PII."""
    security = contract.security
    if security is None:
        return []
    return [
        Check(
            family="security",
            name=f"pii_not_exposed[{entity.name}]",
            run=partial(check_pii_not_exposed, entity=entity.name),
            description=f"PII of {entity.name} never appears in URLs or error bodies",
            loc=security.loc,
            mutating=True,
        )
        for entity in probe_entities(contract)
        if pii_fields(contract, entity)
    ]


def pii_fields(contract: Contract, entity: EntityMapping) -> list[str]:
    """Their field names of the entity's declared PII (``security.pii: [contact.email]``)."""
    security = contract.security
    if security is None:
        return []
    ours = security.pii_of(entity.name)
    return [
        theirs for mapping in entity.fields if set(mapping.ours) & ours for theirs in mapping.theirs
    ]


def check_pii_not_exposed(context: CheckRuntime, *, entity: str) -> Verdict:
    mapping = context.contract.mappings[entity]
    fields = pii_fields(context.contract, mapping)
    responses = probed(context, mapping)
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
        return inconclusive(no_probe(mapping), data=data)
    if not sent:
        return inconclusive(
            f"none of the {len(responses)} probe request(s) carried a value of the PII "
            f"field(s) {', '.join(fields)}: nothing could leak",
            data=data,
        )
    return Verdict(message=f"{len(responses)} probe requests, no PII exposed", data=data)


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
