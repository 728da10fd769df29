"""How long a response took: measured live, or as recorded when it was replayed.

A replayed response (served from a cassette) carries the time the target took when it was
recorded in its ``extensions``; latency figures in replay must come from there, never from
the speed of replay. A response replayed from a cassette without timings has no time at all.
"""

from __future__ import annotations

import httpx

#: The ``httpx.Response.extensions`` keys of a replayed response.
REPLAYED = "harness_replayed"
RECORDED_ELAPSED_S = "harness_recorded_elapsed_s"


def replayed_extensions(elapsed_ms: float | None) -> dict[str, object]:
    """The extensions of a response replayed from an interaction recorded in ``elapsed_ms``."""
    if elapsed_ms is None:
        return {REPLAYED: True}
    return {REPLAYED: True, RECORDED_ELAPSED_S: elapsed_ms / 1000}


def is_replayed(response: httpx.Response | None) -> bool:
    """Whether ``response`` was served from a cassette rather than by the target."""
    return response is not None and bool(response.extensions.get(REPLAYED))


def recorded_elapsed_s(response: httpx.Response | None) -> float | None:
    """The seconds the target took when ``response`` was recorded (None: unknown)."""
    if response is None:
        return None
    value = response.extensions.get(RECORDED_ELAPSED_S)
    return float(value) if isinstance(value, int | float) else None


def timing_of(response: httpx.Response | None, measured_s: float) -> tuple[float, bool]:
    """(elapsed seconds to report, whether it is a real time of the target).

    Live: the measured time. Replayed: the recorded time, or ``(0.0, False)`` when the
    cassette holds none — no latency figure may be made from it.
    """
    if not is_replayed(response):
        return measured_s, True
    recorded = recorded_elapsed_s(response)
    return (recorded, True) if recorded is not None else (0.0, False)
