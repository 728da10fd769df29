"""``mapping::<entity>.stored``: what the vendor stores is what it was sent, or changed only as
the mapping declares. Judged against the real local sandbox, behind the mutating proxy of
tests/mutants/: unmutated it passes; with the ``email_uppercased`` fault (the vendor keeps
e-mails upper-cased though the mapping declares ``lower``) it fails naming the field, both
values and the contract line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.mutants.catalogue import MUTANTS
from tests.mutants.mutant import BASELINE
from tests.mutants.score import MutantRun, run_mutant

UPPERCASED = next(mutant for mutant in MUTANTS if mutant.name == "email_uppercased")


def _stored(run: MutantRun) -> dict[str, tuple[str, str]]:
    assert not run.problem, run.problem
    return {
        verdict.id.rpartition("::")[2]: (verdict.outcome, verdict.message)
        for verdict in run.verdicts
        if verdict.id.endswith(".stored")
    }


def test_unmutated_sandbox_stores_what_it_was_sent(tmp_path: Path) -> None:
    run = run_mutant(BASELINE, families=("mapping",), select="stored", report_dir=tmp_path)
    stored = _stored(run)
    assert set(stored) == {"contact.stored", "deal.stored"}
    for outcome, message in stored.values():
        assert outcome == "passed", message
    assert "email" in stored["contact.stored"][1]
    assert "getContact: 200" in stored["contact.stored"][1]


def test_an_upper_cased_email_fails_naming_field_values_and_line(tmp_path: Path) -> None:
    run = run_mutant(UPPERCASED, families=("mapping",), select="stored", report_dir=tmp_path)
    assert _stored(run)["contact.stored"][0] == "failed", run.verdicts
    checks = json.loads((tmp_path / "acme-crm" / "results.json").read_text())["checks"]
    message = next(c["message"] for c in checks if c["name"] == "contact.stored")
    assert "contact.email ↔ email (lower)" in message
    assert "sent 'ada+" in message
    assert "stored 'ADA+" in message
    assert "integration.yaml:" in message
