"""Serving the sandbox: uvicorn in a background thread (``running_sandbox``) or in the
foreground (``serve``, behind ``harness sandbox``), and the banner a newcomer reads.

The server is uvicorn with one addition: its HTTP protocol hands the app a way to close
the connection without answering, which is what the ``drop_connection`` fault needs
(``harness._compat.uvicorn``: the protocol class is uvicorn's internal API).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import shlex
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import uvicorn

from harness._compat.uvicorn import dropping_protocol
from harness.auth.credentials import Credentials, credentials_from_contract
from harness.contract import Contract, Secret
from harness.contract.model import AuthType
from harness.errors import TransportError, UsageError
from harness.pact.states import STATE_PATH
from harness.sandbox.app import SandboxApp, build_app
from harness.sandbox.controls import Controls
from harness.sandbox.pipeline import DROP_EXTENSION
from harness.sandbox.resources import Kind, infer_behaviours
from harness.transports.sandbox_admin import ADMIN_PREFIX

_STARTUP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Sandbox:
    """A running sandbox: where it is, what it accepts, and its controls."""

    base_url: str
    credentials: Credentials
    controls: Controls
    app: SandboxApp


@contextlib.contextmanager
def running_sandbox(
    contract: Contract,
    *,
    seed: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: Credentials | None = None,
    enforce_rate_limits: bool = True,
) -> Iterator[Sandbox]:
    """A sandbox served by uvicorn in a thread, ready before it is yielded, stopped after."""
    app = build_app(
        contract, credentials=credentials, seed=seed, enforce_rate_limits=enforce_rate_limits
    )
    sock = _bind(host, port)
    server = uvicorn.Server(_config(app, log_level="error"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sandbox-server", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread)
        yield Sandbox(
            base_url=_base_url(sock),
            credentials=app.credentials,
            controls=app.controls,
            app=app,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
        app.close()


def serve(contract: Contract, *, host: str, port: int, seed: int, allow_public: bool) -> None:
    """Serve the sandbox in the foreground until interrupted, after printing the banner.

    A host that is not a loopback address is refused unless ``allow_public`` (the user
    typed ``--host`` explicitly).
    """
    if not allow_public and not _is_loopback(host):
        raise UsageError(
            f"refusing to serve the sandbox on {host}: it accepts made-up credentials; "
            "pass --host explicitly to expose it beyond this machine"
        )
    app = build_app(contract, seed=seed)
    handler = contract.webhooks.handler if contract.webhooks is not None else None
    if handler is not None and handler.url:
        app.controls.subscribe(handler.url)  # our own receiver, as the contract names it
    sock = _bind(host, port)
    sandbox = Sandbox(
        base_url=_base_url(sock), credentials=app.credentials, controls=app.controls, app=app
    )
    print(format_banner(sandbox), flush=True)
    try:
        uvicorn.Server(_config(app, log_level="info")).run(sockets=[sock])
    finally:
        sock.close()
        app.close()


def format_banner(sandbox: Sandbox) -> str:
    """What ``harness sandbox`` prints: the URL, the credentials and curl lines to try."""
    contract = sandbox.app.contract
    base = sandbox.base_url
    title = f"{contract.info.name} ({contract.id} {contract.info.version})"
    lines = [
        f"harness sandbox for {title}, seed {sandbox.app.seed}",
        f"  base URL        {base}",
        f"  OpenAPI         {base}{ADMIN_PREFIX}/openapi.json",
        f"  admin API       {base}{ADMIN_PREFIX}/"
        "  (faults, requests, clock, tokens/revoke, subscriptions)",
        f"  Pact states     {base}{STATE_PATH}  (POST; for any Pact verifier)",
        *_credential_lines(contract, sandbox.credentials, sandbox.controls.subscribers),
        "",
        "Try it:",
        *_curl_lines(contract, sandbox),
        "",
        "Press CTRL+C to stop.",
    ]
    return "\n".join(lines)


def _credential_lines(
    contract: Contract, credentials: Credentials, subscribers: list[str]
) -> list[str]:
    auth = contract.auth
    kind = auth.type if auth is not None else AuthType.NONE
    shown = _shown(contract)
    lines = [f"  auth            {kind.value}"]
    if kind is AuthType.OAUTH2_CLIENT_CREDENTIALS and auth is not None:
        lines += [
            f"  token URL       {_token_path(contract)}",
            f"  client_id       {credentials.client_id}",
            f"  client_secret   {shown(credentials.client_secret)}",
        ]
        if auth.scopes:
            lines.append(f"  scopes          {' '.join(auth.scopes)}")
    elif kind is AuthType.API_KEY:
        lines.append(
            f"  api key         {shown(credentials.api_key)}  (header/query {_key_name(contract)})"
        )
    elif kind is AuthType.BASIC:
        lines += [
            f"  username        {credentials.username}",
            f"  password        {shown(credentials.password)}",
        ]
    elif kind is AuthType.BEARER:
        lines.append(f"  bearer token    {shown(credentials.token)}")
    elif kind is AuthType.JWT:
        lines.append(f"  JWT secret      {shown(credentials.jwt_secret)}")
    if contract.webhooks is not None and contract.webhooks.signature is not None:
        scheme = contract.webhooks.signature.scheme
        lines.append(f"  webhook secret  {shown(credentials.webhook_secret)}  ({scheme})")
    lines.extend(f"  webhooks to     {url}" for url in subscribers)
    return lines


def _shown(contract: Contract) -> Callable[[Secret | None], str]:
    """Invented secrets are printed; a secret from the environment only by its variable."""
    configured = credentials_from_contract(contract).secret_values()

    def shown(secret: Secret | None) -> str:
        if secret is None or not secret.is_set:
            return "(none)"
        value = secret.reveal()
        return f"${{{secret.var}}} (from the environment)" if value in configured else value

    return shown


def _curl_lines(contract: Contract, sandbox: Sandbox) -> list[str]:
    base = sandbox.base_url
    credentials = sandbox.credentials
    auth = contract.auth
    kind = auth.type if auth is not None else AuthType.NONE
    read = _simple_read(sandbox)
    shell = _shell(contract)
    lines: list[str] = []
    header = ""
    if kind is AuthType.OAUTH2_CLIENT_CREDENTIALS:
        token_call = (
            f"curl -s -X POST {base}{_token_path(contract)} -d grant_type=client_credentials "
            f"-d client_id={shlex.quote(credentials.client_id or '')} "
            f"-d client_secret={shell(credentials.client_secret)}"
        )
        extract = "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'"
        lines += [f"  {token_call}", f"  TOKEN=$({token_call} | {extract})"]
        header = ' -H "Authorization: Bearer $TOKEN"'
    elif kind is AuthType.API_KEY:
        header = f' -H "{_key_name(contract)}: "{shell(credentials.api_key)}'
    elif kind is AuthType.BASIC:
        header = f" -u {shlex.quote(credentials.username or '')}:{shell(credentials.password)}"
    elif kind is AuthType.BEARER:
        header = f' -H "Authorization: Bearer "{shell(credentials.token)}'

    if read is not None:
        lines.append(f"  curl -s {base}{read}{header}")
    return lines


def _shell(contract: Contract) -> Callable[[Secret | None], str]:
    """A secret for a shell line: quoted when invented, ``"$VAR"`` when from the environment."""
    configured = credentials_from_contract(contract).secret_values()

    def shell(secret: Secret | None) -> str:
        if secret is None or not secret.is_set:
            return "''"
        value = secret.reveal()
        return f'"${secret.var}"' if value in configured and secret.var else shlex.quote(value)

    return shell


def _simple_read(sandbox: Sandbox) -> str | None:
    """The path of a GET without path parameters, lists first."""
    spec = sandbox.app.spec
    behaviours = infer_behaviours(spec, sandbox.app.contract)
    gets = [op for op in spec.operations.values() if op.method == "get" and "{" not in op.path]
    gets.sort(key=lambda op: behaviours[op.operation_id].kind is not Kind.LIST)
    return gets[0].path if gets else None


def _token_path(contract: Contract) -> str:
    url = contract.auth.token_url if contract.auth and contract.auth.token_url else "/oauth/token"
    return url if url.startswith("/") else "/" + url.split("://", 1)[-1].partition("/")[2]


def _key_name(contract: Contract) -> str:
    auth = contract.auth
    return auth.header if auth is not None and auth.header else "X-API-Key"


# --- uvicorn ---------------------------------------------------------------------------------


def _config(app: SandboxApp, *, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=dropping_protocol(DROP_EXTENSION),
        lifespan="on",
        log_level=log_level,
        access_log=False,
        date_header=False,  # the app sends Date from the sandbox clock (skew included)
        server_header=False,
        timeout_graceful_shutdown=2,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(
        family, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )  # so asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise TransportError("the local sandbox did not start (see the uvicorn log above)")
        time.sleep(0.005)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


logging.getLogger("harness.sandbox").addHandler(logging.NullHandler())
