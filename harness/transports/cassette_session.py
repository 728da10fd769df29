"""The cassettes of one run: where they live, recording them per check, replaying them.

``RecordSession`` keeps each check's interactions in memory while it runs and, when it ends,
scrubs them, writes them to a temp file, scans that file for every known secret (in every
encoding) and only then renames it into place. ``ReplaySession`` loads every cassette of the
integration once, takes the run seed and base URL from their metadata and serves requests
from them; it also says when a cassette was recorded under another contract version.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from harness.contract import Contract
from harness.errors import TransportError, UsageError
from harness.transports.cassette import (
    Cassette,
    Interaction,
    cassette_path,
    dump_cassette,
    iter_cassettes,
    load_cassette,
    sidecar_path,
    sidecar_text,
    write_atomically,
)
from harness.transports.cassette_scrub import Scrubber, find_in_text, find_survivors
from harness.transports.cassette_transport import RecordingTransport, ReplayIndex, ReplayTransport

CASSETTES_ENV = "HARNESS_CASSETTES"
#: The base URL recorded for the local sandbox, whose real port changes every run.
#: Spelled without a string literal: Hypothesis draws examples from the literals of local
#: modules, and a generated value equal to the host would show up in every replayed URL.
LOCAL_HOST = bytes((108, 111, 99, 97, 108, 45, 115, 97, 110, 100, 98, 111, 120, 46, 105, 110,
                    118, 97, 108, 105, 100)).decode("ascii")  # fmt: skip
LOCAL_BASE_URL = "http:/" + "/" + LOCAL_HOST


def cassette_root(contract: Contract) -> Path:
    """``cassettes/<integration-id>`` (``$HARNESS_CASSETTES`` replaces ``cassettes``)."""
    return Path(os.environ.get(CASSETTES_ENV, "cassettes")) / contract.id


def pii_fields(contract: Contract) -> frozenset[str]:
    """The JSON field names of ``security.pii`` (``contact.email`` → ``email``)."""
    security = getattr(contract, "security", None)
    entries = getattr(security, "pii", ()) or ()
    return frozenset(str(entry).rpartition(".")[2] for entry in entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckTape:
    family: str
    name: str
    check_seed: int
    interactions: list[Interaction] = field(default_factory=list)


class RecordSession:
    """Record mode: live traffic, one scrubbed cassette per check that sent requests."""

    def __init__(self, contract: Contract, *, seed: int, root: Path | None = None) -> None:
        self.contract = contract
        self.seed = seed
        self.root = root if root is not None else cassette_root(contract)
        self.tape: CheckTape | None = None

    def transport(self) -> httpx.BaseTransport:
        return RecordingTransport(self._keep)

    def _keep(self, interaction: Interaction) -> None:
        if self.tape is not None:
            self.tape.interactions.append(interaction)

    def begin(self, family: str, name: str, check_seed: int) -> int:
        self.tape = CheckTape(family=family, name=name, check_seed=check_seed)
        return check_seed

    def finish(
        self,
        *,
        secrets: Mapping[str, str],
        base_url: str,
        client_id: str | None,
        local: bool,
    ) -> str | None:
        """Write the check's cassette; a message (no secret in it) when it must not be written."""
        tape, self.tape = self.tape, None
        if tape is None or not tape.interactions:
            return None
        scrubber = Scrubber(secrets, pii_fields=pii_fields(self.contract), client_id=client_id)
        recorded_base = LOCAL_BASE_URL if local else base_url
        if local:
            scrubber.alias(base_url.rstrip("/"), LOCAL_BASE_URL)
            scrubber.alias(httpx.URL(base_url).netloc.decode("ascii"), LOCAL_HOST)
        interactions = tuple(scrubber.interaction(item) for item in tape.interactions)
        cassette = Cassette(
            interactions=interactions,
            metadata={
                "harness": {
                    "integration": self.contract.id,
                    "contract_version": self.contract.info.version,
                    "base_url": recorded_base,
                    "seed": self.seed,
                    "check_seed": tape.check_seed,
                    "check": f"{tape.family}::{tape.name}",
                }
            },
        )
        path = cassette_path(self.root, tape.family, tape.name)
        return write_verified(
            path, cassette, set(secrets) | set(scrubber.known_secrets()), client_id
        )


