"""Generation that depends only on the seed, the schema and the generator's version.

Hypothesis mixes into its draws the constants (numbers, strings) of every *local* module
loaded so far — those outside site-packages, found by scanning ``sys.modules``. For harness
that means its own modules (with an editable install, not with a wheel), the user's test
files and whatever else the process happened to import first: the same seed then generated
other requests on another machine, under another install or import order, and replay missed
its recordings (and a wheel install generated ``__main__`` where an editable one did not).

``pinned_generation()`` switches that harvest off while a check runs: Hypothesis still draws
its own built-in constants, so generation is as thorough, but no longer depends on the
process. It patches one private function of Hypothesis (``_get_local_constants``), restores
it on exit, and does nothing when a future Hypothesis no longer has it (the cassette metadata
records the Hypothesis and Schemathesis versions, and replay warns when they differ).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

try:  # private to Hypothesis: when it moves, there is nothing to pin (and replay warns)
    from hypothesis.internal.conjecture import providers as _providers
    from hypothesis.internal.constants_ast import Constants as _Constants
except ImportError:  # pragma: no cover - another Hypothesis
    _providers, _Constants = None, None  # type: ignore[assignment,misc]

_LOCK = threading.Lock()
_DEPTH = [0]


def _no_local_constants() -> Any:
    assert _Constants is not None
    return _Constants()


@contextlib.contextmanager
def pinned_generation() -> Iterator[None]:
    """Within the block, Hypothesis draws no constants from locally loaded modules."""
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


def _clear_cache() -> None:
    """Hypothesis caches the constants allowed per draw kind: built with or without ours."""
    cache = getattr(getattr(_providers, "CONSTANTS_CACHE", None), "cache", None)
    if isinstance(cache, dict):
        cache.clear()
