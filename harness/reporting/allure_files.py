"""What harness gives Allure: labels, scrubbed attachments, environment and categories files.

Only data here; the plugin hands it to allure-pytest (``allure.dynamic``, ``allure.attach``).
Contract violations raise ``CheckFailure`` (an AssertionError), which Allure shows as
*failed*; everything else (target down, transport, harness bugs) shows as *broken*.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.results import SUBJECT_CLIENT, write_atomically
from harness.transports.exchange import Exchange, excerpt

ATTACHED_EXCHANGES = 5
CATEGORIES = [
    {
        "name": "Contract violated",
        "description": "The integration did not do what its contract says (CheckFailure).",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Rate-limited",
        "description": "The target answered 429 or harness ran out of request budget.",
        "matchedStatuses": ["broken", "failed"],
        "messageRegex": ".*(429|[Rr]ate.?limit).*",
    },
    {
        "name": "Target unavailable",
        "description": "harness could not reach the target (down, refused, timed out).",
        "matchedStatuses": ["broken"],
        "messageRegex": ".*(could not open the target|TransportError|unreachable|refused|"
        "timed out|Timeout).*",
    },
    {
        "name": "Harness error",
        "description": "The run itself broke: a bad option or a bug in harness.",
        "matchedStatuses": ["broken"],
    },
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    name: str
    body: str
    kind: str  # "json" | "text"


def labels(
    integration: str, family: str, name: str, *, severity: str = "normal", subject: str = ""
) -> dict[str, str]:
    """epic = integration, feature = family, story = the operation or code the check is about.

    A check of harness's own client (``subject == "client"``) gets the feature
    "<family> (harness client)", apart from the integration's verdicts.
    """
    story = name.split("[", 1)[0] if family in {"conformance"} else name
    return {
        "epic": integration,
        "feature": f"{family} (harness client)" if subject == SUBJECT_CLIENT else family,
        "story": story,
        "severity": severity,
    }


def attachments(exchanges: Iterable[Exchange], secrets: Collection[str]) -> list[Attachment]:
    """The last few request/response pairs and their curl lines, with every secret removed."""
    chosen = list(exchanges)[-ATTACHED_EXCHANGES:]
    found = []
    for index, exchange in enumerate(chosen, start=1):
        record = excerpt(exchange, secrets)
        curl = record.pop("curl")
        label = f"{index}. {exchange.request.method} {exchange.operation_id or ''}".strip()
        found.append(
            Attachment(
                name=f"{label}: request/response",
                body=json.dumps(record, indent=2, default=str),
                kind="json",
            )
        )
        found.append(Attachment(name=f"{label}: curl", body=curl, kind="text"))
    return found


def environment_properties(values: Mapping[str, Any]) -> str:
    """``environment.properties``: key = value lines (Java properties, escaped)."""
    lines = []
    for key, value in sorted(values.items()):
        text = str(value).replace("\\", "\\\\").replace("\n", "\\n")
        lines.append(f"{key.replace(' ', '_')} = {text}")
    return "\n".join(lines) + "\n"


def write_allure_files(folder: Path, environment: Mapping[str, Any]) -> None:
    """Write ``environment.properties`` and ``categories.json`` into the allure results folder."""
    write_atomically(folder / "environment.properties", environment_properties(environment))
    write_atomically(folder / "categories.json", json.dumps(CATEGORIES, indent=2) + "\n")
