"""The seeded-faults contract fails exactly the mapping checks its faults break, with messages
that name the field paths, the transform, the counterexample and the contract line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.checks.base import Check, Verdict
from harness.checks.mapping import entities as mapping
from harness.contract import Contract, load_contract
from harness.errors import CheckFailure
from harness.settings import RunSettings

FAULTS = Path(__file__).parents[1] / "targets" / "mapping_faults"


class _NoRecords:
    status_code = 404

    def call(self, operation_id: str, **options: Any) -> _NoRecords:
        return self


class _Context:
    """Just what the mapping family uses: no target, no real records."""

    def __init__(self, contract: Contract, seed: int) -> None:
        self.contract = contract
        self.settings = RunSettings(examples=25, seed=seed)
        self.seed = seed
        self.check_id = "mapping"
        self._shared: dict[str, Any] = {}

    def client(self, **options: Any) -> _NoRecords:
        return _NoRecords()

    def shared(self, key: str, factory: Callable[[], Any]) -> Any:
        return self._shared.setdefault(key, factory())


def _outcomes(directory: Path, seed: int) -> dict[str, str]:
    contract = load_contract(str(directory))
    context = _Context(contract, seed)
    results: dict[str, str] = {}
    for check in mapping.plan(contract):
        results[check.name] = _run(check, context)
    return results


def _run(check: Check, context: _Context) -> str:
    try:
        verdict = check.run(context)  # type: ignore[arg-type]
    except CheckFailure as failure:
        return f"FAILED {failure}"
    assert isinstance(verdict, Verdict)
    return "passed"


@pytest.fixture(scope="module", params=[1, 7])
def faults(request: pytest.FixtureRequest) -> dict[str, str]:
    return _outcomes(FAULTS, request.param)


def test_exactly_the_seeded_faults_fail(faults: dict[str, str]) -> None:
    failed = {name for name, outcome in faults.items() if outcome != "passed"}
    expected = {
        "event.round_trip",
        "invoice.round_trip",
        "ticket.forward",
        "account.coverage",
        "account.forward",  # the payload lacks the required tax_id too
        "note.validation",
    }
    assert expected <= failed
    assert failed - expected <= {"note.forward"}  # a generated body over 100 characters


def test_offset_lost_names_fields_transform_and_line(faults: dict[str, str]) -> None:
    message = faults["event.round_trip"]
    assert "event.at → at_utc (python)" in message
    assert "came back as" in message
    assert ": offset lost (contract " in message
    assert message.endswith("mapping_faults/integration.yaml:17:9)")


def test_double_conversion_is_caught(faults: dict[str, str]) -> None:
    assert "invoice.totalCents → total (python)" in faults["invoice.round_trip"]
    assert "came back as" in faults["invoice.round_trip"]


def test_enum_without_counterpart(faults: dict[str, str]) -> None:
    message = faults["ticket.forward"]
    assert "ticket.status → state (enum): 'pending' cannot be mapped" in message


def test_required_vendor_field_never_mapped(faults: dict[str, str]) -> None:
    assert "theirs requires 'tax_id'" in faults["account.coverage"]


def test_truncating_length(faults: dict[str, str]) -> None:
    message = faults["note.validation"]
    assert "theirs accepts at most 100 characters but the rule allows 500" in message
