"""Opening the target of a run: the local sandbox, or an environment's base URL.

The target is probed before any check runs, so a target that is down is reported once as
"target unavailable" (an error of the run) instead of as hundreds of contract failures.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx

from harness.auth import credentials_from_contract
from harness.auth.credentials import invent_credentials
from harness.contract import Contract
from harness.errors import TransportError, UsageError
from harness.sandbox import running_sandbox
from harness.settings import Mode, RunSettings, Target

PROBE_TIMEOUT_S = 5.0


@contextlib.contextmanager
def open_target(contract: Contract, settings: RunSettings) -> Iterator[Target]:
    """The target of ``settings.environment``, started (locally) and probed."""
    environment = contract.environments.get(settings.environment)
    if environment is None:
        known = ", ".join(contract.environments)
        raise UsageError(
            f"--harness-env {settings.environment}: contract {contract.id} declares {known}"
        )
    if settings.mode == Mode.REPLAY:
        # Served from cassettes: no sandbox, no probe, no socket; credentials are stand-ins
        # (the recorded ones were scrubbed) and checks that need controls are skipped.
        yield Target(
            environment=environment,
            base_url=(settings.base_url or "").rstrip("/"),
            credentials=invent_credentials(contract),
        )
        return
    if settings.base_url is None and environment.name == "local":
        with running_sandbox(contract, seed=settings.seed, enforce_rate_limits=False) as sandbox:
            yield Target(
                environment=environment,
                base_url=sandbox.base_url,
                credentials=sandbox.credentials,
                controls=sandbox.controls,
            )
        return
    base_url = settings.base_url or environment.base_url
    if not base_url:
        raise UsageError(
            f"environment '{environment.name}' of {contract.id} has no base_url "
            f"(contract {environment.loc}); set its variable or pass --harness-base-url"
        )
    target = Target(
        environment=environment,
        base_url=base_url.rstrip("/"),
        credentials=credentials_from_contract(contract),
    )
    probe(target)
    yield target


def probe(target: Target) -> None:
    """Raise TransportError('target unavailable') when nothing answers at the base URL."""
    try:
        with httpx.Client(timeout=PROBE_TIMEOUT_S) as client:
            client.get(target.base_url + "/")
    except httpx.HTTPError as exc:
        raise TransportError(
            f"target unavailable: {target.base_url} ({type(exc).__name__}: {exc}); "
            f"is the '{target.environment.name}' environment up? No check was run against it."
        ) from exc
