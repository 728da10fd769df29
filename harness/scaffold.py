"""``harness init --from-openapi``: a first contract derived from a vendor's OpenAPI document.

Everything derivable goes in as data (auth from the security schemes, the error table from
the documented 4xx/5xx, a health operation, environments from ``servers`` with ``${VAR}``
placeholders, retry and rate-limit hints from documented statuses and headers); the rest
is written as ``# TODO`` comments in the order of the Integration Guide. The document is
copied beside the contract, so the folder is self-contained and reviewable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from harness.contract.refs import RefError, deref
from harness.errors import UsageError
from harness.results import write_atomically

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
RETRYABLE = frozenset({429, 502, 503, 504})
HEALTH_WORDS = ("health", "status", "ping", "heartbeat", "alive", "ready", "version", "me")
RATE_HEADERS = {
    "x-ratelimit-limit": "x-ratelimit",
    "ratelimit-limit": "ietf",
    "ratelimit-policy": "ietf",
    "ratelimit": "ietf",
    "x-rate-limit-limit": "legacy-ratelimit",
}
FETCH_TIMEOUT_S = 30.0
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """The vendor document as read: its parsed content, its bytes and a file name for it."""

    document: Mapping[str, Any]
    content: bytes
    filename: str
    origin: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Scaffold:
    """A derived contract: the sections as data, and what is left for a person to fill in."""

    contract_id: str
    sections: dict[str, Any]
    todos: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    openapi_file: str = "openapi.yaml"
    extra: dict[str, str] = field(default_factory=dict)  # commented-out sections


def read_source(spec: str) -> Source:
    """Read the document from a file or an http(s) URL (fetched once, here and now)."""
    if re.match(r"^https?://", spec):
        content = _fetch(spec)
        name = spec.rstrip("/").rsplit("/", 1)[-1] or "openapi.yaml"
    else:
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"--from-openapi {spec}: no such file")
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise UsageError(f"--from-openapi {spec}: larger than {MAX_DOCUMENT_BYTES} bytes")
        content = path.read_bytes()
        name = path.name
    document = _parse(content, spec)
    suffix = ".json" if name.endswith(".json") else ".yaml"
    origin = spec if "://" in spec else Path(spec).name  # no machine paths in the contract
    return Source(document=document, content=content, filename="openapi" + suffix, origin=origin)


def _fetch(url: str) -> bytes:
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_S, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise UsageError(f"--from-openapi {url}: could not fetch it ({exc})") from None
    if response.status_code != 200:
        raise UsageError(f"--from-openapi {url}: answered {response.status_code}, expected 200")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise UsageError(f"--from-openapi {url}: larger than {MAX_DOCUMENT_BYTES} bytes")
    return response.content


def _parse(content: bytes, origin: str) -> Mapping[str, Any]:
    try:
        document = yaml.safe_load(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UsageError(f"{origin}{line}: not a JSON or YAML document") from None
    if not isinstance(document, dict) or not ("openapi" in document or "swagger" in document):
        raise UsageError(
            f"{origin}: not an OpenAPI or Swagger document "
            "(no top-level 'openapi' or 'swagger' key)"
        )
    if not isinstance(document.get("paths"), dict) or not document["paths"]:
        raise UsageError(f"{origin}: the document has no paths to check")
    return document


def derive(source: Source, *, contract_id: str | None = None, auth: str | None = None) -> Scaffold:
    """The contract that ``source`` implies; ``auth`` picks a scheme by name or harness type."""
    document = source.document
    info = document.get("info") or {}
    slug = contract_id or _slug(str(info.get("title") or "integration"))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise UsageError(f"--id {slug!r}: use lowercase letters, digits and '-' (e.g. acme-crm)")
    prefix = re.sub(r"[^A-Z0-9]+", "_", slug.upper()).strip("_")
    operations = list(_operations(document))
    auth_section, auth_note = _auth(document, operations, prefix=prefix, choice=auth)
    errors = _errors(document, operations, secured=auth_section["type"] != "none")
    sections: dict[str, Any] = {
        "harness": 1,
        "info": _info(info, slug),
        "type": ["rest", "webhook"] if document.get("webhooks") else ["rest"],
        "environments": _environments(document, prefix),
        "auth": auth_section,
        "api": {"openapi": source.filename},
    }
    if errors:
        sections["errors"] = errors
    retry_on = sorted({e["status"] for e in errors if e.get("retryable")})
    if retry_on:
        sections["retry"] = {
            "max_attempts": 3,
            "backoff": "exponential",
            "base_delay_ms": 1000,
            "jitter": "full",
            "retry_on": retry_on,
            "honor_retry_after": True,
        }
    health = _health(operations)
    if health:
        sections["health"] = health
    today = dt.date.today().isoformat()
    if auth_section["type"] != "none":
        sections["maintenance"] = [
            {"task": "rotate-credentials", "every": "P3M", "last_done": today}
        ]
    sections["changelog"] = [
        {
            "version": str(info.get("version") or "0.1.0"),
            "date": today,
            "changes": [f"Contract scaffolded from {source.origin}"],
        }
    ]
    notes = tuple(n for n in (auth_note,) if n)
    return Scaffold(
        contract_id=slug,
        sections=sections,
        todos=_todos(operations, errors, health),
        notes=notes,
        openapi_file=source.filename,
        extra=_commented_sections(operations, document),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Op:
    operation_id: str
    method: str
    path: str
    definition: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]
    security: Any


def _operations(document: Mapping[str, Any]) -> Iterator[_Op]:
    default_security = document.get("security")
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = [p for p in item.get("parameters") or [] if isinstance(p, dict)]
        for method in METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            own = [p for p in definition.get("parameters") or [] if isinstance(p, dict)]
            yield _Op(
                operation_id=str(definition.get("operationId") or ""),
                method=method,
                path=str(path),
                definition=definition,
                parameters=tuple(shared + own),
                security=definition.get("security", default_security),
            )


def _slug(title: str) -> str:
    title = re.split(r"\s+[-\u2013(|:]\s*", title, maxsplit=1)[0]  # "Petstore - OpenAPI 3.0"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    for word in ("-api", "-rest-api", "-openapi"):
        slug = slug.removesuffix(word)
    return slug or "integration"


def _info(info: Mapping[str, Any], slug: str) -> dict[str, Any]:
    section: dict[str, Any] = {
        "id": slug,
        "name": str(info.get("title") or slug),
        "version": str(info.get("version") or "0.1.0"),
        "status": "active",
    }
    description = str(info.get("description") or "").strip()
    if description:
        first = re.split(r"(?<=[.!?])\s|\n\n", description, maxsplit=1)[0]
        section["purpose"] = " ".join(first.split())[:300]
    return section


def _environments(document: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    environments: dict[str, Any] = {
        "local": {"description": "The built-in sandbox served from this contract"},
        "sandbox": {
            "base_url": f"${{{prefix}_SANDBOX_URL}}",
            "description": "The vendor's test system (set the URL to use it)",
        },
    }
    production = _server_url(document)
    if production:
        environments["production"] = {"base_url": production, "protected": True}
    return environments


def _server_url(document: Mapping[str, Any]) -> str | None:
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        url = str(servers[0].get("url") or "")
        variables = servers[0].get("variables") or {}
        for name, spec in variables.items() if isinstance(variables, dict) else ():
            if isinstance(spec, dict) and "default" in spec:
                url = url.replace("{" + str(name) + "}", str(spec["default"]))
        return url if url.startswith(("http://", "https://")) and "{" not in url else None
    host = document.get("host")  # Swagger 2.0
    if isinstance(host, str) and host:
        schemes = document.get("schemes") or ["https"]
        scheme = "https" if "https" in schemes else str(schemes[0])
        return f"{scheme}://{host}{document.get('basePath') or ''}".rstrip("/")
    return None


def _schemes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    components = document.get("components") or {}
    found = components.get("securitySchemes") or document.get("securityDefinitions") or {}
    return {str(k): v for k, v in found.items() if isinstance(v, dict)}


def _auth(
    document: Mapping[str, Any], operations: list[_Op], *, prefix: str, choice: str | None
) -> tuple[dict[str, Any], str | None]:
    schemes = _schemes(document)
    usage: dict[str, int] = dict.fromkeys(schemes, 0)
    for operation in operations:
        for requirement in operation.security or []:
            for name in requirement if isinstance(requirement, dict) else ():
                if name in usage:
                    usage[name] += 1
    if choice in ("none", None) and (choice == "none" or not any(usage.values())):
        return {"type": "none"}, None if choice else "no operation requires credentials"
    if choice and choice not in schemes:
        by_type = [name for name in schemes if _harness_type(schemes[name]) == choice]
        if not by_type:
            known = ", ".join(sorted(schemes)) or "none"
            raise UsageError(f"--auth {choice}: no such security scheme in the document ({known})")
        choice = by_type[0]
    name = choice or max(usage, key=lambda key: (usage[key], _simplicity(schemes[key])))
    return _auth_section(schemes[name], prefix), f"auth from security scheme '{name}'"


def _simplicity(scheme: Mapping[str, Any]) -> int:
    order = ["api-key", "bearer", "basic", "oauth2-client-credentials"]
    kind = _harness_type(scheme)
    return len(order) - order.index(kind) if kind in order else 0


def _harness_type(scheme: Mapping[str, Any]) -> str:
    kind = str(scheme.get("type", "")).lower()
    if kind == "apikey":
        return "api-key"
    if kind in ("http", "basic"):
        return "basic" if kind == "basic" or scheme.get("scheme") == "basic" else "bearer"
    if kind == "oauth2" and _client_credentials_url(scheme):
        return "oauth2-client-credentials"
    return "bearer"  # oauth2 without client credentials, openIdConnect: a token got elsewhere


def _client_credentials_url(scheme: Mapping[str, Any]) -> str | None:
    flows = scheme.get("flows") or {}
    flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
    if isinstance(flow, dict) and flow.get("tokenUrl"):
        return str(flow["tokenUrl"])
    if scheme.get("flow") == "application" and scheme.get("tokenUrl"):  # Swagger 2.0
        return str(scheme["tokenUrl"])
    return None


def _auth_section(scheme: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    kind = _harness_type(scheme)
    if kind == "api-key":
        section = {"type": "api-key", "header": str(scheme.get("name") or "X-API-Key")}
        if scheme.get("in") == "query":
            section["in"] = "query"
        return {**section, "key": f"${{{prefix}_API_KEY}}"}
    if kind == "basic":
        return {
            "type": "basic",
            "username": f"${{{prefix}_USERNAME}}",
            "password": f"${{{prefix}_PASSWORD}}",
        }
    if kind == "oauth2-client-credentials":
        flows = scheme.get("flows") or {}
        flow = flows.get("clientCredentials") or scheme
        return {
            "type": kind,
            "token_url": _client_credentials_url(scheme),
            "client_id": f"${{{prefix}_CLIENT_ID}}",
            "client_secret": f"${{{prefix}_CLIENT_SECRET}}",
            "scopes": sorted(str(s) for s in (flow.get("scopes") or {})),
        }
    return {"type": "bearer", "token": f"${{{prefix}_TOKEN}}"}


def _statuses(operation: _Op) -> list[int]:
    responses = operation.definition.get("responses") or {}
    return sorted(int(code) for code in responses if str(code).isdigit())


def _description(document: Mapping[str, Any], operation: _Op, status: int) -> str:
    response = (operation.definition.get("responses") or {}).get(str(status)) or {}
    response = _follow(document, response)
    text = str(response.get("description") or "") if isinstance(response, dict) else ""
    return " ".join(text.split())[:160] or f"HTTP {status}"


def _follow(document: Mapping[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` chain followed ({} when it loops or leads nowhere)."""
    try:
        node = deref(document, node)
    except (RefError, LookupError, TypeError, ValueError):
        return {}
    return node if isinstance(node, dict) else {}


