"""What a check is, and what it is given to run: no pytest here.

A family module exposes ``plan(contract) -> list[Check]``; each ``Check.run`` takes a
``CheckContext`` and returns a ``Verdict`` (or ``None`` for a plain pass), raises
``CheckFailure`` when the integration broke its contract, and lets ``HarnessError``
propagate when the run itself broke.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from harness.contract import Contract
from harness.contract.model import Environment
from harness.errors import Location
from harness.results import Family, Outcome

if TYPE_CHECKING:
    import httpx

    from harness.auth import Credentials
    from harness.transports.client import HarnessClient
    from harness.transports.exchange import Exchange


T = TypeVar("T")


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


class CheckContext(Protocol):
    """What a running check may use; the plugin provides it."""

    @property
    def contract(self) -> Contract: ...

    @property
    def settings(self) -> RunSettings: ...

    @property
    def target(self) -> Target: ...

    @property
    def check_id(self) -> str: ...

    @property
    def seed(self) -> int: ...

    def client(self, **options: Any) -> HarnessClient:
        """A contract-driven client to the target (shared unless options are given)."""
        ...

    def http(self) -> httpx.Client:
        """A bare httpx client to the target: no auth, no retries (for negative probes)."""
        ...

    def record(self, exchange: Exchange) -> None:
        """Keep an exchange of this check for evidence and the run's metrics."""
        ...

    def exchanges(self) -> tuple[Exchange, ...]:
        """Every exchange the run's shared clients recorded so far (this process only)."""
        ...

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """A value built once per contract and run (a loaded schema, a token provider)."""
        ...

    def secrets(self) -> frozenset[str]:
        """Every secret value of this run, for redaction (never for display)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """A check's conclusion when it is not a plain pass."""

    outcome: Outcome = Outcome.PASSED
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


CheckFunction = Callable[[CheckContext], "Verdict | None"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """One verifiable claim of the contract."""

    family: Family
    name: str
    run: CheckFunction
    description: str
    loc: Location
    mutating: bool = False  # writes to the target
    fuzzing: bool = False  # sends generated, possibly invalid, requests
    needs_sandbox: bool = False  # needs the local sandbox's controls

    def refusal(self, target: Target, *, allow_protected: bool) -> str | None:
        """Why this check must not run against ``target``, or None."""
        if self.needs_sandbox and target.controls is None:
            return f"needs the local sandbox's controls; '{target.environment.name}' has none"
        if target.protected and not allow_protected and (self.mutating or self.fuzzing):
            kind = "writes to" if self.mutating else "fuzzes"
            return (
                f"it {kind} the target and environment '{target.environment.name}' is "
                "protected; pass --allow-protected to run it anyway"
            )
        return None
