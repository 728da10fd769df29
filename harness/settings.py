"""The settings of one run and the target it runs against (no checks, no pytest here).

``RunSettings`` holds the options of a run after defaults (``--harness-*`` flags and
``harness_*`` ini keys); ``Target`` is where the requests go: a base URL, the credentials it
accepts and, for the local sandbox, its controls.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from harness.contract.model import Environment

if TYPE_CHECKING:
    from harness.auth import Credentials


class Mode(StrEnum):
    LIVE = "live"
    RECORD = "record"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSettings:
    """The options of one run, after defaults (``--harness-*`` and ``harness_*`` ini keys)."""

    environment: str = "local"
    mode: Mode = Mode.LIVE
    families: frozenset[str] = frozenset()  # empty: every family
    examples: int = 20
    seed: int = 0
    base_url: str | None = None
    allow_protected: bool = False
    report_dir: str = "reports"
    probe_large: bool = False  # probe rate limits above ratelimit.LARGE_LIMIT too
    strict_contract: bool = False  # contract-hygiene findings fail the run (else: skipped)
    shard: tuple[int, int] = (1, 1)  # --shard K/N: this run holds slice K of N
    load: str | None = None  # --harness-load: the performance probe's load (checked at the edge)

    def check_seed(self, check_id: str) -> int:
        """A per-check seed: stable for a run seed, different between checks."""
        return zlib.crc32(f"{self.seed}:{check_id}".encode()) & 0x7FFFFFFF


class SandboxControls(Protocol):
    """The part of the local sandbox's controls that checks use."""

    def revoke_tokens(self) -> None: ...

    def advance_clock(self, seconds: float) -> None: ...

    def set_rate_limit_enforcement(self, enabled: bool) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """Where requests go: a base URL, the credentials it accepts, and (locally) controls."""

    environment: Environment
    base_url: str
    credentials: Credentials
    controls: SandboxControls | None = None

    @property
    def protected(self) -> bool:
        return self.environment.protected
