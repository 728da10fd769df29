"""``build_app``: the local sandbox, an ASGI (Starlette) app built from a whole contract.

Every OpenAPI operation gets a route (more literal paths first, so ``/pets/findByStatus``
wins over ``/pets/{id}``); the contract's token endpoint gets one even when the document
leaves it out; the admin API is mounted at ``/__harness__`` and is not in the served
OpenAPI document. Run it with uvicorn (``running_sandbox``, ``serve``) or in-process with
``httpx.AsyncClient(transport=httpx.ASGITransport(app=app))``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from harness.auth.credentials import Credentials, invent_credentials
from harness.contract import Contract
from harness.contract.model import AuthType
from harness.errors import UsageError
from harness.sandbox.admin import admin_routes
from harness.sandbox.auth import Authenticator, TokenStore
from harness.sandbox.clock import SandboxClock
from harness.sandbox.controls import Controls, _Parts
from harness.sandbox.errors import ErrorBook, TriggerTable
from harness.sandbox.faults import FaultBoard
from harness.sandbox.generation import Generator
from harness.sandbox.oauth import TokenEndpoint
from harness.sandbox.operations import Operations
from harness.sandbox.pact_states import pact_state_route
from harness.sandbox.pipeline import Parts, Pipeline
from harness.sandbox.ratelimit import RateLimiter
from harness.sandbox.recording import RequestLog
from harness.sandbox.requests import RequestReader
from harness.sandbox.resources import infer_behaviours
from harness.sandbox.responses import ResponseBuilder
from harness.sandbox.spec import Spec
from harness.sandbox.store import IdempotencyCache, Store
from harness.sandbox.webhooks import WebhookDispatcher
from harness.transports.sandbox_admin import ADMIN_PREFIX

_PARAM = re.compile(r"\{([^{}]+)\}")
_SLASH = "\ue000"  # an encoded slash (%2F) inside one path segment, while routing
_DECODED_PATH = "harness.decoded_path"


class SandboxApp(Starlette):
    """The sandbox: a Starlette app with ``controls`` and the ``credentials`` it accepts."""

    def __init__(
        self,
        contract: Contract,
        *,
        credentials: Credentials,
        seed: int,
        enforce_rate_limits: bool,
    ) -> None:
        if contract.document is None:
            raise UsageError(
                f"contract {contract.id} has no OpenAPI document (api.openapi); "
                "the local sandbox is built from one"
            )
        self.contract = contract
        self.credentials = credentials
        self.seed = seed
        self.spec = Spec(contract.document.raw)
        parts, controls = _assemble(contract, self.spec, credentials, seed, enforce_rate_limits)
        self.controls = controls
        self._webhooks = parts.webhooks
        pipeline = Pipeline(parts)
        routes: list[BaseRoute] = [
            pact_state_route(parts, controls, seed),  # under the admin prefix: mount it first
            Mount(ADMIN_PREFIX, routes=admin_routes(controls, self.spec.raw)),
        ]
        routes += _operation_routes(self.spec, pipeline)
        if parts.token_endpoint is not None and not parts.token_operations:
            routes.append(
                Route(
                    _token_path(contract),
                    _Endpoint(pipeline, {"POST": [_Target(None, {})]}),
                    methods=["POST"],
                )
            )
        super().__init__(routes=routes, lifespan=self._lifespan)
        self.router.redirect_slashes = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(_routable(scope), receive, send)

    def close(self) -> None:
        """Stop the webhook delivery thread (pending deliveries are dropped)."""
        self._webhooks.close()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        yield
        self.close()


def build_app(
    contract: Contract,
    *,
    credentials: Credentials | None = None,
    seed: int = 0,
    enforce_rate_limits: bool = True,
) -> SandboxApp:
    """The local sandbox for ``contract``; invented credentials unless given."""
    return SandboxApp(
        contract,
        credentials=credentials if credentials is not None else invent_credentials(contract),
        seed=seed,
        enforce_rate_limits=enforce_rate_limits,
    )


def _assemble(
    contract: Contract, spec: Spec, credentials: Credentials, seed: int, enforce: bool
) -> tuple[Parts, Controls]:
    clock = SandboxClock()
    generator = Generator(spec, seed=seed)
    auth = contract.auth
    tokens = TokenStore(clock=clock, lifetime_s=auth.token_lifetime_s if auth else 3600)
    core = _Core(clock=clock, generator=generator, tokens=tokens, store=Store())
    parts = _parts(contract, spec, credentials, enforce, core)
    return parts, _controls(contract, credentials, parts, core)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Core:
    """The state every part shares."""

    clock: SandboxClock
    generator: Generator
    tokens: TokenStore
    store: Store


def _parts(
    contract: Contract, spec: Spec, credentials: Credentials, enforce: bool, core: _Core
) -> Parts:
    clock, generator, tokens = core.clock, core.generator, core.tokens
    responses = ResponseBuilder(spec, generator)
    errors = ErrorBook(contract, responses)
    token_ops = _token_operations(contract, spec)
    limited = _limited(contract, spec, token_ops)
    behaviours = infer_behaviours(spec, contract)
    collections = {b.collection.template: b.collection for b in behaviours.values() if b.collection}
    secrets = credentials.secret_values()
    return Parts(
        spec=spec,
        behaviours=behaviours,
        reader=RequestReader(spec, credential_query=_query_credentials(contract)),
        responses=responses,
        errors=errors,
        triggers=TriggerTable(contract),
        operations=Operations(
            contract,
            spec,
            responses=responses,
            errors=errors,
            generator=generator,
            store=core.store,
            clock=clock,
            collections=collections.values(),
        ),
        auth=Authenticator(contract, spec, credentials, tokens, token_operations=token_ops),
        token_endpoint=_token_endpoint(contract, credentials, tokens, responses),
        token_operations=token_ops,
        limiter=RateLimiter(contract.rate_limits, clock, limited=limited, enforce=enforce),
        clock=clock,
        faults=FaultBoard(),
        log=RequestLog(secret_headers=[_api_key_name(contract)], secret_values=secrets),
        webhooks=WebhookDispatcher(contract, spec, generator, credentials, clock),
        idempotency=IdempotencyCache(),
        idempotency_header=contract.retry.idempotency_header if contract.retry else None,
        subscription_operation=contract.webhooks.subscription if contract.webhooks else None,
    )


def _token_endpoint(
    contract: Contract, credentials: Credentials, tokens: TokenStore, responses: ResponseBuilder
) -> TokenEndpoint | None:
    auth = contract.auth
    if auth is None or auth.type is not AuthType.OAUTH2_CLIENT_CREDENTIALS:
        return None
    return TokenEndpoint(auth, credentials, tokens, responses, contract.id)


def _controls(contract: Contract, credentials: Credentials, parts: Parts, core: _Core) -> Controls:
    client_id = credentials.client_id or "harness-local"
    default_scopes = frozenset(contract.auth.scopes) if contract.auth else frozenset()

    def issue(scopes: frozenset[str] | None) -> str:
        granted = scopes if scopes is not None else default_scopes
        return str(core.tokens.issue(client_id, granted, refresh=False)["access_token"])

    return Controls(
        _Parts(
            faults=parts.faults,
            clock=parts.clock,
            tokens=core.tokens,
            limiter=parts.limiter,
            log=parts.log,
            webhooks=parts.webhooks,
            store=core.store,
            triggers=parts.triggers,
            idempotency=parts.idempotency,
            issue=issue,
        )
    )


@dataclass(frozen=True, slots=True)
class _Target:
    """One operation behind a route, and what tells its requests apart from its neighbours'
    (AWS-style templates: ``/#X-Amz-Target=Service.Action``, ``/{Bucket}?acl``)."""

    op_id: str | None
    names: Mapping[str, str]
    header: tuple[tuple[str, str], ...] = ()  # (lower-case name, value)
    query: tuple[tuple[str, str | None], ...] = ()  # (name, value or None: present)

    def fits(self, scope: Scope) -> bool:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if any(headers.get(name) != value for name, value in self.header):
            return False
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
        return all(
            name in query and (value is None or query[name] == value) for name, value in self.query
        )


def _target(op_id: str | None, template: str, names: Mapping[str, str]) -> _Target:
    _, mark, rest = template.partition("#") if "#" in template else template.partition("?")
    pairs = [pair.partition("=") for pair in rest.split("&") if pair] if mark else []
    if mark == "#":
        header = tuple((name.lower(), value) for name, _, value in pairs)
        return _Target(op_id, names, header=header)
    query = tuple((name, value if eq else None) for name, eq, value in pairs)
    return _Target(op_id, names, query=query)


class _Endpoint:
    """The ASGI endpoint of one route: dispatches by method (then by the header or query a
    template names) to the pipeline."""

    def __init__(self, pipeline: Pipeline, methods: Mapping[str, list[_Target]]) -> None:
        self._pipeline = pipeline
        self._methods = {
            method: sorted(targets, key=lambda t: -len(t.header) - len(t.query))
            for method, targets in methods.items()
        }
        if "GET" in self._methods:
            self._methods.setdefault("HEAD", self._methods["GET"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        targets = self._methods.get(scope["method"], [])
        target = next((t for t in targets if t.fits(scope)), targets[0] if targets else None)
        names = target.names if target is not None else {}
        raw = scope.get("path_params", {})
        params = {
            names.get(key, key): str(value).replace(_SLASH, "/") for key, value in raw.items()
        }
        scope["path"] = scope.pop(_DECODED_PATH, scope["path"])
        await self._pipeline(target.op_id if target else None, params, scope, receive, send)


def _routable(scope: Scope) -> Scope:
    """A path parameter may hold an encoded slash (Azure's ``quotas/local%2Fquota``): the
    route matches on the path as sent, segment by segment, not on its decoded form."""
    raw = scope.get("raw_path")
    if scope["type"] != "http" or not isinstance(raw, bytes) or b"%2f" not in raw.lower():
        return scope
    segments = raw.partition(b"?")[0].decode("latin-1").split("/")
    routed = "/".join(unquote(segment).replace("/", _SLASH) for segment in segments)
    return {**scope, "path": routed, _DECODED_PATH: scope["path"]}


def _operation_routes(spec: Spec, pipeline: Pipeline) -> list[Route]:
    by_path: dict[str, dict[str, list[_Target]]] = {}
    for op in sorted(spec.operations.values(), key=lambda o: _specificity(o.path)):
        path, names = _starlette_path(op.path)
        target = _target(op.operation_id, op.path, names)
        by_path.setdefault(path, {}).setdefault(op.method.upper(), []).append(target)
    return [
        Route(path, _Endpoint(pipeline, methods), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _starlette_path(template: str) -> tuple[str, dict[str, str]]:
    """``/a/{pet-id}`` → (``/a/{p0}``, {"p0": "pet-id"}): Starlette wants identifiers (and
    no ``#fragment`` or ``?query`` a template may carry)."""
    template = template.partition("#")[0].partition("?")[0] or "/"
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        key = f"p{len(names)}"
        names[key] = match.group(1)
        return "{" + key + "}"

    path = _PARAM.sub(rename, template if template.startswith("/") else "/" + template)
    return path, names


def _specificity(template: str) -> tuple[tuple[int, ...], str]:
    """Literal segments first, then a parameter with literal text (``{name}.json``), then a
    bare parameter: ``/bundles/{name}.json`` must win over ``/bundles/{name}``."""
    segments = [s for s in template.split("/") if s]
    return tuple(_segment_rank(s) for s in segments), template


def _segment_rank(segment: str) -> int:
    if "{" not in segment:
        return 0
    return 2 if _PARAM.fullmatch(segment) else 1


def _token_path(contract: Contract) -> str:
    url = contract.auth.token_url if contract.auth and contract.auth.token_url else "/oauth/token"
    path = urlsplit(url).path or "/oauth/token"
    return path if path.startswith("/") else "/" + path


def _token_operations(contract: Contract, spec: Spec) -> frozenset[str]:
    auth = contract.auth
    if auth is None or auth.type is not AuthType.OAUTH2_CLIENT_CREDENTIALS:
        return frozenset()
    path = _token_path(contract)
    found = {
        op.operation_id for op in spec.operations.values()
        if op.method == "post" and (op.path == path or path.endswith(op.path))
    }  # fmt: skip
    return frozenset(found)


def _limited(contract: Contract, spec: Spec, token_ops: frozenset[str]) -> frozenset[str]:
    """Operations the contract's general limits apply to: those documenting 429, else all."""
    health = contract.health.operation if contract.health is not None else None
    everything = set(spec.operations) - set(token_ops) - {health}
    documented = {op_id for op_id in everything if "429" in spec.operations[op_id].responses}
    return frozenset(documented or everything)


def _query_credentials(contract: Contract) -> frozenset[str]:
    """The query parameter the contract's API key travels in, if it travels in the query."""
    auth = contract.auth
    if auth is None or auth.in_ != "query" or not auth.header:
        return frozenset()
    return frozenset({auth.header})


def _api_key_name(contract: Contract) -> str:
    auth = contract.auth
    return auth.header if auth is not None and auth.header else "x-api-key"