def _errors(
    document: Mapping[str, Any], operations: list[_Op], *, secured: bool
) -> list[dict[str, Any]]:
    documented: dict[int, list[_Op]] = {}
    for operation in operations:
        for status in _statuses(operation):
            if status >= 400 and operation.operation_id:
                documented.setdefault(status, []).append(operation)
    table = []
    for status, where in sorted(documented.items()):
        entry: dict[str, Any] = {
            "code": f"HTTP_{status}",
            "status": status,
            "description": _description(document, where[0], status),
            "resolution": "TODO: what our side does when this happens",
            "retryable": status in RETRYABLE,
        }
        trigger = _trigger(status, where) if secured or status != 401 else None
        if trigger:
            entry["trigger"] = trigger
        else:
            entry["untriggerable"] = (
                f"TODO: say how to provoke {status} (documented on {len(where)} operation(s), "
                f"e.g. {where[0].operation_id})"
            )
        table.append(entry)
    return table


def _trigger(status: int, where: list[_Op]) -> dict[str, Any] | None:
    """A request that provokes ``status`` wherever the contract's sandbox can answer it."""
    if status == 401:
        secured = [op for op in where if op.security and not _required(op)]
        if secured:
            return {"operation": secured[0].operation_id, "auth": "none"}
    if status == 404:
        for op in where:
            names = [p.get("name") for p in op.parameters if p.get("in") == "path"]
            others = [p for p in _required(op) if p.get("in") != "path"]
            if op.method == "get" and len(names) == 1 and not others:
                return {"operation": op.operation_id, "path": {names[0]: "does-not-exist"}}
    return None


