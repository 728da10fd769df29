"""Faults during a run, with real processes: a target that dies, a run that is killed.

A target killed mid-run: the checks after it error at once ("target went away at …"),
none waits on the dead port. A run killed with SIGKILL or SIGINT: its results.json says
``"complete": false`` and no report of the previous run is left beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpcore  # noqa: F401 - loaded now: pytester's inline runs would drop a later import
import httpx
import pytest

from tests.support.servers import free_port

ROOT = Path(__file__).parents[2]
ACME = ROOT / "contracts" / "acme-crm"
SECRETS = {
    "ACME_CLIENT_SECRET": "cs-faults-test-1234",
    "ACME_WEBHOOK_SECRET": "whsec_ZmF1bHRzLXRlc3Qtd2ViaG9vaw==",
}
STALE = ("health.json", "compliance.json", "summary.md", "report.html")


def _environment() -> dict[str, str]:
    return {**os.environ, **SECRETS, "HYPOTHESIS_PROFILE": "default"}


def _harness(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=cwd,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _results(path: Path) -> dict[str, object] | None:
    try:
        document: dict[str, object] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return document


def _wait_for_checks(path: Path, count: int, process: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        document = _results(path)
        running = document is not None and document["run"].get("complete") is False  # type: ignore[attr-defined]
        if running and len(document["checks"]) >= count:  # type: ignore[arg-type, index]
            return document  # type: ignore[return-value]
        if process.poll() is not None:
            pytest.fail(f"the run ended before {count} checks: {process.communicate()[0][-2000:]}")
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"no {count} checks in {path} within 180 s")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(ACME, tmp_path / "contracts" / "acme-crm")
    return tmp_path


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[str]
    url: str


@pytest.fixture
def sandbox(workdir: Path) -> Iterator[Served]:
    """``harness sandbox`` in its own process (so that it can be killed), and its URL."""
    port = free_port()
    process = _harness("sandbox", "contracts/acme-crm", "--port", str(port), cwd=workdir)
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}", process)
        yield Served(process, f"http://127.0.0.1:{port}")
    finally:
        process.kill()
        process.communicate(timeout=30)


def _wait_until_answering(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(url + "/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    pytest.fail(f"the sandbox at {url} did not answer within 60 s")


def test_checks_after_the_target_died_error_at_once(workdir: Path, sandbox: Served) -> None:
    run = _harness(
        "check", "contracts/acme-crm", "--env", "sandbox", "--base-url", sandbox.url,
        "--family", "conformance", "--seed", "1", "--examples", "5", "--report-dir", "out",
        cwd=workdir,
    )  # fmt: skip
    results = workdir / "out" / "acme-crm" / "results.json"
    _wait_for_checks(results, 2, run)
    sandbox.process.kill()
    killed = time.monotonic()
    output, _ = run.communicate(timeout=240)
    after_kill = time.monotonic() - killed
    document = _results(results)
    assert document is not None, output[-2000:]
    checks = document["checks"]
    gone = [c for c in checks if "target went away at" in c["message"]]  # type: ignore[union-attr]
    assert gone, output[-3000:]
    assert all(c["outcome"] in ("error", "failed") for c in gone)  # type: ignore[index]
    failed_late = [c for c in checks if c["outcome"] == "failed" and c in gone]  # type: ignore[index]
    assert len(failed_late) <= 1  # at most the check that was running when it died
    assert after_kill < 90, f"{after_kill:.0f} s after the kill: checks waited on a dead port"
    assert run.returncode == 1
    assert "not run or stopped short" in output


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_run_is_marked_incomplete_without_stale_reports(
    workdir: Path, how: signal.Signals
) -> None:
    first = _harness(
        "check", "contracts/acme-crm", "--family", "health", "--report-dir", "out", cwd=workdir
    )
    output, _ = first.communicate(timeout=240)
    folder = workdir / "out" / "acme-crm"
    assert all((folder / name).is_file() for name in STALE), output[-2000:]
    assert _results(folder / "results.json")["run"]["complete"] is True  # type: ignore[index]

    second = _harness(
        "check", "contracts/acme-crm", "--family", "conformance", "--report-dir", "out",
        cwd=workdir,
    )  # fmt: skip
    _wait_for_checks(folder / "results.json", 1, second)
    second.send_signal(how)
    output, _ = second.communicate(timeout=120)
    document = _results(folder / "results.json")
    assert document is not None
    assert document["run"]["complete"] is False  # type: ignore[index]
    assert document["checks"]
    left = [name for name in STALE if (folder / name).exists()]
    assert left == [], f"the previous run's {left} look current beside an incomplete run"
    assert not (workdir / "out" / "summary.md").exists()
    if how == signal.SIGKILL:  # Ctrl-C lets pytest write this run's junit.xml
        assert not (workdir / "out" / "junit.xml").exists()
    if how == signal.SIGINT:
        assert "complete" in output
        assert "Traceback" not in output
