"""Family ``errors``: every declared error code is produced as declared, and no other is."""

from harness.checks.errors.codes import plan

__all__ = ["plan"]
