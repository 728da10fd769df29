"""``harness report --merge``: shards' results become one run's, and nothing else merges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import UsageError
from harness.reporting.history import History
from harness.reporting.merge import merge_junit, merge_reports
from harness.results import CheckResult, Outcome, render_results
from harness.shards import shard_key, shard_of

RUN = {"started": "2026-12-01T10:00:00+00:00", "environment": "local", "mode": "live",
       "seed": 7, "examples": 5, "families": [], "complete": True}  # fmt: skip
OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.SKIPPED, Outcome.ERROR)


def _results(count: int = 40) -> list[CheckResult]:
    return [
        CheckResult(
            id=f"contracts/demo/integration.yaml::fam{i % 3}::check{i}",
            integration="demo",
            family=f"fam{i % 3}",
            name=f"check{i}",
            outcome=OUTCOMES[i % len(OUTCOMES)],
            message=f"observed {i}",
            data={"exchanges": [{"status": 200, "elapsed_ms": float(i), "error": False}]},
        )
        for i in range(count)
    ]


def _write(folder: Path, results: list[CheckResult], run: dict[str, Any]) -> Path:
    path = folder / "demo" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_results("demo", run, results))
    return folder


def _shards(tmp_path: Path, results: list[CheckResult], count: int = 2, **run: Any) -> list[Path]:
    folders = []
    for index in range(1, count + 1):
        mine = [
            r
            for r in results
            if shard_of(shard_key(r.integration, r.family, r.name), count) == index
        ]
        header = {**RUN, **run, "shard": f"{index}/{count}"}
        folders.append(_write(tmp_path / f"shard{index}", mine, header))
    return folders


def _merge(tmp_path: Path, folders: list[Path]) -> dict[str, Any]:
    merge_reports(folders, tmp_path / "out", history=History(tmp_path / "h.sqlite"))
    return json.loads((tmp_path / "out" / "demo" / "results.json").read_text())


def test_merged_results_are_the_single_runs(tmp_path: Path) -> None:
    results = _results()
    single = json.loads(render_results("demo", RUN, results))
    merged = _merge(tmp_path, _shards(tmp_path, results, count=3))
    assert merged["checks"] == single["checks"]
    for key in ("counts", "subjects", "inconclusive", "integration", "format"):
        assert merged[key] == single[key]
    assert merged["run"]["seed"] == 7
    assert merged["run"]["merged_from"] == 3
    assert (tmp_path / "out" / "demo" / "health.json").is_file()
    assert (tmp_path / "out" / "demo" / "report.html").is_file()
    assert (tmp_path / "out" / "summary.md").is_file()


def test_different_seeds_are_refused(tmp_path: Path) -> None:
    results = _results()
    first, second = _shards(tmp_path, results)
    document = json.loads((second / "demo" / "results.json").read_text())
    document["run"]["seed"] = 8
    (second / "demo" / "results.json").write_text(json.dumps(document))
    with pytest.raises(UsageError, match=r"not shards of one run: seed 7 vs 8; run every shard"):
        _merge(tmp_path, [first, second])


def test_a_missing_shard_is_refused(tmp_path: Path) -> None:
    folders = _shards(tmp_path, _results(), count=3)
    with pytest.raises(UsageError, match=r"shard\(s\) 2/3 missing"):
        _merge(tmp_path, [folders[0], folders[2]])


def test_a_shard_given_twice_is_refused(tmp_path: Path) -> None:
    first, _ = _shards(tmp_path, _results())
    with pytest.raises(UsageError, match="are both shard 1/2"):
        _merge(tmp_path, [first, first])


def test_a_check_in_the_wrong_shard_means_another_contract(tmp_path: Path) -> None:
    results = _results()
    first, second = _shards(tmp_path, results)
    stranger = next(r for r in results if shard_of(shard_key("demo", r.family, r.name), 2) == 2)
    mine = [r for r in results if shard_of(shard_key("demo", r.family, r.name), 2) == 1]
    _write(first, [*mine, stranger], {**RUN, "shard": "1/2"})
    with pytest.raises(UsageError, match="belongs to shard 2: the shards were planned from"):
        _merge(tmp_path, [first, second])


def test_a_check_in_two_folders_is_refused(tmp_path: Path) -> None:
    results = _results()
    first = _write(tmp_path / "a", results[:25], RUN)  # unsharded runs, e.g. split by --family
    second = _write(tmp_path / "b", results[20:], RUN)
    with pytest.raises(UsageError, match="each check must come from exactly one shard"):
        _merge(tmp_path, [first, second])


def test_an_interrupted_shard_is_refused(tmp_path: Path) -> None:
    results = _results()
    first, second = _shards(tmp_path, results)
    mine = json.loads((second / "demo" / "results.json").read_text())
    mine["run"]["complete"] = False
    (second / "demo" / "results.json").write_text(json.dumps(mine))
    with pytest.raises(UsageError, match="interrupted run; re-run that shard"):
        _merge(tmp_path, [first, second])


def test_a_folder_without_results_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no \*/results\.json"):
        _merge(tmp_path, [tmp_path / "empty"])
    with pytest.raises(UsageError, match="no such folder"):
        _merge(tmp_path, [tmp_path / "absent"])


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="{e}"
failures="{f}" skipped="0" tests="{t}" time="1.5"><testcase classname="c" name="n{t}"/>
</testsuite></testsuites>"""


def test_junit_files_are_summed_into_one_suite(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(JUNIT.format(e=0, f=1, t=3))
    (tmp_path / "b.xml").write_text(JUNIT.format(e=1, f=0, t=4))
    merged = merge_junit([tmp_path / "a.xml", tmp_path / "b.xml"], tmp_path / "junit.xml")
    assert merged is not None
    text = merged.read_text()
    for attribute in ('tests="7"', 'failures="1"', 'errors="1"', 'time="3.000"'):
        assert attribute in text
    assert text.count("<testcase") == 2