def _required(operation: _Op) -> list[Mapping[str, Any]]:
    required = [p for p in operation.parameters if p.get("required")]
    body = operation.definition.get("requestBody")
    if isinstance(body, dict) and body.get("required"):
        required.append(body)
    return required


def _health(operations: list[_Op]) -> dict[str, Any] | None:
    candidates = [
        op
        for op in operations
        if op.method == "get"
        and op.operation_id
        and not _required(op)
        and any(200 <= s < 300 for s in _statuses(op))
    ]
    if not candidates:
        return None

    def score(op: _Op) -> tuple[int, int]:
        words = re.split(r"[^a-z]+", f"{op.path} {op.operation_id}".lower())
        named = next((i for i, w in enumerate(HEALTH_WORDS) if w in words), len(HEALTH_WORDS))
        return named, op.path.count("/")

    chosen = min(candidates, key=score)
    status = next(s for s in _statuses(chosen) if 200 <= s < 300)
    return {"operation": chosen.operation_id, "expect_status": status, "max_latency_ms": 1000}


def _rate_limit_style(operations: list[_Op]) -> str | None:
    for operation in operations:
        for response in (operation.definition.get("responses") or {}).values():
            headers = response.get("headers") if isinstance(response, dict) else None
            for name in headers or {}:
                style = RATE_HEADERS.get(str(name).lower())
                if style:
                    return style
    return None


