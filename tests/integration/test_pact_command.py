"""``harness pact export | verify | stub`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness import load_contract
from harness.pact.states import STATE_PATH
from harness.pact.stub import PactStub
from harness.sandbox import running_sandbox
from tests.support.servers import serve

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
PACT = "acme-crm-integration-acme-crm.json"


def _harness(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pacts")
    done = _harness("pact", "export", str(ACME), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / PACT} (13 interactions, Pact V4)" in done.stdout
    return out / PACT


def test_export_then_verify_against_the_sandbox(exported: Path) -> None:
    with running_sandbox(load_contract(ACME)) as sandbox:
        done = _harness(
            "pact", "verify", str(exported), "--base-url", sandbox.base_url,
            "--state-url", sandbox.base_url + STATE_PATH,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "every interaction verified" in done.stdout


def test_verify_without_states_fails_and_says_why(exported: Path) -> None:
    with running_sandbox(load_contract(ACME)) as sandbox:
        done = _harness("pact", "verify", str(exported), "--base-url", sandbox.base_url)
    assert done.returncode == 1
    assert "FAIL acme-crm: getContact returns 200" in done.stdout
    assert "repeat: curl" in done.stdout


def test_export_of_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = _harness("pact", "export", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert "is not a contract folder" in done.stderr


def test_the_stub_answers_from_the_pact(exported: Path) -> None:
    with serve(PactStub([exported]), ready_path="/health") as base:
        token = {"Authorization": "Bearer anything"}
        contact = httpx.get(f"{base}/contacts/ct_01JB8Z6X4M2Q9R7T5V3W1Y0A8C", headers=token)
        assert contact.status_code == 200
        assert contact.json()["email"] == "ada@example.com"
        assert httpx.get(f"{base}/contacts", headers={"X-API-Version": "1.0"}).status_code == 401
        duplicate = {"full_name": "Ada Lovelace", "email": "dup@example.com"}
        assert httpx.post(f"{base}/contacts", json=duplicate, headers=token).status_code == 409
        unknown = httpx.get(f"{base}/nowhere")
        assert unknown.status_code == 404
        assert "GET /health" in unknown.json()["known"]
