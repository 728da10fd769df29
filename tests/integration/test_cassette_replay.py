"""Record the acme-crm check once, replay it with sockets blocked: the same verdicts, and no
planted secret anywhere in the output (terminal, DEBUG log, JUnit, reports, cassettes)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.transports.cassette_scrub import encoded_forms

ROOT = Path(__file__).parents[2]
CLIENT_SECRET = 'pl4nted/Replay"Secret+value'
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"planted-replay-webhook-key!!").decode()
BLOCK_SOCKETS = """
import socket
def _refuse(self, *args, **kwargs):
    raise OSError("network disabled in replay test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = lambda *a, **k: _refuse(None)
"""


def _run(tmp: Path, mode: str, extra_env: dict[str, str]) -> tuple[dict[str, str], str]:
    junit = tmp / f"{mode}.xml"
    env = {
        **os.environ,
        "HARNESS_CASSETTES": str(tmp / "cassettes"),
        "ACME_CLIENT_SECRET": CLIENT_SECRET,
        "ACME_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **extra_env,
    }
    command = [
        sys.executable, "-m", "pytest", "contracts/acme-crm", "-p", "no:cacheprovider",
        f"--harness-mode={mode}", "--harness-seed=4", "--harness-examples=5",
        "--harness-family=auth", "--harness-family=health", "--harness-family=conformance",
        f"--harness-report-dir={tmp / ('reports-' + mode)}", f"--junitxml={junit}",
        "-l", "--log-level=DEBUG", "-rA", "-o", "log_cli=true", "-o", "log_cli_level=DEBUG",
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        verdicts = [child for child in case if child.tag in ("failure", "error", "skipped")]
        kind = verdicts[0].tag if verdicts else "passed"
        if kind == "skipped" and "sandbox's controls" in verdicts[0].get("message", ""):
            kind = "skipped: needs the sandbox"
        outcomes[case.get("name", "")] = kind
    return outcomes, done.stdout + done.stderr


def test_record_then_replay_offline_gives_the_same_verdicts_and_leaks_nothing(
    tmp_path: Path,
) -> None:
    recorded, record_output = _run(tmp_path, "record", {})
    # Named site-packages so that Hypothesis does not draw examples from its literals.
    site = tmp_path / "blocked" / "site-packages"
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(BLOCK_SOCKETS)
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    replayed, replay_output = _run(tmp_path, "replay", {"PYTHONPATH": path})
    assert recorded, record_output[-2000:]
    # Checks that drive the sandbox's controls cannot run from cassettes: skipped, by name.
    needs_sandbox = {name for name, kind in replayed.items() if kind.endswith("the sandbox")}
    assert len(needs_sandbox) <= 3
    same = {name: kind for name, kind in replayed.items() if name not in needs_sandbox}
    assert same == {name: recorded[name] for name in same}, replay_output[-3000:]
    assert set(replayed) == set(recorded)
    assert sum(kind == "passed" for kind in same.values()) >= 30
    assert "network disabled" not in replay_output
    texts = [record_output, replay_output]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    leaks = [
        name
        for text in texts
        for secret in (CLIENT_SECRET, WEBHOOK_SECRET)
        for name, form in encoded_forms(secret, "harness-local")
        if form in text
    ]
    assert leaks == []
