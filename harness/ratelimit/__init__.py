"""Probing a provider's rate limit: the mechanics the ``ratelimit`` and ``retry`` families share.

``probe`` chooses the operation and sends the bounded probe; ``window`` gives the local
sandbox a fresh window with enforcement on while a probe runs.
"""

from harness.ratelimit.probe import (
    LARGE_LIMIT,
    Probed,
    probe_operation,
    probe_refusal,
    until_refused,
)
from harness.ratelimit.window import CLOCK_KEY, ProbeRuntime, enforcing

__all__ = [
    "CLOCK_KEY",
    "LARGE_LIMIT",
    "ProbeRuntime",
    "Probed",
    "enforcing",
    "probe_operation",
    "probe_refusal",
    "until_refused",
]
