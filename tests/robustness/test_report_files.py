"""Report files are written atomically with the mode the umask gives, not mkstemp's 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.results import write_atomically


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_report_gets_the_umask_mode(tmp_path: Path, mask: int, mode: int) -> None:
    os.umask(mask)
    path = tmp_path / "reports" / "acme-crm" / "health.json"
    write_atomically(path, "{}\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text() == "{}\n"
    assert [p.name for p in path.parent.iterdir()] == ["health.json"]  # no temporary left


@pytest.mark.usefixtures("umask")
def test_rewritten_report_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("old\n")
    path.chmod(0o640)
    write_atomically(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "new\n"
