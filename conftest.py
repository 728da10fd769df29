"""Project-wide test settings: Hypothesis profiles (``HYPOTHESIS_PROFILE=ci`` in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import httpcore  # noqa: F401 - before pytester's inline runs, see below
import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ("pytester",)
# httpx imports httpcore lazily and caches its exception classes; pytester's inline runs
# drop the modules they imported, and a re-import then leaves httpcore errors untranslated.
# Importing it here, once, keeps one httpcore for the whole session.

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


TEST_TIMEOUT_S = 300


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """With pytest-timeout (a test extra), a hung test fails after 5 minutes instead of
    holding CI to its limit. Set here rather than as an ini key, so that runs without the
    extra (``harness check`` in this folder) do not meet an unknown ini key."""
    if config.pluginmanager.hasplugin("timeout") and not config.getoption("timeout", None):
        config.option.timeout = float(os.environ.get("HARNESS_TEST_TIMEOUT", TEST_TIMEOUT_S))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Contracts under tests/ are test data (broken on purpose, or aimed at test servers)."""
    if collection_path.name != "integration.yaml":
        return None
    try:
        parts = collection_path.resolve().relative_to(Path(__file__).parent).parts
    except ValueError:
        return None
    return True if parts[:1] == ("tests",) else None
