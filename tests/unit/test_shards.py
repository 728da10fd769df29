"""``--shard K/N``: a stable slice in which every check lands exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import UsageError
from harness.shards import in_shard, parse_shard, shard_key, shard_of
from harness.transports.throttle import Throttle


@dataclass(frozen=True)
class Named:
    family: str
    name: str


@given(
    names=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), unique=True),
    count=st.integers(min_value=1, max_value=12),
)
def test_every_check_lands_in_exactly_one_shard(names: list[tuple[str, str]], count: int) -> None:
    checks = [Named(family, name) for family, name in names]
    slices = [list(in_shard("acme-crm", checks, (index, count))) for index in range(1, count + 1)]
    assert sorted((c for part in slices for c in part), key=repr) == sorted(checks, key=repr)
    assert sum(len(part) for part in slices) == len(checks)


def test_the_slice_is_the_same_under_any_hash_seed() -> None:
    program = (
        "from harness.shards import shard_of, shard_key\n"
        "print([shard_of(shard_key('acme-crm', 'conformance', f'op{i}'), 3) for i in range(40)])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


def test_the_slice_is_a_fixed_function_of_the_claim() -> None:
    # crc32 of "<integration>::<family>::<name>": pinned, so every machine and version agrees
    assert shard_key("acme-crm", "performance", "p95_ms") == "acme-crm::performance::p95_ms"
    assert [shard_of("acme-crm::performance::p95_ms", n) for n in (2, 3, 4, 7)] == [1, 1, 1, 1]
    slices = [shard_of(f"acme-crm::conformance::op{i}", 2) for i in range(10)]
    assert slices == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1]


def test_one_shard_is_the_whole_run() -> None:
    checks = [Named("a", str(i)) for i in range(20)]
    assert list(in_shard("x", checks, (1, 1))) == checks


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2", "expected K/N, e.g. 1/2"),
        ("a/b", "expected K/N"),
        ("0/2", "K must be 1 to N"),
        ("3/2", "K must be 1 to N"),
        ("1/0", "N must be 1 to 1000"),
    ],
)
def test_a_bad_shard_is_a_usage_error(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_shard(text)


def test_parse_shard_reads_k_of_n() -> None:
    assert parse_shard(" 2/4 ") == (2, 4)


def test_each_shard_gets_a_share_of_the_rate_limit() -> None:
    from harness.contract.policies import RateLimit

    slept: list[float] = []
    now = [1000.0]
    throttle = Throttle(
        [RateLimit(limit=6, window="1m")],
        shards=2,
        clock=lambda: now[0],
        sleep=lambda seconds: (slept.append(seconds), now.__setitem__(0, now[0] + seconds)),
    )
    for _ in range(4):
        with throttle.slot("listContacts"):
            pass
    assert slept == [pytest.approx(60.0)]  # the 4th start waits: 3 of 6 per minute per shard
