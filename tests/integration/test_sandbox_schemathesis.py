"""The independent check: Schemathesis's own CLI, pointed at the running sandbox, finds no
server errors and no status-code, content-type or response-schema non-conformance in valid
requests, and no invalid request accepted (an invalid request the document declares no
refusal for gets an undocumented 4xx with a ``Harness-Sandbox-Note``, so the status-code
check is left to the valid ones).

Two contracts: acme-crm (OpenAPI 3.1, every phase including the negative coverage phase)
and one over the unmodified Swagger Petstore v3 document (OpenAPI 3.0), which the sandbox
has never been tuned for. Examples are bounded and seeded; no Hypothesis database is written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness import load_contract
from harness.contract.model import AuthType
from harness.sandbox import ADMIN_PREFIX, Sandbox, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {
    "positive": "not_a_server_error,status_code_conformance,"
    "response_schema_conformance,content_type_conformance",
    "negative": "not_a_server_error,negative_data_rejection,"
    "response_schema_conformance,content_type_conformance",
}


def _auth_header(sandbox: Sandbox) -> str:
    auth = sandbox.app.contract.auth
    assert auth is not None
    if auth.type is AuthType.OAUTH2_CLIENT_CREDENTIALS:
        return f"Authorization: Bearer {sandbox.controls.issue_token()}"
    assert auth.type is AuthType.API_KEY
    assert sandbox.credentials.api_key is not None
    return f"{auth.header}: {sandbox.credentials.api_key.reveal()}"


@pytest.mark.parametrize(
    ("contract_dir", "phases", "mode"),
    [
        ("contracts/acme-crm", "examples,coverage,fuzzing,stateful", "positive"),
        ("tests/fixtures/petstore", "examples,coverage,fuzzing,stateful", "positive"),
        # Petstore's XML bodies are only checked for well-formedness, not against the schema.
        ("contracts/acme-crm", "coverage,fuzzing", "negative"),
    ],
    ids=["acme-crm", "petstore", "acme-crm-negative"],
)
def test_schemathesis_finds_no_nonconformance(
    contract_dir: str, phases: str, mode: str, tmp_path: Path
) -> None:
    contract = load_contract(ROOT / contract_dir)
    with running_sandbox(contract, seed=1, enforce_rate_limits=False) as sandbox:
        command = [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            f"{sandbox.base_url}{ADMIN_PREFIX}/openapi.json",
            "--url",
            sandbox.base_url,
            "--header",
            _auth_header(sandbox),
            "--checks",
            CHECKS[mode],
            "--mode",
            mode,
            "--phases",
            phases,
            "--max-examples",
            "10" if mode == "positive" else "5",
            "--seed",
            "1",
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
        ]
        result = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=110, check=False
        )
    report = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "FAILURES" not in result.stdout, report
