"""A request body an operation's own document says is valid: its example, made unique.

Checks that must create something real (a mapping probe, a security probe, a webhook
trigger) send the operation's request example: the one body the vendor documented as
valid. The example is looked up where OpenAPI allows it — the media type's ``example``, its
first ``examples`` entry (``$ref``s to ``components/examples`` followed), or the schema's
``example``/``examples`` — and copied, so a caller may change it.

E-mail addresses in it are made unique per call (``ada@example.com`` →
``ada+1f3a9c2e@example.com``, at any depth): vendors often refuse a second record with the
same address, and a persistent vendor sandbox remembers the previous run, so a token derived
from the seed would collide on the next run with the same ``--seed``. Sub-addressing with
``+`` (RFC 5233) keeps the address deliverable and valid; only strings that are a whole
address are touched, never text that merely contains an ``@``.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Mapping
from typing import Any

from harness.contract.contract import Contract
from harness.contract.refs import RefError, deref

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_JSON = "application/json"


def example_body(contract: Contract, operation_id: str) -> Any | None:
    """The operation's JSON request example with unique e-mail addresses (None: no example)."""
    found = request_example(contract, operation_id)
    return None if found is None else unique_emails(found, secrets.token_hex(4))


def request_example(contract: Contract, operation_id: str) -> Any | None:
    """A copy of the operation's JSON request example as documented, or None."""
    media = request_media(contract, operation_id)
    if "example" in media:
        return copy.deepcopy(media["example"])
    for example in (media.get("examples") or {}).values():
        resolved = _local(contract, example)
        if "value" in resolved:
            return copy.deepcopy(resolved["value"])
    schema = _local(contract, media.get("schema"))
    if "example" in schema:
        return copy.deepcopy(schema["example"])
    listed = schema.get("examples")
    if isinstance(listed, list) and listed:
        return copy.deepcopy(listed[0])
    return None


def request_media(contract: Contract, operation_id: str) -> Mapping[str, Any]:
    """The request body's JSON media type object (the first one if none is JSON), or {}."""
    operation = contract.operation(operation_id)
    content = _local(contract, operation.definition.get("requestBody")).get("content")
    if not isinstance(content, Mapping) or not content:
        return {}
    media = content.get(_JSON) or next(iter(content.values()))
    return media if isinstance(media, Mapping) else {}


def unique_emails(value: Any, token: str) -> Any:
    """``ada@example.com`` → ``ada+<token>@example.com``, everywhere in ``value``."""
    if isinstance(value, str) and _EMAIL.fullmatch(value):
        local, _, domain = value.partition("@")
        return f"{local}+{token}@{domain}"
    if isinstance(value, dict):
        return {key: unique_emails(item, token) for key, item in value.items()}
    if isinstance(value, list):
        return [unique_emails(item, token) for item in value]
    return value


def _local(contract: Contract, node: Any) -> Mapping[str, Any]:
    """``node`` with its local ``$ref`` chain followed; {} for anything else or a broken one."""
    if contract.document is None:
        return node if isinstance(node, Mapping) else {}
    try:  # bounded: a chain that loops or dead-ends resolves to nothing
        found = deref(contract.document.raw, node)
    except (RefError, KeyError, IndexError, TypeError, ValueError):
        return {}
    return found if isinstance(found, Mapping) else {}
