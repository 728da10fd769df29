"""The pytest plugin (registered through the ``pytest11`` entry point).

For now it only announces harness in the pytest header; collection of contracts and the
check families arrive with ``harness check``.
"""

from __future__ import annotations

import pytest

from harness import __version__


def pytest_report_header(config: pytest.Config) -> str:
    return f"harness {__version__}"
