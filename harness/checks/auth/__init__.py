"""Family ``auth``: credentials are obtained, reused, refreshed and refused as declared."""

from harness.checks.auth.credentials import plan

__all__ = ["plan"]
