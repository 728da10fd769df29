"""Bad input, tampering and faults, each case with its expected clean outcome.

Each module (``documents``, ``cassettes``, ``cli``) has a table of cases and
``run(sample: int | None = None) -> dict[str, int]`` with the counts ``cases``,
``tracebacks``, ``hangs``, ``silent_passes`` and ``unexpected``; ``bench/robustness.py``
adds them up, and the ``test_*`` modules here run them.
"""
