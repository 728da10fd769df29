"""A pact written with pact-python's consumer DSL, for a provider with two seeded bugs: the
``pact`` family fails exactly the two broken interactions, with Pact's mismatch text, the
contract line and a curl line, and passes the other three."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pact import Pact, match

from tests.support.servers import serve
from tests.targets.pact_widgets.app import build_app

TARGET = Path(__file__).parents[1] / "targets" / "pact_widgets"
PACT = "shop-front-widgets"
BROKEN = {
    f"{PACT}: a request for widget 1": "to be a number",  # price is a string
    f"{PACT}: a request to create a widget": "expected 201 but was 200",
}
HELD = {
    f"{PACT}: a request for the widget list",
    f"{PACT}: a request to delete widget 1",
    f"{PACT}: a request for a missing widget",
}


def write_consumer_pact(folder: Path) -> Path:
    """The shop front's pact, exercised against pact-python's mock server first."""
    pact = Pact("shop-front", "widgets").with_specification("V4")
    widget = {"id": match.int(1), "name": match.str("sprocket"), "price": match.number(9.99)}
    (
        pact.upon_receiving("a request for the widget list")
        .given("widget 1 exists", {"id": 1, "name": "sprocket"})
        .with_request("GET", "/widgets")
        .will_respond_with(200)
        .with_body(match.each_like(widget, min=1), "application/json")
    )
    (
        pact.upon_receiving("a request for widget 1")
        .given("widget 1 exists", {"id": 1, "name": "sprocket"})
        .with_request("GET", "/widgets/1")
        .will_respond_with(200)
        .with_body(widget, "application/json")
    )
    (
        pact.upon_receiving("a request to create a widget")
        .with_request("POST", "/widgets")
        .with_body(json.dumps({"name": "gear", "price": 2.5}), "application/json")
        .will_respond_with(201)
        .with_body(widget, "application/json")
    )
    (
        pact.upon_receiving("a request to delete widget 1")
        .given("widget 1 exists", {"id": 1, "name": "sprocket"})
        .with_request("DELETE", "/widgets/1")
        .will_respond_with(204)
    )
    (
        pact.upon_receiving("a request for a missing widget")
        .with_request("GET", "/widgets/99")
        .will_respond_with(404)
    )
    with pact.serve() as mock:  # the consumer's side: its client meets these expectations
        base = str(mock.url).rstrip("/")
        assert httpx.get(f"{base}/widgets", timeout=5).json()[0]["price"] == 9.99
        assert httpx.get(f"{base}/widgets/1", timeout=5).status_code == 200
        assert httpx.post(f"{base}/widgets", json={"name": "gear", "price": 2.5}).status_code == 201
        assert httpx.delete(f"{base}/widgets/1", timeout=5).status_code == 204
        assert httpx.get(f"{base}/widgets/99", timeout=5).status_code == 404
    pact.write_file(folder, overwrite=True)
    return folder / f"{PACT}.json"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    contract = tmp_path_factory.mktemp("contract") / "pact_widgets"
    shutil.copytree(TARGET, contract, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert write_consumer_pact(contract / "pacts").exists()
    reports = tmp_path_factory.mktemp("reports")
    with serve(build_app(), ready_path="/widgets") as base_url:
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "staging",
             "--family", "pact", "--report-dir", str(reports), "--", "-p", "no:xdist"],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PACT_WIDGETS_URL": base_url},
        )  # fmt: skip
    results = json.loads((reports / "pact-widgets" / "results.json").read_text())
    found = {
        check["name"]: {"outcome": check["outcome"], "message": check["message"]}
        for check in results["checks"]
    }
    found["__exit__"] = {"outcome": str(done.returncode), "message": done.stdout[-3000:]}
    return found


def test_exactly_the_broken_interactions_fail(run: dict[str, dict[str, str]]) -> None:
    failed = {name for name, item in run.items() if item["outcome"] == "failed"}
    passed = {name for name, item in run.items() if item["outcome"] == "passed"}
    assert failed == set(BROKEN), run
    assert passed == HELD, run
    assert run["__exit__"]["outcome"] == "1"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_failure_has_pacts_words_the_contract_line_and_a_curl_line(
    run: dict[str, dict[str, str]], name: str
) -> None:
    message = run[name]["message"]
    assert BROKEN[name] in message
    assert "integration.yaml:" in message  # the contract line listing the pact
    assert "repeat: curl" in message
    assert "/widgets" in message
