"""Family ``config``: each declared option is present where required and parses as its type."""

from harness.checks.config.options import plan

__all__ = ["plan"]
