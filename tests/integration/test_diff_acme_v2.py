"""``harness diff`` on acme-crm v1 → v2 (one breaking change per section), end to end."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).parents[2]
V1 = ROOT / "contracts" / "acme-crm"
V2 = ROOT / "tests" / "fixtures" / "diff" / "acme-crm-v2"

#: section → (kind, a word the migration note must name): one breaking change per section.
EXPECTED = {
    "endpoints": [
        ("operation-removed", "patchContact"),
        ("new-required-request-property", "source"),
        ("response-type-changed", "integer"),
        ("sunset-reached", "listDeals"),
    ],
    "config": [("config-required-added", "ACME_REGION")],
    "auth": [("auth-token-url-changed", "/oauth2/token")],
    "mappings": [("mapped-field-retyped", "contact.createdAt")],
    "errors": [("error-status-changed", "422")],
    "retry": [("retry-idempotency-header-changed", "X-Idempotency-Key")],
    "rate_limits": [("rate-limit-lowered", "30/1m")],
    "webhooks": [
        ("webhook-event-removed", "deal.created"),
        ("webhook-signature-scheme-changed", "stripe"),
        ("response-required-property-removed", "created_at"),
    ],
    "health": [("health-check-changed", "204")],
    "performance": [("performance-weakened", "900")],
    "security": [("pii-field-added", "contact.company")],
}


@pytest.fixture(scope="module")
def report() -> dict[str, object]:
    """The JSON report, run from the repository root (locations are relative to it)."""
    buffer = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(buffer):
        patch.chdir(ROOT)
        code = main(
            ["diff", "contracts/acme-crm", "tests/fixtures/diff/acme-crm-v2", "--format", "json"]
        )
    data = json.loads(buffer.getvalue())
    data["exit"] = code
    return data


def test_diff_of_acme_v2_exits_1_on_breaking_changes(report: dict[str, object]) -> None:
    assert report["exit"] == 1
    summary = report["summary"]
    assert isinstance(summary, dict)
    assert summary["breaking"] >= sum(len(kinds) for kinds in EXPECTED.values())


@pytest.mark.parametrize("section", sorted(EXPECTED))
def test_diff_of_acme_v2_lists_each_breaking_change_with_its_note(
    report: dict[str, object], section: str
) -> None:
    changes = report["changes"]
    assert isinstance(changes, list)
    for kind, word in EXPECTED[section]:
        found = [c for c in changes if c["section"] == section and c["kind"] == kind]
        assert found, f"{section}/{kind} not reported; got {[c['kind'] for c in changes]}"
        change = found[0]
        assert change["severity"] == "breaking"
        assert word in change["migration"] + change["message"]
        assert change["migration"]
        located = [where for where in (change["old"], change["new"]) if where]
        assert located, change
        assert all(":" in where for where in located), change


def test_diff_locations_point_at_the_changed_lines(report: dict[str, object]) -> None:
    changes = report["changes"]
    assert isinstance(changes, list)
    (rate,) = [c for c in changes if c["kind"] == "rate-limit-lowered"]
    old_file, old_line = rate["old"].rsplit(":", 2)[:2]
    new_file, new_line = rate["new"].rsplit(":", 2)[:2]
    assert "limit: 60" in (ROOT / old_file).read_text().splitlines()[int(old_line) - 1]
    assert "limit: 30" in (ROOT / new_file).read_text().splitlines()[int(new_line) - 1]


def test_diff_of_a_contract_with_itself_is_empty_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diff", str(V1), str(V1)]) == 0
    assert "0 breaking, 0 needs review, 0 non-breaking" in capsys.readouterr().out


def test_diff_markdown_is_a_table_for_a_pr_comment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(V1), str(V2), "--format", "markdown"]) == 1
    text = capsys.readouterr().out
    assert text.startswith("### harness diff")
    assert "| class | section | change | subject | where (old → new) | migration |" in text
    assert "`rate-limit-lowered`" in text


def test_diff_against_a_new_vendor_document_checks_our_mappings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diff", str(V1), "--openapi", str(V2 / "openapi.yaml")]) == 1
    text = capsys.readouterr().out
    assert "mappings/mapped-field-retyped: contact.createdAt" in text
    assert "endpoints/operation-removed: patchContact" in text
    assert "rate_limits/" not in text  # the contract's own sections did not change


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "no/such/folder", str(V1)], "no/such/folder: no such contract folder"),
        (["diff", str(V1), "--openapi", "missing.yaml"], "missing.yaml: no such OpenAPI document"),
        (["diff", "HEAD~100000:contracts/acme-crm", str(V1)], "cannot read this git version"),
        (["diff", str(V1)], "give NEW"),
        (["diff", str(V1), str(V1), "--openapi", str(V2 / "openapi.yaml")], "not both"),
        (["diff", str(V1 / "workflows.arazzo.yaml"), str(V2 / "openapi.yaml")], "not an OpenAPI"),
        (["diff", str(V1 / "openapi.yaml"), str(V2)], "--openapi NEW.yaml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_diff_of_a_git_ref_against_the_working_tree(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        cwd=ROOT,
        timeout=30,
        check=False,
    )
    if inside.returncode != 0:
        pytest.skip("not a git checkout")
    assert main(["diff", "HEAD:contracts/acme-crm", str(V2)]) == 1
    text = capsys.readouterr().out
    assert "HEAD:contracts/acme-crm/integration.yaml:" in text
