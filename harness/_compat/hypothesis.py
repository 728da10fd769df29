"""Hypothesis internals harness relies on; written against Hypothesis 6.170.17.

One is undocumented: ``hypothesis.stateful.get_state_machine_test`` (the documented
``run_state_machine_as_test`` runs the machine at once, so no ``@seed`` can be applied to
it). One is private and patched: the harvest of constants from locally loaded modules,
which ``pinned_generation`` switches off so that a seed generates the same requests
everywhere.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import hypothesis
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test

try:  # private to Hypothesis: when it moves, there is nothing to pin (and replay warns)
    from hypothesis.internal.conjecture import providers as _providers
    from hypothesis.internal.constants_ast import Constants as _Constants
except ImportError:  # pragma: no cover - another Hypothesis
    _providers, _Constants = None, None  # type: ignore[assignment,misc]

#: The Hypothesis release these wrappers were written and tested against.
WRITTEN_AGAINST = "6.170.17"


def state_machine_test(
    machine: type[RuleBasedStateMachine], settings: hypothesis.settings
) -> Callable[[], None]:
    """A zero-argument test that runs ``machine`` under ``settings`` (6.170.17).

    ``hypothesis.stateful.get_state_machine_test``: unlike ``run_state_machine_as_test`` it
    returns the test, so ``hypothesis.seed(...)`` can be applied before it runs.
    """
    test: Callable[[], None] = get_state_machine_test(machine, settings=settings)
    return test


_LOCK = threading.Lock()
_DEPTH = [0]


@contextlib.contextmanager
def pinned_generation() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants from locally loaded modules.

    Hypothesis (6.170.17) mixes into its draws the constants (numbers, strings) of every
    *local* module loaded so far, found by scanning ``sys.modules``: for harness that is its
    own modules (with an editable install, not with a wheel), the user's test files and
    whatever else the process imported first. The same seed then generated other requests
    on another machine, and replay missed its recordings. This block replaces the private
    ``providers._get_local_constants`` by an empty harvest (Hypothesis still draws its own
    built-in constants), restores it on exit, nests and is thread-safe; it does nothing when
    a future Hypothesis no longer has that function (cassettes record the versions, and
    replay warns when they differ).
    """
    providers: Any = _providers
    original = getattr(providers, "_get_local_constants", None)
    if original is None:
        yield
        return
    with _LOCK:
        _DEPTH[0] += 1
        if _DEPTH[0] == 1:
            providers._get_local_constants = _no_local_constants
            _clear_cache()
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH[0] -= 1
            if _DEPTH[0] == 0:
                providers._get_local_constants = original
                _clear_cache()


def local_constants_patchable() -> bool:
    """Whether this Hypothesis still has the private harvest ``pinned_generation`` patches."""
    return _Constants is not None and hasattr(_providers, "_get_local_constants")


def _no_local_constants() -> Any:
    assert _Constants is not None
    return _Constants()


def _clear_cache() -> None:
    """Hypothesis caches the constants allowed per draw kind: built with or without ours."""
    cache = getattr(getattr(_providers, "CONSTANTS_CACHE", None), "cache", None)
    if isinstance(cache, dict):
        cache.clear()
