"""The helpers that live once and serve callers with different needs (issue 14).

One JSON-pointer walker (raise or a default on a miss; tokens percent-decoded or not), one
atomic writer (the umask's mode for reports, 0644 for cassettes, an optional verify hook),
one nearest-rank percentile (rounded only where the reports show it).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.contract.refs import PointerMiss, follow_pointer, join_pointer, split_pointer
from harness.reporting.metrics import percentile as report_percentile
from harness.results import write_atomically
from harness.stats import percentile
from harness.transports.cassette import write_cassette_file
from harness.workflows.expressions import Scope, Unresolved, evaluate

DOCUMENT = {"paths": {"/a b": {"get": [10, {"x": None}]}}, "a%20b": 1}


def test_a_miss_raises_or_gives_the_default() -> None:
    assert follow_pointer(DOCUMENT, "/paths/~1a b/get/1") == {"x": None}
    assert follow_pointer(DOCUMENT, "/paths/nothing/here", default=None) is None
    with pytest.raises(PointerMiss) as miss:
        follow_pointer(DOCUMENT, "#/paths/~1a b/get/7")
    assert miss.value.reached == [10, {"x": None}]
    assert str(miss.value) == "$ref '#/paths/~1a b/get/7' points at nothing in the document"


def test_fragment_tokens_are_percent_decoded_and_joined_tokens_escaped() -> None:
    assert split_pointer("#/paths/~1a%20b") == ("paths", "/a b")
    assert join_pointer("/paths", "/a b", "get") == "/paths/~1a b/get"
    assert follow_pointer(DOCUMENT, join_pointer("/paths", "/a b", "get", "0")) == 10


def test_runtime_expression_pointers_are_not_percent_decoded() -> None:
    scope = Scope(inputs={"doc": DOCUMENT})
    assert evaluate("$inputs.doc#/a%20b", scope) == 1
    with pytest.raises(Unresolved, match="nothing at '/paths/x' in"):
        evaluate("$inputs.doc#/paths/x", scope)


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask")
def test_a_cassette_is_0644_whatever_the_umask_a_report_follows_it(tmp_path: Path) -> None:
    write_cassette_file(tmp_path / "c.yaml", "interactions: []\n")
    write_atomically(tmp_path / "r.json", b"{}\n")
    assert stat.S_IMODE((tmp_path / "c.yaml").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o600
    assert (tmp_path / "r.json").read_bytes() == b"{}\n"


def test_a_failed_verify_writes_nothing(tmp_path: Path) -> None:
    def refuse(temporary: Path) -> None:
        assert temporary.read_text() == "draft\n"
        raise ValueError("not valid")

    with pytest.raises(ValueError, match="not valid"):
        write_atomically(tmp_path / "out.txt", "draft\n", verify=refuse)
    assert list(tmp_path.iterdir()) == []


def test_one_nearest_rank_percentile_rounded_only_for_reports() -> None:
    values = [1.004, 2.0, 3.0]
    assert percentile(values, 0.1) == 1.004
    assert report_percentile(values, 0.1) == 1.0
    assert percentile([], 0.5) is None
    assert report_percentile([], 0.5) is None
