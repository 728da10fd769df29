"""The local sandbox's admin API seen from a client: where it is mounted, and the calls
checks make to it (faults, clock).

The prefix is defined here, below both the sandbox that serves the API and the checks that
call it, so the two cannot drift apart. Only the local sandbox has this API: callers use it
for checks that need the sandbox (``needs_sandbox``) or when the target has controls.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from harness.errors import UsageError

#: Where the sandbox mounts its admin API; requests under it are harness's own.
ADMIN_PREFIX = "/__harness__"


def inject_fault(http: httpx.Client, fault: Mapping[str, object]) -> None:
    """Ask the sandbox to misbehave as ``fault`` says (the admin API's fault fields)."""
    response = http.post(f"{ADMIN_PREFIX}/faults", json=dict(fault))
    if response.status_code != 200:
        raise UsageError(f"the sandbox refused fault {dict(fault)}: {response.status_code}")


def clear_faults(http: httpx.Client) -> None:
    """Remove every fault still pending."""
    http.delete(f"{ADMIN_PREFIX}/faults")


def clock_offset(http: httpx.Client) -> float:
    """How far the sandbox clock runs ahead of the real one, in seconds."""
    offset = http.get(f"{ADMIN_PREFIX}/clock").json().get("offset_s", 0.0)
    return float(offset) if isinstance(offset, int | float) else 0.0


def set_clock_offset(http: httpx.Client, offset_s: float) -> None:
    """Put the sandbox clock ``offset_s`` ahead of the real one (a skew, not an advance)."""
    http.post(f"{ADMIN_PREFIX}/clock", json={"skew_s": offset_s})
