"""Family ``compliance``: the contract keeps the promises its guide template requires."""

from harness.checks.compliance.guide import plan

__all__ = ["plan"]
