"""Family ``errors``: every declared error code is produced as declared, and no other is.

``codes`` provokes each code by its ``trigger`` and compares ``retryable`` with the retry
policy; ``observed`` judges every error response the run recorded before it, which is why
the registry runs this family after every other (``reads_exchanges``). ``table`` is the
error table's matching, ``trigger`` sends a code's declared request.
"""

from harness.checks.errors.plan import plan

__all__ = ["plan"]
