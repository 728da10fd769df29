"""Family ``performance``: declared latency and throughput under a bounded load probe."""

from harness.checks.performance.checks import plan

__all__ = ["plan"]
