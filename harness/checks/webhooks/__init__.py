"""Family ``webhooks``: the provider's events arrive signed, well-formed and retried; our"""

from harness.checks.webhooks.provider import plan

__all__ = ["plan"]
