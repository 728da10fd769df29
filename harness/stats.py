"""Summary statistics shared by the checks and the reports (both may import this, not each other).

Latency figures are nearest-rank percentiles: always one of the measured values, never an
interpolation between two requests that did not take that long.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` in 0..1) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]
