"""Family ``health``: the declared health operation answers as expected, in time."""

from harness.checks.health.endpoint import plan

__all__ = ["plan"]
