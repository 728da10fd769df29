"""``serve`` (behind ``harness sandbox``): the banner's own curl lines work, as printed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness import UsageError, load_contract
from harness.sandbox import serve

ROOT = Path(__file__).resolve().parents[2]
SERVE = (
    "from harness import load_contract\n"
    "from harness.sandbox import serve\n"
    "serve(load_contract('contracts/acme-crm'), host='127.0.0.1', port=0, seed=0,"
    " allow_public=False)\n"
)


def test_a_newcomer_can_paste_the_printed_curl_lines() -> None:
    command = [sys.executable, "-c", SERVE]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            lines = _banner(process)
            token_line = next(line for line in lines if line.startswith("TOKEN=$("))
            read_line = lines[lines.index(token_line) + 1]
            assert read_line.startswith("curl -s http://127.0.0.1:")
            output = subprocess.run(
                ["bash", "-c", f"{token_line}\n{read_line}\n"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
    page = json.loads(output)
    assert page == {"data": [], "page": 1, "per_page": 20, "total": 0, "next_page": None}


def _banner(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.startswith("Press CTRL+C"):
            return lines
    raise AssertionError("the banner ended early:\n" + "\n".join(lines))


def test_serve_refuses_a_public_host_unless_asked() -> None:
    contract = load_contract(ROOT / "contracts" / "acme-crm")
    with pytest.raises(UsageError, match="--host"):
        serve(contract, host="0.0.0.0", port=0, seed=0, allow_public=False)
