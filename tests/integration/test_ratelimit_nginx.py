"""The ratelimit probe against a real rate limiter that is not ours: nginx ``limit_req``.

nginx (Debian ``nginx-light``, installed by .ci/run) runs on a free loopback port with its
own config, pid, logs and temp dirs; ``/items`` allows 5 requests at once, then one per 3 s
(rate 20r/m, burst 4 nodelay), and refuses with 429 + ``Retry-After: 3``. The probe must
pass when the contract declares that limit, fail with declared-vs-observed when it declares
10, and never send more than limit + 2 requests (counted in nginx's access log).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

CONTRACT = Path(__file__).parents[1] / "targets" / "nginx"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(path).exists()), None
)
pytestmark = pytest.mark.skipif(
    NGINX is None,
    reason="nginx is not installed: `apt-get install -y nginx-light` (.ci/run does it)",
)

CONFIG = """
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    log_format plain '$request_method $uri $status';
    access_log {prefix}/access.log plain;
    limit_req_zone $binary_remote_addr zone=items:1m rate=20r/m;
    limit_req_status 429;
    server {{
        listen 127.0.0.1:{port};
        default_type application/json;
        location = /items {{
            limit_req zone=items burst=4 nodelay;
            add_header Retry-After 3 always;
            alias {prefix}/items.json;  # a content handler: `return` would skip limit_req
        }}
        location / {{ return 200 '{{"status": "ok"}}'; }}
    }}
}}
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Nginx:
    base_url: str
    access_log: Path

    def requests_to(self, path: str) -> int:
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return sum(1 for line in lines if line.split(" ")[1:2] == [path])


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[Nginx]:
    assert NGINX is not None
    prefix = tmp_path / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(CONFIG.format(prefix=prefix, port=port, user=_user()))
    (prefix / "items.json").write_text('{"items": []}')
    command = [NGINX, "-c", str(config), "-p", str(prefix), "-g", "daemon off;"]
    stderr = (prefix / "stderr.log").open("w")
    process = subprocess.Popen(command, stderr=stderr, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, base_url, prefix / "stderr.log")
        yield Nginx(base_url=base_url, access_log=prefix / "access.log")
    finally:
        process.terminate()
        process.wait(timeout=10)
        stderr.close()


def _user() -> str:
    """Workers as root when nginx runs as root: pytest's temp dirs are private to their owner."""
    return "user root;" if os.geteuid() == 0 else ""


def _wait_ready(process: subprocess.Popen[str], base_url: str, stderr: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {stderr.read_text()}")
        try:
            httpx.get(base_url + "/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    pytest.fail("nginx did not answer within 10 s")


def _check(contract: Path, base_url: str, reports: Path) -> dict[str, dict[str, object]]:
    command = [
        sys.executable, "-m", "harness.cli", "check", str(contract), "--env", "staging",
        "--family", "ratelimit", "--report-dir", str(reports), "--", "-p", "no:xdist",
    ]  # fmt: skip
    env = {**os.environ, "NGINX_URL": base_url}
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    results = json.loads((reports / "nginx-limited" / "results.json").read_text())
    by_name = {check["name"]: check for check in results["checks"]}
    assert by_name, done.stdout + done.stderr
    return by_name


def test_probe_passes_when_the_declared_limit_is_right(nginx: Nginx, tmp_path: Path) -> None:
    checks = _check(CONTRACT, nginx.base_url, tmp_path / "reports")
    probe = checks["enforced[0]"]
    assert probe["outcome"] == "passed", probe["message"]
    observed = probe["data"]["observed"]  # type: ignore[index]
    assert observed["allowed_before_429"] == 5
    assert observed["retry_after_s"] == 3
    assert observed["recovered"] is True
    assert nginx.requests_to("/items") <= 5 + 2


def test_probe_fails_with_declared_vs_observed_when_wrong(nginx: Nginx, tmp_path: Path) -> None:
    contract = tmp_path / "contract"
    shutil.copytree(CONTRACT, contract)
    text = (contract / "integration.yaml").read_text()
    (contract / "integration.yaml").write_text(text.replace("limit: 5,", "limit: 10,"))
    checks = _check(contract, nginx.base_url, tmp_path / "reports")
    probe = checks["enforced[0]"]
    assert probe["outcome"] == "failed", probe
    message = str(probe["message"])
    assert "first 429 after 5 allowed requests" in message
    assert "declared 10 per 15s" in message
    data = probe["data"]
    assert data["declared"]["limit"] == 10  # type: ignore[index]
    assert data["observed"]["allowed_before_429"] == 5  # type: ignore[index]
    assert nginx.requests_to("/items") <= 10 + 2
