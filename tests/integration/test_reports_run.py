"""`harness check` leaves health and compliance reports; Allure, the browser, the guide.

Each test runs ``harness check`` in a subprocess, in a scratch folder holding a copy of the
acme-crm contract (changed where a test needs a failing check), against the local sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("--family", "health", "--family", "security", "--family", "compliance")
STRICT = "--harness-strict-contract"


def _harness(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())"]
    return subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)  # restored after the test, whatever it changes
    shutil.copytree(ROOT / "contracts" / "acme-crm", tmp_path / "contracts" / "acme-crm")
    return tmp_path


def _unversion(workspace: Path) -> None:
    """info.version 1.3.0 has no changelog entry: compliance.changelog_has_version finds it.

    That is contract hygiene: a warning in the compliance report, and a failed check only
    with --harness-strict-contract (STRICT).
    """
    path = workspace / "contracts" / "acme-crm" / "integration.yaml"
    path.write_text(path.read_text().replace('version: "1.2.0"', 'version: "1.3.0"', 1))


def test_check_leaves_reports_history_and_a_step_summary(workspace: Path):
    summary = workspace / "step-summary.md"
    done = _harness(workspace, "check", "contracts/acme-crm", *FAMILIES,
                    env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    folder = workspace / "reports" / "acme-crm"
    for name in ("health", "compliance"):
        schema = json.loads((ROOT / "harness" / "reporting" / f"{name}.schema.json").read_text())
        jsonschema.validate(json.loads((folder / f"{name}.json").read_text()), schema)
    health = json.loads((folder / "health.json").read_text())
    assert health["status"] == "healthy", health["rule"]
    assert health["metrics"]["requests"] > 0
    assert health["families"]["security"]["failed"] == 0
    assert "## 🟢 acme-crm: healthy" in summary.read_text()
    assert (workspace / "reports" / "history.sqlite").is_file()
    assert "| acme-crm | healthy |" in (workspace / "reports" / "summary.md").read_text()
    html = (folder / "report.html").read_text()
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    _unversion(workspace)
    again = _harness(workspace, "check", "contracts/acme-crm", *FAMILIES, "--", STRICT)
    assert again.returncode == 1
    health = json.loads((folder / "health.json").read_text())
    assert health["changes"]["newly_failing"] == [
        "contracts/acme-crm/integration.yaml::compliance::changelog_has_version"
    ]
    os.chdir(workspace)  # report and guide run in-process: no pytest, no target
    assert main(["report", "--from", "reports"]) == 0
    assert main(["guide", "contracts/acme-crm"]) == 0
    text = (folder / "guide.md").read_text()
    assert "measured (last run)" in text
    assert "## Performance" in text


def _allure_statuses(folder: Path) -> dict[str, str]:
    found = {}
    for path in folder.glob("*-result.json"):
        result = json.loads(path.read_text())
        labels = {label["name"]: label["value"] for label in result["labels"]}
        found[result["name"]] = result["status"]
        if result["name"] == "changelog_has_version":
            assert (labels["epic"], labels["feature"]) == ("acme-crm", "compliance")
    return found


def test_allure_results_separate_failed_from_broken(workspace: Path):
    _unversion(workspace)
    _harness(
        workspace, "check", "contracts/acme-crm", *FAMILIES, "--", "--alluredir=allure", STRICT
    )
    statuses = _allure_statuses(workspace / "allure")
    assert statuses["changelog_has_version"] == "failed"
    assert statuses["no_secret_in_files"] == "passed"
    categories = json.loads((workspace / "allure" / "categories.json").read_text())
    assert [c["name"] for c in categories][:1] == ["Contract violated"]
    assert "mode = live" in (workspace / "allure" / "environment.properties").read_text()
    down = _harness(
        workspace, "check", "contracts/acme-crm", "--family", "health",
        "--base-url", "http://127.0.0.1:9", "--", "--alluredir=allure-down",
    )  # fmt: skip
    assert down.returncode == 1
    assert set(_allure_statuses(workspace / "allure-down").values()) == {"broken"}
    _generate_with_allure_cli(workspace)


def _generate_with_allure_cli(workspace: Path) -> None:
    """The official Allure command line turns the results into a report (needs Java, npm)."""
    if not shutil.which("java") or not shutil.which("npm"):
        pytest.skip("the Allure CLI needs Java and npm: apt-get install default-jre npm")
    tools = workspace / "allure-cli"
    tools.mkdir()
    install = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", "allure-commandline@2"],
        cwd=tools, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"npm could not install allure-commandline (offline?): {install.stderr[-300:]}")
    out = workspace / "allure-report"
    subprocess.run(
        [str(tools / "node_modules" / ".bin" / "allure"), "generate", str(workspace / "allure"),
         "-o", str(out), "--clean"], check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    statistic = json.loads((out / "widgets" / "summary.json").read_text())["statistic"]
    assert statistic["failed"] == 1
    assert statistic["total"] == statistic["passed"] + statistic["failed"] + statistic["skipped"]


def _browser() -> str | None:
    return next((b for b in ("chromium", "chromium-browser") if shutil.which(b)), None)


def test_report_html_reads_offline_in_a_headless_browser(workspace: Path):
    browser = _browser()
    if browser is None:
        pytest.skip("no headless browser: apt-get install -y chromium")
    assert _harness(workspace, "check", "contracts/acme-crm", *FAMILIES).returncode == 0
    page = workspace / "reports" / "acme-crm" / "report.html"
    shown = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
         "--proxy-bypass-list=<-loopback>", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert 'id="summary"' in shown.stdout
    assert "healthy" in shown.stdout
    assert '<svg id="trend"' in shown.stdout
    assert "<polyline" in shown.stdout


def test_contract_hygiene_warns_without_failing_the_run(workspace: Path):
    _unversion(workspace)
    done = _harness(workspace, "check", "contracts/acme-crm", "--family", "compliance")
    assert done.returncode == 0, done.stdout + done.stderr
    folder = workspace / "reports" / "acme-crm"
    compliance = json.loads((folder / "compliance.json").read_text())
    by_id = {item["id"]: item for item in compliance["requirements"]}
    changelog = by_id["compliance.changelog_has_version"]
    assert (changelog["status"], changelog["contract_hygiene"]) == ("warning", True)
    assert "no entry for version 1.3.0" in changelog["summary"]
    assert compliance["warnings"] == 1
    assert "⚠️ `compliance.changelog_has_version`" in (folder / "summary.md").read_text()
