"""`harness check contracts/acme-crm` runs the mapping family against the local sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"


@pytest.mark.parametrize("seed", [2])
def test_mapping_family_passes_with_a_coverage_table(tmp_path: Path, seed: int) -> None:
    command = [
        sys.executable, "-m", "harness.cli", "check", str(ACME), "--family", "mapping",
        "--seed", str(seed), "--report-dir", str(tmp_path), "--", "-p", "no:xdist",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    checks = json.loads((tmp_path / "acme-crm" / "results.json").read_text())["checks"]
    mapping = {check["name"]: check for check in checks if check["family"] == "mapping"}
    assert len(mapping) == 12  # six claims per entity
    skipped = {name for name, check in mapping.items() if check["outcome"] != "passed"}
    assert skipped == {"deal.validation"}  # deal declares no validate rule: nothing to judge
    assert mapping["deal.validation"]["message"].startswith("inconclusive: ")
    # run alone the sandbox holds no deal: one is created (the example's contact_id names no
    # contact, so with its required fields only) and judged as a real record
    assert "1 real record(s)" in mapping["deal.backward"]["message"]
    rows = mapping["deal.round_trip"]["data"]["table"]
    money = next(row for row in rows if row["transform"] == "money")
    assert money == {
        "field": "amountCents, currency ↔ amount, currency",
        "direction": "round_trip",
        "transform": "money",
        "checked": money["checked"],
        "status": "passed",
    }
    assert money["checked"] > 0
    assert "real record(s)" in mapping["contact.backward"]["message"]
    assert mapping["contact.coverage"]["data"]["unmapped_theirs"] == ["updated_date"]
