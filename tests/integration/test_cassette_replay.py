"""Record the acme-crm check once, replay it with sockets blocked: the same verdicts, and no
planted secret anywhere in the output (terminal, DEBUG log, JUnit, reports, cassettes)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness.transports.cassette_scrub import encoded_forms
from tests.support.servers import serve
from tests.targets.replay_slow.app import build_app as build_slow_app

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


# --- Replay judges the target: recorded timings, a fresh copy, broken cassettes --------------

SLOW = ROOT / "tests" / "targets" / "replay_slow"
#: Imported before harness in the fresh-copy run: stdlib and a local module full of literals,
#: so that generation would change if it still drew constants from loaded local modules.
OTHER_IMPORTS = (
    "import json, decimal, fractions, email.utils, csv, uuid, sys; import localconsts; "
    "from harness.cli import main; sys.exit(main(sys.argv[1:]))"
)
LOCAL_CONSTANTS = (
    'NAMES = ["__main__", "ct_00000000000000000000000000", "zebra", "x" * 40]\n'
    "NUMBERS = [0, -1, 2**63, 987654321, 3.5e300]\n"
)


def _check(args: list[str], *, cwd: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Run ``harness check`` in a child process; the results by id (family::name)."""
    reports = cwd / f"reports-{len(list(cwd.glob('reports-*')))}"
    command = [sys.executable, "-m", "harness.cli", "check", *args, "--report-dir", str(reports)]
    done = subprocess.run(
        [*command, "--", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    files = list(reports.glob("*/results.json"))
    assert files, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(files[0].read_text())
    return {item["id"].partition("::")[2]: item for item in results["checks"]}


def test_replay_judges_the_recorded_latency_not_the_speed_of_replay(tmp_path: Path) -> None:
    env = {"HARNESS_CASSETTES": str(tmp_path / "cassettes")}
    args = [str(SLOW), "--env", "staging", "--family", "health", "--family", "conformance"]
    with serve(build_slow_app(), ready_path="/items") as base_url:
        live = {**env, "REPLAY_SLOW_URL": base_url}
        recorded = _check([*args, "--mode", "record"], cwd=tmp_path, env=live)
    assert recorded["health::getHealth"]["outcome"] == "failed"
    # Replayed offline (the server is gone, its URL a closed port): the same verdict.
    dead = {**env, "REPLAY_SLOW_URL": "http://127.0.0.1:9"}
    replayed = _check([*args, "--mode", "replay"], cwd=tmp_path, env=dead)
    health = replayed["health::getHealth"]
    assert health["outcome"] == "failed", health["message"]
    assert "(median of 3, recorded)" in health["message"]
    assert min(health["data"]["latency_ms"]) >= 250
    report = json.loads(next(tmp_path.glob("reports-1/*/health.json")).read_text())
    assert report["status"] == "unhealthy"
    assert report["metrics"]["max_ms"] >= 250  # recorded, not replay's microseconds
    # A cassette without timings: the latency claim is not judged — skipped, never passed.
    cassette = tmp_path / "cassettes" / "replay-slow" / "health" / "getHealth.yaml"
    cassette.write_text(re.sub(r"\n\s*elapsed_ms: [0-9.e+-]+", "", cassette.read_text()))
    untimed = _check([*args, "--mode", "replay"], cwd=tmp_path, env=dead)["health::getHealth"]
    assert untimed["outcome"] == "skipped", untimed["message"]
    assert "no recorded timing" in untimed["message"]


def test_committed_cassettes_replay_green_from_a_fresh_copy(tmp_path: Path) -> None:
    """Another folder, no HARNESS_CASSETTES, other modules imported first: all green."""
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "cassettes", tmp_path / "cassettes")
    (tmp_path / "localconsts.py").write_text(LOCAL_CONSTANTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-c", OTHER_IMPORTS, "check", "contracts/acme-crm", "--mode", "replay",
         "--report-dir", str(reports), "--", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    results = json.loads((reports / "acme-crm" / "results.json").read_text())
    bad = {
        item["id"]: item["message"][:300]
        for item in results["checks"]
        if item["outcome"] in ("failed", "error")
    }
    assert bad == {}, done.stdout[-2000:]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert results["counts"]["passed"] >= 60


def test_a_broken_cassette_errors_its_check_and_the_others_still_run(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "contracts", tmp_path / "contracts")
    shutil.copytree(ROOT / "cassettes", tmp_path / "cassettes")
    broken = tmp_path / "cassettes" / "acme-crm" / "health" / "getHealth.yaml"
    broken.write_text(broken.read_text()[:300])  # truncated
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    args = ["contracts/acme-crm", "--mode", "replay", "--family", "health", "--family", "errors"]
    results = _check(args, cwd=tmp_path, env=env)
    health = results["health::getHealth"]
    assert health["outcome"] == "error"
    assert "cassette" in health["message"]
    assert str(Path("health") / "getHealth.yaml") in health["message"]
    others = {
        name: item["outcome"] for name, item in results.items() if name != "health::getHealth"
    }
    assert sum(outcome == "passed" for outcome in others.values()) >= 5, others
    assert "error" not in others.values(), others
