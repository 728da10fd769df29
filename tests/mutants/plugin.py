"""A pytest plugin that puts the mutating proxy between harness and its local sandbox.

Loaded by ``harness check ... -- -p tests.mutants.plugin`` with ``HARNESS_MUTANT=<name>``.
The run stays a ``local`` run (so checks keep the sandbox's controls: clock, faults, rate-limit
enforcement, webhook subscriptions), but every request harness sends goes to the proxy, and
every webhook delivery the sandbox sends comes back through it.

The one seam it relies on is ``harness.targets.running_sandbox`` (how a local target is
started); a refactor that renames it makes this plugin fail loudly, never silently.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest

import harness.targets
from harness.sandbox import Sandbox
from tests.mutants.catalogue import SECRET_KEY, mutant_named
from tests.mutants.proxy import delivery_url, running_proxy

ENV_VAR = "HARNESS_MUTANT"
_ORIGINAL = pytest.StashKey[Any]()


class ProxiedControls:
    """The sandbox's controls, except that webhook subscriptions go through the proxy."""

    def __init__(self, controls: Any, proxy_url: str) -> None:
        self._controls = controls
        self._proxy_url = proxy_url

    def subscribe(self, url: str) -> None:
        self._controls.subscribe(delivery_url(self._proxy_url, url))

    def unsubscribe(self, url: str | None = None) -> None:
        self._controls.unsubscribe(None if url is None else delivery_url(self._proxy_url, url))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._controls, name)


def pytest_configure(config: pytest.Config) -> None:
    name = os.environ.get(ENV_VAR)
    if not name:
        return
    try:
        mutant = mutant_named(name)
    except ValueError as exc:
        raise pytest.UsageError(f"{ENV_VAR}: {exc}") from None
    start = getattr(harness.targets, "running_sandbox", None)
    if start is None:
        raise pytest.UsageError(
            "tests.mutants.plugin: harness.targets.running_sandbox is gone; "
            "update the plugin to the new way a local target is started"
        )

    @contextlib.contextmanager
    def proxied_sandbox(*args: Any, **kwargs: Any) -> Iterator[Sandbox]:
        with start(*args, **kwargs) as sandbox:
            secret = sandbox.credentials.webhook_secret
            memo = {SECRET_KEY: secret.reveal()} if secret is not None and secret.is_set else {}
            with running_proxy(sandbox.base_url, mutant, memo) as url:
                yield dataclasses.replace(
                    sandbox, base_url=url, controls=ProxiedControls(sandbox.controls, url)
                )

    config.stash[_ORIGINAL] = start
    harness.targets.running_sandbox = proxied_sandbox  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    original = config.stash.get(_ORIGINAL, None)
    if original is not None:
        harness.targets.running_sandbox = original  # type: ignore[attr-defined]
