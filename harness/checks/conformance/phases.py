"""Schemathesis's deterministic phases as explicit cases: examples, coverage.

Schemathesis CLI runs, per operation, the document's own examples, then its *coverage*
phase (boundary values, each required part missing, wrong types, unexpected methods), then
random fuzzing. The fuzzing is the check's ``@given`` strategy; these two phases are the
same cases Schemathesis would send, sent by the check before the fuzzing starts.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from schemathesis import GenerationMode

from harness._compat import schemathesis as st_compat

#: The most coverage cases attached to one check (the largest documents yield thousands).
MAX_COVERAGE_CASES = 200


def documented_examples(operation: Any, test: Callable[..., Any]) -> list[Any]:
    """The cases built from the document's examples of ``operation`` (positive data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return list(st_compat.example_cases(operation, test))
        except Exception:  # a document whose examples cannot be built has none
            return []


def coverage_cases(operation: Any, mode: GenerationMode) -> list[Any]:
    """Schemathesis's coverage-phase cases of ``operation`` in ``mode``."""
    generator = st_compat.coverage_cases(operation, mode)
    found: list[Any] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for case in generator:
                found.append(case)
                if len(found) >= MAX_COVERAGE_CASES:
                    break
        except Exception:  # Schemathesis could not cover it: fuzzing still runs
            return found
    return found
