"""Replay sessions: the run seed and base URL come from the cassettes; stale ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contract import load_contract
from harness.errors import UsageError
from harness.transports.cassette import Cassette, Interaction, cassette_path, dump_cassette
from harness.transports.cassette_session import ReplaySession

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"


def _write(root: Path, version: str) -> None:
    meta = {"seed": 7, "check_seed": 99, "contract_version": version, "base_url": "http://r.test"}
    cassette = Cassette(
        interactions=(Interaction(method="GET", uri="http://r.test/health"),),
        metadata={"harness": meta},
    )
    path = cassette_path(root, "health", "getHealth")
    path.parent.mkdir(parents=True)
    path.write_text(dump_cassette(cassette))


def test_seed_base_url_and_staleness_come_from_the_cassette(tmp_path: Path) -> None:
    contract = load_contract(ACME)
    _write(tmp_path, "1.0.0")
    session = ReplaySession(contract, root=tmp_path)
    assert (session.seed, session.base_url) == (7, "http://r.test")
    assert session.begin("health", "getHealth", 1) == 99
    stale = session.staleness()
    assert stale is not None
    assert "recorded under contract version 1.0.0" in stale.describe()
    assert contract.info.version in stale.describe()


def test_current_cassette_is_not_stale(tmp_path: Path) -> None:
    contract = load_contract(ACME)
    _write(tmp_path, str(contract.info.version))
    session = ReplaySession(contract, root=tmp_path)
    session.begin("health", "getHealth", 1)
    assert session.staleness() is None


def test_replay_without_cassettes_says_how_to_record(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--mode record"):
        ReplaySession(load_contract(ACME), root=tmp_path)
