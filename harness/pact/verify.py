"""Pact files replayed against a target with pact-python's ``Verifier``: one result each.

All the pacts of one provider are verified in one run (the verifier's own per-run setup is
the slow part); each interaction's result keeps Pact's mismatch text as Pact wrote it, the
provider states it needed and a curl line that repeats its request, with the token as
``$TOKEN``. Provider states go to ``state_url`` as Pact's JSON state change requests.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from pact import Verifier

from harness.errors import UsageError


@dataclass(frozen=True, slots=True, kw_only=True)
class PactInteraction:
    """One HTTP interaction of a pact file, as far as a report needs it."""

    pact: Path
    consumer: str
    provider: str
    description: str
    states: tuple[str, ...] = ()
    method: str = "GET"
    path: str = "/"
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    headers: Mapping[str, Sequence[str]] = field(default_factory=dict)
    body: str | None = None
    response_status: int = 200
    response_headers: Mapping[str, Sequence[str]] = field(default_factory=dict)
    response_body: str | None = None

    def curl(self, base_url: str) -> str:
        """A shell command that sends this interaction's request (``$TOKEN`` for the token)."""
        url = base_url.rstrip("/") + self.path
        if self.query:
            url += "?" + urlencode([(k, v) for k, vs in self.query.items() for v in vs])
        words = ["curl", "-sS", "-X", self.method, url]
        for name, values in self.headers.items():
            shown = "Bearer $TOKEN" if name.lower() == "authorization" else ", ".join(values)
            words += ["-H", f"{name}: {shown}"]
        if self.body is not None:
            words += ["--data-binary", self.body]
        return " ".join(shlex.quote(w) if "$TOKEN" not in w else f'"{w}"' for w in words)


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionResult:
    """The verifier's verdict on one interaction: passed, or Pact's mismatch text."""

    interaction: PactInteraction
    passed: bool
    mismatches: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PactRun:
    """One verification run: every interaction's result, the verifier's report, its time."""

    results: tuple[InteractionResult, ...]
    output: str
    elapsed_s: float

    def result(self, pact: Path, description: str) -> InteractionResult | None:
        return next(
            (
                r
                for r in self.results
                if r.interaction.pact == pact and r.interaction.description == description
            ),
            None,
        )


def read_interactions(path: Path) -> list[PactInteraction]:
    """The HTTP interactions of the pact file at ``path`` (``UsageError`` if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the pact {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise UsageError(f"{path} is not a pact file (no 'interactions' list)")
    consumer = str((data.get("consumer") or {}).get("name", ""))
    provider = str((data.get("provider") or {}).get("name", ""))
    return [
        _interaction(path, consumer, provider, item)
        for item in data["interactions"]
        if isinstance(item, dict) and item.get("type", "Synchronous/HTTP") == "Synchronous/HTTP"
    ]


def _interaction(path: Path, consumer: str, provider: str, item: dict[str, Any]) -> PactInteraction:
    request = item.get("request") or {}
    response = item.get("response") or {}
    return PactInteraction(
        pact=path,
        consumer=consumer,
        provider=provider,
        description=str(item.get("description", "")),
        states=tuple(str(s.get("name", "")) for s in item.get("providerStates") or []),
        method=str(request.get("method", "GET")).upper(),
        path=str(request.get("path", "/")),
        query=_multi(request.get("query")),
        headers=_multi(request.get("headers")),
        body=_text(request.get("body")),
        response_status=int(response.get("status", 200)),
        response_headers=_multi(response.get("headers")),
        response_body=_text(response.get("body")),
    )


def _text(body: Any) -> str | None:
    if isinstance(body, dict) and "content" in body:  # V4: {"content", "contentType", ...}
        body = body["content"]
    return body if isinstance(body, str) or body is None else json.dumps(body)


def _multi(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, Mapping):
        return {}
    return {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in raw.items()
    }


def verify_pacts(
    pacts: Iterable[Path],
    *,
    provider: str,
    base_url: str,
    state_url: str | None = None,
    teardown: bool = True,
    timeout_ms: int = 10_000,
) -> PactRun:
    """Verify every interaction of ``pacts`` for ``provider`` against ``base_url``."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # no usage ping from a check run
    files = list(pacts)
    interactions = [i for path in files for i in read_interactions(path) if i.provider == provider]
    host = urlsplit(base_url).hostname or "localhost"
    verifier = Verifier(provider, host=host).add_transport(url=base_url)
    verifier.set_coloured_output(enabled=False).set_request_timeout(timeout_ms)
    for path in files:
        verifier.add_source(path)
    if state_url is not None:
        verifier.state_handler(state_url, teardown=teardown, body=True)
    start = time.perf_counter()
    with contextlib.suppress(RuntimeError):  # "failed" when any interaction failed: see results
        verifier.verify()
    elapsed = time.perf_counter() - start
    report = verifier.results
    return PactRun(
        results=tuple(_judged(interactions, report)),
        output=verifier.output(strip_ansi=True),
        elapsed_s=elapsed,
    )


def _judged(
    interactions: list[PactInteraction], report: Mapping[str, Any]
) -> Iterable[InteractionResult]:
    verdicts = {
        str(item.get("description")): item
        for item in report.get("interactionResults") or []
        if isinstance(item, Mapping)
    }
    errors = {
        str(item.get("interaction", "")): item.get("mismatch")
        for item in report.get("errors") or []
        if isinstance(item, Mapping)
    }
    for interaction in interactions:
        verdict = verdicts.get(interaction.description)
        if verdict is None:
            yield InteractionResult(
                interaction=interaction,
                passed=False,
                mismatches=("the verifier did not report this interaction (see its output)",),
            )
            continue
        mismatch = verdict.get("mismatch") or next(
            (m for key, m in errors.items() if key.endswith(f" - {interaction.description}")),
            None,
        )
        passed = verdict.get("result") == "OK"
        yield InteractionResult(
            interaction=interaction,
            passed=passed,
            mismatches=() if passed else tuple(mismatch_lines(mismatch)),
        )


def mismatch_lines(mismatch: Any) -> list[str]:
    """Pact's mismatch report as lines (``$.path: text``), as the verifier words them."""
    if not isinstance(mismatch, Mapping):
        return ["the verifier reported a failure without details"]
    if mismatch.get("type") == "error":
        return [str(mismatch.get("message", "error"))]
    lines = []
    for item in mismatch.get("mismatches") or []:
        text = str(item.get("mismatch", item)) if isinstance(item, Mapping) else str(item)
        where = item.get("path") if isinstance(item, Mapping) else None
        lines.append(f"{where}: {text}" if where else text)
    return lines or ["the verifier reported a failure without details"]
