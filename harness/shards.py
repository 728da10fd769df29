"""``--shard K/N``: a stable slice of the check items, the same on every machine.

A check belongs to shard ``crc32("<integration>::<family>::<name>") % N + 1``. The key
names the claim, not a path or the order of collection, and CRC-32 does not depend on
Python's hash seed, so every CI job of a matrix computes the same slices from the same
contracts, and each check lands in exactly one of them.

Rules for a sharded run (documented in the README):

* each shard writes its own results (``--report-dir`` per shard); ``harness report --merge``
  joins them into one set of reports with the verdicts of a single run;
* a rate-limit budget against a shared vendor sandbox is split: each shard may use
  ``1/N`` of every declared ``limit`` per window (the throttle's ``shards``), so N
  jobs together stay within the limit even when they run at the same time;
* checks that judge the exchanges of earlier checks (``errors``' "no undeclared code")
  see the exchanges of their own shard only, as under pytest-xdist.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

from harness.errors import UsageError

MAX_SHARDS = 1000
_SHARD = re.compile(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*")


class Named(Protocol):
    """What a check has that the slice is computed from."""

    @property
    def family(self) -> str: ...

    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


def parse_shard(text: str, flag: str = "--shard") -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``; a usage error that says what is expected otherwise."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise UsageError(f"{flag} {text[:40]!r}: expected K/N, e.g. 1/2 (shard K of N)")
    index, count = int(match.group(1)), int(match.group(2))
    if not 1 <= count <= MAX_SHARDS:
        raise UsageError(f"{flag} {text}: N must be 1 to {MAX_SHARDS}")
    if not 1 <= index <= count:
        raise UsageError(f"{flag} {text}: K must be 1 to N ({count})")
    return index, count


def shard_key(integration: str, family: str, name: str) -> str:
    """What a check's shard is computed from: the claim it checks, nothing machine-specific."""
    return f"{integration}::{family}::{name}"


def shard_of(key: str, count: int) -> int:
    """The shard (1..count) that holds ``key``."""
    return zlib.crc32(key.encode("utf-8")) % count + 1


def in_shard(integration: str, checks: Iterable[T], shard: tuple[int, int]) -> Iterator[T]:
    """The checks of ``integration`` that shard ``(K, N)`` runs (every one when N is 1)."""
    index, count = shard
    for check in checks:
        if count == 1 or shard_of(shard_key(integration, check.family, check.name), count) == index:
            yield check
