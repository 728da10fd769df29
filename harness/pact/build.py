"""``Expected`` interactions → a Pact V4 file, written with pact-python's own API.

Consumer = our integration, provider = the vendor. Requests carry exact example values (the
consumer sends exactly that); responses carry matching rules derived from the OpenAPI
schemas (``harness.pact.matchers``), with the error code of an error entry kept literal.
The ``Authorization`` header is generated from the token state at verification time, so no
credential is written; every body is scrubbed of the contract's secrets and of credential
fields, and the written file is scanned: a secret that survived fails the export.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from pact import Pact, generate, match

from harness.errors import HarnessError
from harness.pact.expected import Expected
from harness.pact.matchers import matcher_of
from harness.pact.states import AUTHORIZATION, TOKEN_KEY
from harness.transports.cassette_scrub import find_in_text
from harness.transports.scrub import redact_fields, redact_value

TOKEN_EXAMPLE = "Bearer <" + TOKEN_KEY + " from the provider state>"


def pact_of(
    consumer: str,
    provider: str,
    interactions: Iterable[Expected],
    *,
    document: Any = None,
    secrets: Collection[str] = (),
) -> Pact:
    """A V4 ``Pact`` between ``consumer`` and ``provider`` holding ``interactions``."""
    pact = Pact(consumer, provider).with_specification("V4")
    for expected in interactions:
        _add(pact, expected, document, secrets)
    return pact


def write_pact(pact: Pact, directory: Path, secrets: Collection[str] = ()) -> Path:
    """Write ``pact`` into ``directory`` (replacing an older one); the file's path.

    Raises ``HarnessError`` (and removes the file) if any secret value is found in it.
    """
    directory.mkdir(parents=True, exist_ok=True)
    pact.write_file(directory, overwrite=True)
    path = directory / f"{pact.consumer}-{pact.provider}.json"
    survivors = find_in_text(path.read_text(encoding="utf-8"), secrets)
    if survivors:
        path.unlink()
        raise HarnessError(
            f"the pact for {pact.provider} would contain a secret ({', '.join(survivors)}); "
            "nothing was written: scrub the cassettes (harness check --mode record) first"
        )
    return path


def _add(pact: Pact, expected: Expected, document: Any, secrets: Collection[str]) -> None:
    interaction = pact.upon_receiving(expected.description)
    for state in expected.states:
        interaction.given(state.name, dict(_clean(state.params, secrets)))
    interaction.with_request(expected.method, expected.path)
    if expected.query:
        interaction.with_query_parameters(dict(expected.query))
    for name, value in expected.headers.items():
        interaction.with_header(name, redact_value(value, secrets))
    if expected.authorised:
        token = match.like(TOKEN_EXAMPLE, generator=generate.provider_state(AUTHORIZATION))
        interaction.with_header("Authorization", token)
    if expected.body is not None:
        body = _clean(expected.body, secrets)
        interaction.with_body(json.dumps(body), expected.media_type or "application/json")
    interaction.will_respond_with(expected.status)
    if expected.response_media is not None and expected.response_body is not None:
        example = _clean(expected.response_body, secrets)
        body = _exact(matcher_of(document, expected.response_schema, example), expected.exact)
        interaction.with_body(body, expected.response_media)


def _clean(value: Any, secrets: Collection[str]) -> Any:
    return redact_value(redact_fields(value), secrets)


def _exact(body: Any, exact: Mapping[str, Any]) -> Any:
    """``body`` with the values at the dotted paths of ``exact`` kept literal."""
    for dotted, literal in exact.items():
        body = _put(body, dotted.split("."), literal)
    return body


def _put(node: Any, keys: list[str], literal: Any) -> Any:
    if not isinstance(node, dict) or not keys:
        return node
    head, rest = keys[0], keys[1:]
    return {**node, head: literal if not rest else _put(node.get(head), rest, literal)}
