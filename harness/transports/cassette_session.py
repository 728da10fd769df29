"""The cassettes of one run: where they live, recording them per check, replaying them.

``RecordSession`` keeps each check's interactions in memory while it runs and, when it ends,
scrubs them, writes them to a temp file, scans that file for every known secret (in every
encoding) and only then renames it into place. ``ReplaySession`` loads every cassette of the
integration once, takes the run seed and base URL from their metadata and serves each check
from its own cassette only. A broken cassette errors only the check that needs it (naming the
file); the others still run. It also says when a cassette was recorded under another
contract version, or with another Hypothesis or Schemathesis version (which generate
differently from the same seed).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import json
import os
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from harness.contract import Contract
from harness.errors import UsageError
from harness.transports.cassette import (
    Cassette,
    CassetteError,
    Interaction,
    cassette_path,
    dump_cassette,
    iter_cassettes,
    write_cassette_file,
)
from harness.transports.cassette_scrub import Scrubber, find_in_text, find_survivors
from harness.transports.cassette_transport import (
    RecordingTransport,
    ReplayIndex,
    ReplayTransport,
    is_token_request,
)

CASSETTES_ENV = "HARNESS_CASSETTES"
#: The folder of the cassettes of values shared by several checks (a probe, discovered ids).
SHARED = "_shared"
#: The base URL recorded for the local sandbox, whose real port changes every run.
#: Spelled without a string literal (a leftover of when Hypothesis drew examples from the
#: literals of local modules; ``_compat.hypothesis.pinned_generation`` switches that off).
LOCAL_HOST = bytes((108, 111, 99, 97, 108, 45, 115, 97, 110, 100, 98, 111, 120, 46, 105, 110,
                    118, 97, 108, 105, 100)).decode("ascii")  # fmt: skip
LOCAL_BASE_URL = "http:/" + "/" + LOCAL_HOST


def cassette_root(contract: Contract) -> Path:
    """``cassettes/<integration-id>`` (``$HARNESS_CASSETTES`` replaces ``cassettes``)."""
    return Path(os.environ.get(CASSETTES_ENV, "cassettes")) / contract.id


#: The packages whose versions decide what a seed generates.
GENERATORS = ("hypothesis", "schemathesis")


@functools.cache
def generator_versions() -> dict[str, str]:
    """The installed versions of ``GENERATORS`` (recorded with every cassette)."""
    versions = {}
    for name in GENERATORS:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _pii_keys(contract: Contract) -> frozenset[str]:
    """The JSON keys a cassette scrubs as PII (``Security.pii_keys``); none without ``security``."""
    return frozenset() if contract.security is None else contract.security.pii_keys()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckTape:
    family: str
    name: str
    check_seed: int
    interactions: list[Interaction] = field(default_factory=list)


class RecordSession:
    """Record mode: live traffic, one scrubbed cassette per check that sent requests.

    Requests sent while a value shared by several checks is computed (``sharing(key)``: a
    probe, a discovered id) go to ``_shared/<key>.yaml`` instead, whichever check computed it.
    """

    def __init__(self, contract: Contract, *, seed: int, root: Path | None = None) -> None:
        self.contract = contract
        self.seed = seed
        self.root = root if root is not None else cassette_root(contract)
        self.tape: CheckTape | None = None
        self._sharing: list[CheckTape] = []
        self._shared: list[CheckTape] = []  # finished shared tapes, written with the check

    def transport(self) -> httpx.BaseTransport:
        return RecordingTransport(self._keep)

    def _keep(self, interaction: Interaction) -> None:
        tape = self._sharing[-1] if self._sharing else self.tape
        if tape is not None:
            tape.interactions.append(interaction)

    def begin(self, family: str, name: str, check_seed: int) -> int:
        self.tape = CheckTape(family=family, name=name, check_seed=check_seed)
        return check_seed

    @contextlib.contextmanager
    def sharing(self, key: str) -> Iterator[None]:
        """Record the requests of the block in the shared cassette ``key``."""
        seed = self.tape.check_seed if self.tape is not None else self.seed
        tape = CheckTape(family=SHARED, name=key, check_seed=seed)
        self._sharing.append(tape)
        try:
            yield
        finally:
            self._sharing.remove(tape)
            if tape.interactions:
                self._shared.append(tape)

    def finish(
        self,
        *,
        secrets: Mapping[str, str],
        base_url: str,
        client_id: str | None,
        local: bool,
    ) -> str | None:
        """Write the check's cassette (and the shared ones it filled); a message (no secret in
        it) when one must not be written."""
        tapes = [*self._shared, *([self.tape] if self.tape is not None else [])]
        self.tape, self._shared = None, []
        problems = [
            self._write(tape, secrets=secrets, base_url=base_url, client_id=client_id, local=local)
            for tape in tapes
            if tape.interactions
        ]
        return "; ".join(problem for problem in problems if problem) or None

    def _write(
        self,
        tape: CheckTape,
        *,
        secrets: Mapping[str, str],
        base_url: str,
        client_id: str | None,
        local: bool,
    ) -> str | None:
        scrubber = Scrubber(secrets, pii_fields=_pii_keys(self.contract), client_id=client_id)
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
                    "generators": generator_versions(),
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
    # YAML may fold a long value with spaces across lines; JSON never does.
    unfolded = json.dumps(cassette.to_vcr(), default=repr, ensure_ascii=False)
    forms = find_in_text(text, secrets, client_id) + find_in_text(unfolded, secrets, client_id)
    if forms:  # only now look for where: the scan of the whole text is the cheap part
        survivors = find_survivors((i.to_vcr() for i in cassette.interactions), secrets, client_id)
        where = "; ".join(sorted({survivor.describe() for survivor in survivors}))
        where = where or f"its text ({', '.join(sorted(set(forms)))} form)"
        return f"cassette {path} not written: a known secret survived scrubbing in {where}"
    write_cassette_file(path, text)
    # Older harness wrote a JSON copy beside the YAML; nothing reads it any more.
    path.with_name(f".{path.stem}.json").unlink(missing_ok=True)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Staleness:
    """What differs between the recording and now: contract version, generator versions."""

    recorded: str
    current: str
    generators: tuple[str, ...] = ()  # "hypothesis 6.1 (recorded 6.0)", ...

    def describe(self) -> str:
        parts = []
        if self.recorded != self.current:
            parts.append(
                f"cassette recorded under contract version {self.recorded}, the contract is "
                f"now {self.current}"
            )
        if self.generators:
            parts.append(
                "the generators differ from the recording ("
                + ", ".join(self.generators)
                + "): the same seed may generate other requests"
            )
        return "; ".join(parts) + ": stale, re-record it (`--mode record`)"


class ReplaySession:
    """Replay mode: every cassette of the integration, loaded once; no network.

    A cassette that cannot be loaded is kept as its error and raised by ``begin`` for the
    check that needs it, so that one broken file errors one check, not the run.
    """

    def __init__(self, contract: Contract, *, root: Path | None = None) -> None:
        self.contract = contract
        self.root = root if root is not None else cassette_root(contract)
        loaded = dict(iter_cassettes(self.root)) if self.root.is_dir() else {}
        self.cassettes = {p: c for p, c in loaded.items() if isinstance(c, Cassette)}
        self.broken = {p: c for p, c in loaded.items() if isinstance(c, CassetteError)}
        if not loaded:
            raise UsageError(
                f"--mode replay: no cassettes for {contract.id} under {self.root}; record them "
                f"first with `harness check {contract.path.parent} --mode record`"
            )
        self._scrubber = Scrubber({}, pii_fields=_pii_keys(contract))
        token_path = _token_path(contract)
        tokens = ReplayIndex(
            item
            for cassette in self.cassettes.values()
            for item in cassette.interactions
            if is_token_request(item, token_path)
        )
        self._transport = ReplayTransport(
            lambda: self._scrubber, tokens=tokens, token_path=token_path
        )
        self.meta: Mapping[str, Any] = self._first_meta()
        self.check_meta: Mapping[str, Any] = {}

    def _first_meta(self) -> Mapping[str, Any]:
        for cassette in self.cassettes.values():
            meta = cassette.metadata.get("harness")
            if isinstance(meta, dict) and _valid_meta(meta):
                return meta
        if not self.cassettes:
            first = next(iter(self.broken.values()))
            raise CassetteError(
                f"no cassette under {self.root} can be loaded ({len(self.broken)} broken; "
                f"first: {first})"
            )
        raise CassetteError(
            f"cassettes under {self.root} have no valid harness metadata (integer seed, "
            "base_url); re-record them"
        )

    @property
    def seed(self) -> int:
        return int(self.meta.get("seed", 0))

    @property
    def base_url(self) -> str:
        return str(self.meta.get("base_url") or LOCAL_BASE_URL)

    def transport(self) -> httpx.BaseTransport:
        return self._transport

    def use_secrets(self, secrets: Mapping[str, str], client_id: str | None) -> None:
        self._scrubber = Scrubber(secrets, pii_fields=_pii_keys(self.contract), client_id=client_id)

    def begin(self, family: str, name: str, check_seed: int) -> int:
        """Serve the check's own cassette; its recorded seed (so Hypothesis regenerates the
        same). Raises the check's ``CassetteError`` when its cassette is broken."""
        path = cassette_path(self.root, family, name)
        self.check_meta = {}
        self._transport.load((), source=f"the cassette {path}")
        if path in self.broken:
            raise self.broken[path]
        cassette = self.cassettes.get(path)
        if cassette is None:
            self._transport.load((), source=f"{path}: this check has no cassette")
            return check_seed
        meta = cassette.metadata.get("harness")
        self.check_meta = meta if isinstance(meta, dict) else {}
        recorded_seed = self.check_meta.get("check_seed", check_seed)
        if isinstance(recorded_seed, bool) or not isinstance(recorded_seed, int):
            raise CassetteError(
                f"cassette {path}: metadata.harness.check_seed must be an integer, found "
                f"{recorded_seed!r}; re-record it"
            )
        self._transport.load(cassette.interactions, source=f"the cassette {path}")
        return recorded_seed

    @contextlib.contextmanager
    def sharing(self, key: str) -> Iterator[None]:
        """Serve the block from the shared cassette ``key``, then the check's own again."""
        saved = (self._transport.current, self._transport.source)
        path = cassette_path(self.root, SHARED, key)
        if path in self.broken:
            raise self.broken[path]
        cassette = self.cassettes.get(path)
        source = f"the shared cassette {path}" if cassette else f"{path}: no such shared cassette"
        self._transport.load(cassette.interactions if cassette else (), source=source)
        try:
            yield
        finally:
            self._transport.current, self._transport.source = saved

    def staleness(self) -> Staleness | None:
        recorded = str(self.check_meta.get("contract_version") or self.meta.get("contract_version"))
        current = str(self.contract.info.version)
        meta = self.check_meta if self.check_meta else self.meta
        generators = _generator_drift(meta.get("generators"))
        if recorded == current and not generators:
            return None
        return Staleness(recorded=recorded, current=current, generators=generators)


def _token_path(contract: Contract) -> str | None:
    auth = getattr(contract, "auth", None)
    token_url = getattr(auth, "token_url", None)
    return str(token_url) if token_url else None


def _valid_meta(meta: Mapping[str, Any]) -> bool:
    seed, base_url = meta.get("seed", 0), meta.get("base_url")
    return (
        isinstance(seed, int)
        and not isinstance(seed, bool)
        and (base_url is None or (isinstance(base_url, str) and _is_http(base_url)))
    )


def _is_http(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


def _generator_drift(recorded: Any) -> tuple[str, ...]:
    """ "name current (recorded X)" for each generator whose version changed since recording."""
    current = generator_versions()
    if not isinstance(recorded, dict):
        return ("versions not recorded",)
    return tuple(
        f"{name} {version} (recorded {recorded.get(name, 'unknown')})"
        for name, version in current.items()
        if str(recorded.get(name)) != version
    )
