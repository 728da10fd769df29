"""``harness pact export``: the contract (and, optionally, its cassettes) → a Pact V4 file.

With ``--from-cassettes`` the example answers are what the vendor really sent when the
cassettes were recorded (already scrubbed then; scrubbed again here), so the pact shows real
shapes; the matching rules still come from the OpenAPI schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.contract import Contract
from harness.pact.build import pact_of, write_pact
from harness.pact.expected import Recorded, expected_interactions
from harness.pact.usage import used_operations
from harness.transports.cassette import Cassette, Interaction, iter_cassettes

DEFAULT_CONSUMER_SUFFIX = "-integration"


def export_pact(
    contract: Contract,
    directory: Path,
    *,
    cassettes: Path | None = None,
    consumer: str | None = None,
) -> Path:
    """Write the pact of ``contract`` into ``directory``; the file written."""
    recorded = recorded_bodies(contract, cassettes) if cassettes is not None else None
    secrets = contract.secret_values()
    pact = pact_of(
        consumer or f"{contract.id}{DEFAULT_CONSUMER_SUFFIX}",
        contract.id,
        expected_interactions(contract, recorded),
        document=contract.document.raw if contract.document else None,
        secrets=secrets,
    )
    return write_pact(pact, directory, secrets)


def recorded_bodies(contract: Contract, root: Path) -> Recorded:
    """(operationId, status) → the first JSON body recorded for it under ``root``."""
    templates = [
        (op.operation_id, op.method.upper(), _template(op.path))
        for op, _ in used_operations(contract)
    ]
    found: dict[tuple[str, int], Any] = {}
    for interaction in _interactions(root):
        path = urlsplit(interaction.uri).path
        for op_id, method, pattern in templates:
            if interaction.method.upper() == method and pattern.fullmatch(path):
                body = _json(interaction)
                if body is not None:
                    found.setdefault((op_id, interaction.status), body)
                break
    return found


def _interactions(root: Path) -> Iterator[Interaction]:
    for _, cassette in iter_cassettes(root) if root.is_dir() else ():
        if isinstance(cassette, Cassette):
            yield from cassette.interactions


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^{}]+\})", path)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"(?:.*?){regex}/?")


def _json(interaction: Interaction) -> Any:
    kind = next(iter(interaction.response_headers.get("content-type", [""])), "")
    if "json" not in kind or not isinstance(interaction.response_body, str):
        return None
    try:
        return json.loads(interaction.response_body)
    except ValueError:
        return None
