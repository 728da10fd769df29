"""Family ``mapping``: each entity mapping of the guide, checked property by property."""

from harness.checks.mapping.entities import plan

__all__ = ["plan"]
