"""The local sandbox: an ASGI app built from a contract, behaving as the guide says.

>>> from harness import load_contract
>>> from harness.sandbox import running_sandbox, Fault
>>> with running_sandbox(load_contract("contracts/acme-crm")) as sandbox:  # doctest: +SKIP
...     sandbox.controls.inject(Fault.burst(503, 2, retry_after_s=1))
...     ...  # point a client at sandbox.base_url with sandbox.credentials

In-process, with no socket: ``httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(c)))``.
"""

from harness.sandbox.app import SandboxApp, build_app
from harness.sandbox.controls import Controls
from harness.sandbox.faults import Fault
from harness.sandbox.recording import REDACTED, RecordedRequest
from harness.sandbox.server import Sandbox, format_banner, running_sandbox, serve
from harness.sandbox.webhooks import Delivery
from harness.transports.sandbox_admin import ADMIN_PREFIX

__all__ = [
    "ADMIN_PREFIX",
    "REDACTED",
    "Controls",
    "Delivery",
    "Fault",
    "RecordedRequest",
    "Sandbox",
    "SandboxApp",
    "build_app",
    "format_banner",
    "running_sandbox",
    "serve",
]