def _commented_sections(operations: list[_Op], document: Mapping[str, Any]) -> dict[str, str]:
    extra: dict[str, str] = {}
    style = _rate_limit_style(operations)
    documented_429 = any(429 in _statuses(op) for op in operations)
    if style or documented_429:
        headers = style or "none"
        extra["rate_limits"] = (
            "# TODO: the vendor documents "
            + (f"{style} rate-limit headers" if style else "429 answers")
            + "; fill in its published limit and window, then uncomment:\n"
            + "# rate_limits:\n"
            + f"#   - {{limit: 60, window: 1m, scope: client, headers: {headers}}}\n"
        )
    if document.get("webhooks"):
        names = ", ".join(sorted(str(n) for n in document["webhooks"]))
        extra["webhooks"] = (
            f"# TODO: the document declares webhooks ({names}); add their signature scheme\n"
            "# and events, e.g.:\n# webhooks:\n#   signature: {scheme: hmac-sha256, secret: "
            '"${WEBHOOK_SECRET}"}\n'
        )
    return extra


def _todos(
    operations: list[_Op], errors: list[dict[str, Any]], health: dict[str, Any] | None
) -> tuple[str, ...]:
    todos = [
        "info: owner, purpose and capabilities as the team sees them",
        "config: the environment variables and options our side reads",
        "mappings: our entities ↔ the vendor's schemas (see the guide's Data Mapping section)",
        "security: PII fields, retention and compliance regimes",
        "performance: the latency and throughput targets the team has agreed",
    ]
    untriggered = [e["code"] for e in errors if "untriggerable" in e]
    if untriggered:
        todos.append(f"errors: triggers for {', '.join(untriggered)} (each says how to add one)")
    if health is None:
        todos.append("health: no GET without required parameters was found; name one")
    if any(not op.operation_id for op in operations):
        missing = sum(1 for op in operations if not op.operation_id)
        todos.append(f"api: {missing} operation(s) have no operationId; checks name them by path")
    return tuple(todos)


def render(scaffold: Scaffold) -> str:
    """The contract as commented YAML, in the order of the Integration Guide."""
    lines = [
        f"# Scaffolded by `harness init` on {dt.date.today().isoformat()}. Review every section;",
        "# what could not be derived from the document is marked TODO.",
    ]
    lines += [f"#   TODO {todo}" for todo in scaffold.todos]
    lines += [f"# note: {note}" for note in scaffold.notes]
    order = [
        "harness",
        "info",
        "type",
        "environments",
        "auth",
        "api",
        "errors",
        "retry",
        "rate_limits",
        "webhooks",
        "health",
        "maintenance",
        "changelog",
    ]
    for key in order:
        if key in scaffold.sections:
            lines.append("")
            dumped = yaml.safe_dump(
                {key: scaffold.sections[key]}, sort_keys=False, allow_unicode=True, width=100
            )
            lines.append(dumped.rstrip("\n"))
        elif key in scaffold.extra:
            lines.append("")
            lines.append(scaffold.extra[key].rstrip("\n"))
    return "\n".join(lines) + "\n"


def write_scaffold(source: Source, scaffold: Scaffold, out: Path, *, force: bool) -> Path:
    """Write ``out/<id>/integration.yaml`` and the document beside it; refuse to overwrite."""
    folder = out / scaffold.contract_id
    contract_file = folder / "integration.yaml"
    if contract_file.exists() and not force:
        raise UsageError(f"{contract_file} exists; pass --force to overwrite it")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / scaffold.openapi_file, source.content)
    write_atomically(contract_file, render(scaffold))
    return contract_file


def describe(scaffold: Scaffold) -> str:
    """A short summary of what was derived, for the terminal."""
    sections = scaffold.sections
    auth = sections["auth"]["type"]
    errors = sections.get("errors", [])
    triggered = sum(1 for e in errors if "trigger" in e)
    health = sections.get("health", {}).get("operation", "none found")
    return (
        f"auth: {auth}; errors: {len(errors)} documented statuses ({triggered} with a trigger); "
        f"health: {health}; {len(scaffold.todos)} TODOs"
    )