def write_verified(
    path: Path, cassette: Cassette, secrets: Collection[str], client_id: str | None
) -> str | None:
    """Write ``cassette`` atomically unless a known secret survived; then say where it did."""
    text = dump_cassette(cassette)
    side = sidecar_text(cassette, text)
    # YAML may fold a long value with spaces across lines; its JSON sidecar never does.
    unfolded = side if side is not None else json.dumps(cassette.to_vcr(), default=repr)
    forms = find_in_text(text, secrets, client_id) + find_in_text(unfolded, secrets, client_id)
    if forms:  # only now look for where: the scan of the whole text is the cheap part
        survivors = find_survivors((i.to_vcr() for i in cassette.interactions), secrets, client_id)
        where = "; ".join(sorted({survivor.describe() for survivor in survivors}))
        where = where or f"its text ({', '.join(sorted(set(forms)))} form)"
        return f"cassette {path} not written: a known secret survived scrubbing in {where}"
    write_atomically(path, text)
    if side is not None:
        write_atomically(sidecar_path(path), side)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Staleness:
    recorded: str
    current: str

    def describe(self) -> str:
        return (
            f"cassette recorded under contract version {self.recorded}, the contract is now "
            f"{self.current}: stale, re-record it (`--mode record`)"
        )


class ReplaySession:
    """Replay mode: every cassette of the integration, indexed once; no network."""

    def __init__(self, contract: Contract, *, root: Path | None = None) -> None:
        self.contract = contract
        self.root = root if root is not None else cassette_root(contract)
        self.cassettes: dict[Path, Cassette] = dict(iter_cassettes(self.root))
        if not self.cassettes:
            raise UsageError(
                f"--mode replay: no cassettes for {contract.id} under {self.root}; record them "
                f"first with `harness check {contract.path.parent} --mode record`"
            )
        library = ReplayIndex(i for c in self.cassettes.values() for i in c.interactions)
        self._scrubber = Scrubber({}, pii_fields=pii_fields(contract))
        self._transport = ReplayTransport(library, lambda: self._scrubber)
        self.meta: Mapping[str, Any] = self._first_meta()
        self.check_meta: Mapping[str, Any] = {}

    def _first_meta(self) -> Mapping[str, Any]:
        for cassette in self.cassettes.values():
            meta = cassette.metadata.get("harness")
            if isinstance(meta, dict):
                return meta
        raise TransportError(f"cassettes under {self.root} have no harness metadata; re-record")

    @property
    def seed(self) -> int:
        return int(self.meta.get("seed", 0))

    @property
    def base_url(self) -> str:
        return str(self.meta.get("base_url") or LOCAL_BASE_URL)

    def transport(self) -> httpx.BaseTransport:
        return self._transport

    def use_secrets(self, secrets: Mapping[str, str], client_id: str | None) -> None:
        self._scrubber = Scrubber(
            secrets, pii_fields=pii_fields(self.contract), client_id=client_id
        )

    def begin(self, family: str, name: str, check_seed: int) -> int:
        """Load the check's cassette; its recorded seed (so Hypothesis regenerates the same)."""
        path = cassette_path(self.root, family, name)
        cassette = self.cassettes.get(path) or (load_cassette(path) if path.exists() else None)
        self._transport.load(cassette.interactions if cassette else ())
        meta = cassette.metadata.get("harness") if cassette else None
        self.check_meta = meta if isinstance(meta, dict) else {}
        return int(self.check_meta.get("check_seed", check_seed))

    def staleness(self) -> Staleness | None:
        recorded = str(self.check_meta.get("contract_version") or self.meta.get("contract_version"))
        current = str(self.contract.info.version)
        return None if recorded == current else Staleness(recorded=recorded, current=current)
