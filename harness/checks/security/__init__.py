"""Family ``security``: secrets stay secret, PII stays out of URLs and errors, TLS in production."""

from harness.checks.security.secrets import plan

__all__ = ["plan"]
