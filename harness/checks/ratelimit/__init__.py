"""Family ``ratelimit``: declared limits are announced truthfully and enforced as declared.

Per declared window limit: ``headers[i]`` (``headers``) checks what a few responses
announce, ``enforced[i]`` (``enforcement``) runs the bounded probe of
``harness.ratelimit``; per concurrency cap, ``concurrency[i]`` (``concurrency``) sends one
request more than the cap at once on the local sandbox.
"""

from harness.checks.ratelimit.plan import plan

__all__ = ["plan"]
