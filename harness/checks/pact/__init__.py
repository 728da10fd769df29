"""Family ``pact``: the pact files the contract lists, verified against the target."""

from harness.checks.pact.verification import plan

__all__ = ["plan"]
