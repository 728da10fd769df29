"""``harness init`` on real documents: a URL served on loopback, and Figma's official spec."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from harness.cli import main
from tests.support.servers import serve

PETSTORE = Path(__file__).parents[1] / "fixtures" / "petstore" / "openapi.yaml"
FIGMA_PACKAGE = "@figma/rest-api-spec@0.43.0"
CACHE = Path.home() / ".cache" / "harness-tests"


def test_init_from_a_url_fetches_once_and_writes_a_contract(tmp_path: Path) -> None:
    served = []

    async def document(request: object) -> Response:
        served.append(1)
        return Response(PETSTORE.read_bytes(), media_type="application/yaml")

    app = Starlette(routes=[Route("/specs/openapi.yaml", document)])
    with serve(app, ready_path="/specs/openapi.yaml") as base_url:
        served.clear()
        argv = ["init", "--from-openapi", f"{base_url}/specs/openapi.yaml", "--out", str(tmp_path)]
        assert main(argv) == 0
    assert len(served) == 1
    folder = tmp_path / "swagger-petstore"
    assert (folder / "openapi.yaml").read_bytes() == PETSTORE.read_bytes()
    assert f"Contract scaffolded from {base_url}" in (folder / "integration.yaml").read_text()


def test_init_from_an_unreachable_url_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/openapi.yaml"
    assert main(["init", "--from-openapi", url, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"harness init: error: --from-openapi {url}: could not fetch it")
    assert "\n" not in err


def _figma_spec() -> Path:
    """Figma's official OpenAPI document, from its npm package (cached; never committed)."""
    target = CACHE / "figma-rest-api-spec-0.43.0" / "openapi.yaml"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch Figma's spec (@figma/rest-api-spec)")
    work = CACHE / "npm-pack"
    work.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "pack", FIGMA_PACKAGE, "--silent"], cwd=work, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip("npm pack @figma/rest-api-spec timed out (registry unreachable?)")
    if done.returncode != 0:
        pytest.skip(f"npm pack {FIGMA_PACKAGE} failed: {done.stderr.strip()[:200]}")
    with tarfile.open(work / done.stdout.strip().splitlines()[-1]) as archive:
        member = archive.extractfile("package/openapi/openapi.yaml")
        assert member is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(member.read())
    return target


def test_figma_spec_scaffolds_lints_and_checks_in_one_command(tmp_path: Path) -> None:
    spec = _figma_spec()
    assert main(["init", "--from-openapi", str(spec), "--out", str(tmp_path / "contracts")]) == 0
    folder = tmp_path / "contracts" / "figma"
    assert main(["lint", str(folder)]) == 0
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "check", str(folder), "--seed", "1",
         "--examples", "3", "--report-dir", str(reports)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr
    results = json.loads((reports / "figma" / "results.json").read_text())
    outcomes = {check["id"]: check["outcome"] for check in results["checks"]}
    assert outcomes, "the scaffolded contract planned no checks"
    errors = {k: v for k, v in outcomes.items() if v == "error"}
    assert not errors, errors
    failed = {k for k, v in outcomes.items() if v == "failed"}
    assert not failed, f"the local sandbox of Figma's spec broke these checks: {sorted(failed)}"
    assert done.returncode == 0, done.stdout[-3000:]
