"""Family ``ratelimit``: declared limits are announced truthfully and enforced as declared."""

from harness.checks.ratelimit.limits import plan

__all__ = ["plan"]
