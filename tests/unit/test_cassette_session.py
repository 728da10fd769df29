"""Replay sessions: the run seed and base URL come from the cassettes; stale ones are named."""

from __future__ import annotations

import importlib
from pathlib import Path

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st

from harness._compat.hypothesis import pinned_generation
from harness.checks.base import Check, CheckRuntime
from harness.contract import load_contract
from harness.errors import CheckFailure, Location, UsageError
from harness.results import Outcome
from harness.runner import ContractRun, run_check
from harness.settings import Mode, RunSettings
from harness.transports.cassette import (
    Cassette,
    CassetteError,
    Interaction,
    cassette_path,
    dump_cassette,
    load_cassette,
)
from harness.transports.cassette_session import (
    SHARED,
    RecordSession,
    ReplaySession,
    generator_versions,
)
from harness.transports.cassette_transport import NotRecorded
from tests.support.servers import serve
from tests.targets.replay_slow.app import build_app as build_slow_app

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"


def _write(root: Path, version: str, generators: dict[str, str] | None = None) -> None:
    meta = {
        "seed": 7,
        "check_seed": 99,
        "contract_version": version,
        "base_url": "http://r.test",
        "generators": generator_versions() if generators is None else generators,
    }
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


def test_another_generator_version_is_named(tmp_path: Path) -> None:
    contract = load_contract(ACME)
    _write(tmp_path, str(contract.info.version), {**generator_versions(), "hypothesis": "6.0.0"})
    session = ReplaySession(contract, root=tmp_path)
    session.begin("health", "getHealth", 1)
    stale = session.staleness()
    assert stale is not None
    assert "hypothesis " + generator_versions()["hypothesis"] + " (recorded 6.0.0)" in (
        stale.describe()
    )


def test_a_broken_cassette_errors_only_its_own_check(tmp_path: Path) -> None:
    contract = load_contract(ACME)
    _write(tmp_path, str(contract.info.version))
    broken = cassette_path(tmp_path, "errors", "provoked_ERR_001")
    broken.parent.mkdir(parents=True)
    broken.write_text("interactions: [")
    session = ReplaySession(contract, root=tmp_path)
    assert session.begin("health", "getHealth", 1) == 99
    with pytest.raises(CassetteError, match=f"cassette {broken} is not safe, valid YAML"):
        session.begin("errors", "provoked_ERR_001", 1)


def _draws() -> list[object]:
    seen: list[object] = []

    @hypothesis.seed(3)
    @hypothesis.settings(max_examples=150, database=None, derandomize=False)
    @hypothesis.given(st.text(max_size=30) | st.integers())
    def draw(value: object) -> None:
        seen.append(value)

    with pinned_generation():
        draw()
    return seen


def test_generation_does_not_depend_on_the_local_modules_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What made replay miss on another machine: Hypothesis drew literals of local modules."""
    before = _draws()
    (tmp_path / "vendor_literals.py").write_text(
        'WORDS = ["zz-only-in-this-module", "__main__"]\nNUMBER = 918273645\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("vendor_literals")
    after = _draws()
    assert after == before
    assert "zz-only-in-this-module" not in after


def _send_unrecorded(context: CheckRuntime) -> None:
    http = context.http()
    assert http.get("/health").status_code == 200  # recorded
    try:
        http.get("/nothing")
    except NotRecorded as missing:  # as Hypothesis reports several distinct failures
        raise ExceptionGroup("2 distinct failures", [CheckFailure("a 500"), missing]) from None


def test_a_request_not_in_the_checks_cassette_is_an_error_naming_the_closest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract = load_contract(ACME)
    _write(tmp_path / contract.id, str(contract.info.version))
    monkeypatch.setenv("HARNESS_CASSETTES", str(tmp_path))
    run = ContractRun(contract, RunSettings(mode=Mode.REPLAY))
    check = Check(
        family="health",
        name="getHealth",
        run=_send_unrecorded,
        description="sends what was not recorded",
        loc=Location(file="x", line=1, column=1),
    )
    try:
        result = run_check(run, check, "health::getHealth")
    finally:
        run.close()
    assert result.outcome is Outcome.ERROR
    assert result.message.startswith("NotRecorded: not recorded: GET http://r.test/nothing is not")
    assert "getHealth.yaml; the closest recorded request is: GET http://r.test/health" in (
        result.message
    )


def test_a_shared_value_is_recorded_once_and_replayed_for_whichever_check_needs_it(
    tmp_path: Path,
) -> None:
    contract = load_contract(ACME)
    recording = RecordSession(contract, seed=1, root=tmp_path)
    with serve(build_slow_app(), ready_path="/items") as base_url:
        with httpx.Client(base_url=base_url, transport=recording.transport()) as client:
            recording.begin("security", "first", 5)
            with recording.sharing("probe:contact"):
                client.get("/items")
            client.get("/items")
        assert recording.finish(secrets={}, base_url=base_url, client_id=None, local=True) is None
    shared = cassette_path(tmp_path, SHARED, "probe:contact")
    assert shared.name == "probe_contact.yaml"
    assert len(load_cassette(shared).interactions) == 1
    replay = ReplaySession(contract, root=tmp_path)
    with httpx.Client(base_url=replay.base_url, transport=replay.transport()) as client:
        replay.begin("security", "second", 5)  # another check, with no cassette of its own
        with replay.sharing("probe:contact"):
            assert client.get("/items").json()[0]["id"] == "it_1"
        with pytest.raises(NotRecorded, match=r"second\.yaml: this check has no cassette"):
            client.get("/items")
