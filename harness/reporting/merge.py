"""``harness report --merge DIR...``: the report folders of ``--shard K/N`` runs, as one run.

Each DIR is the ``--report-dir`` of one shard: ``<id>/results.json`` per integration and the
run's ``junit.xml``. The merge refuses folders that are not shards of one run — a different
seed, environment, mode, examples or families; a different shard count; a shard twice or
missing; a check in two folders; a check in a shard its id does not hash to (the shards were
planned from different contracts or harness versions); an interrupted shard — with a message
naming the folders and the fix. Then it writes the reports a single run would have written
(results.json, health, compliance, summary, HTML, JUnit, a history row) into the output
folder: the verdicts are the shards' verdicts, unchanged.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import UsageError
from harness.reporting.history import History
from harness.reporting.reports import ReportSet, contract_for, write_reports, write_run_summary
from harness.results import RESULTS_FORMAT, CheckResult, count_outcomes, write_atomically
from harness.shards import parse_shard, shard_key, shard_of

SAME_RUN = ("environment", "mode", "seed", "examples", "families")
JUNIT = "junit.xml"
_COUNTED = ("tests", "errors", "failures", "skipped")


@dataclass(slots=True, kw_only=True)
class Shard:
    """One shard's report folder: its run header and its results by integration."""

    folder: Path
    run: dict[str, Any]
    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    raw: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)  # as read, per check

    @property
    def position(self) -> tuple[int, int]:
        label = self.run.get("shard")
        return parse_shard(str(label), f"{self.folder}: run.shard") if label else (1, 1)


def read_shard(folder: Path) -> Shard:
    """The results of one report folder (one run), or a usage error naming the file."""
    if not folder.is_dir():
        raise UsageError(f"--merge {folder}: no such folder; give the --report-dir of each shard")
    files = sorted(folder.glob("*/results.json"))
    if not files:
        raise UsageError(f"--merge {folder}: no */results.json; did this shard run any check?")
    shard: Shard | None = None
    for path in files:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            run, checks = dict(document["run"]), document["checks"]
            results = [CheckResult.from_json(item) for item in checks]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}: not a results file ({exc}); re-run that shard") from None
        if shard is None:
            shard = Shard(folder=folder, run=run)
        elif _header(run) != _header(shard.run) or run.get("shard") != shard.run.get("shard"):
            raise UsageError(f"{path}: another run than {files[0]}; one folder per shard run")
        shard.results[str(document["integration"])] = results
        shard.raw[str(document["integration"])] = checks
    assert shard is not None
    return shard


def _header(run: Mapping[str, Any]) -> dict[str, Any]:
    return {key: run.get(key) for key in SAME_RUN}


def check_shards(shards: Sequence[Shard]) -> None:
    """Refuse anything but the complete set of shards of one run (see the module docstring)."""
    first = shards[0]
    for shard in shards[1:]:
        for key in SAME_RUN:
            if shard.run.get(key) != first.run.get(key):
                raise UsageError(
                    f"--merge: {first.folder} and {shard.folder} are not shards of one run: "
                    f"{key} {first.run.get(key)!r} vs {shard.run.get(key)!r}; run every shard "
                    "with the same --seed, --env, --mode, --examples and --family options"
                )
    for shard in shards:
        if shard.run.get("complete") is False:
            raise UsageError(f"--merge: {shard.folder} holds an interrupted run; re-run that shard")
    _check_positions(shards)
    _check_membership(shards)


def _check_positions(shards: Sequence[Shard]) -> None:
    counts = {shard.position[1] for shard in shards}
    if len(counts) > 1:
        raise UsageError(
            f"--merge: the folders were run with different shard counts {sorted(counts)}"
        )
    count = counts.pop()
    seen: dict[int, Path] = {}
    for shard in shards:
        index = shard.position[0]
        if index in seen and count > 1:
            raise UsageError(
                f"--merge: {seen[index]} and {shard.folder} are both shard {index}/{count}"
            )
        seen[index] = shard.folder
    missing = [f"{k}/{count}" for k in range(1, count + 1) if k not in seen]
    if count > 1 and missing:
        raise UsageError(
            f"--merge: shard(s) {', '.join(missing)} missing; a merged report of part of a run "
            "would pass checks that never ran. Give every shard's --report-dir"
        )


def _check_membership(shards: Sequence[Shard]) -> None:
    owner: dict[str, Path] = {}
    for shard in shards:
        index, count = shard.position
        for results in shard.results.values():
            for result in results:
                if result.id in owner:
                    raise UsageError(
                        f"--merge: {result.id} is in {owner[result.id]} and {shard.folder}; "
                        "each check must come from exactly one shard"
                    )
                owner[result.id] = shard.folder
                key = shard_key(result.integration, result.family, result.name)
                if count > 1 and shard_of(key, count) != index:
                    raise UsageError(
                        f"--merge: {shard.folder} (shard {index}/{count}) holds {result.id}, which "
                        f"belongs to shard {shard_of(key, count)}: the shards were planned from "
                        "different contracts or harness versions; re-run them from one checkout"
                    )


def merged_run(shards: Sequence[Shard]) -> dict[str, Any]:
    """The run header of the merged report: the shared settings, the earliest start."""
    run = {key: value for key, value in shards[0].run.items() if key != "shard"}
    run["started"] = min(str(shard.run.get("started", "")) for shard in shards)
    run["complete"] = True
    run["merged_from"] = len(shards)
    return run


def merge_reports(
    folders: Sequence[Path], out: Path, *, history: History | None, root: Path | None = None
) -> list[ReportSet]:
    """Merge shard report folders into ``out``: results.json and every report, per integration."""
    shards = [read_shard(folder) for folder in folders]
    check_shards(shards)
    run = merged_run(shards)
    by_integration: dict[str, list[CheckResult]] = {}
    raw: dict[str, list[Mapping[str, Any]]] = {}
    for shard in shards:
        for integration, results in shard.results.items():
            by_integration.setdefault(integration, []).extend(results)
            raw.setdefault(integration, []).extend(shard.raw[integration])
    written = []
    for integration, results in sorted(by_integration.items()):
        text = results_text(integration, run, results, raw[integration])
        write_atomically(out / integration / "results.json", text)
        contract = contract_for(results, str(run.get("environment", "local")), root=root)
        written.append(
            write_reports(out, integration, run, results, contract=contract, history=history)
        )
    write_run_summary(out, written)
    merge_junit([folder / JUNIT for folder in folders], out / JUNIT)
    return written


def results_text(
    integration: str,
    run: Mapping[str, Any],
    results: Sequence[CheckResult],
    checks: Sequence[Mapping[str, Any]],
) -> str:
    """The merged results.json: ``render_results``'s document, each check on one line as the
    shard wrote it (10,000 checks re-encoded with indentation take seconds; this does not)."""
    header = {
        "format": RESULTS_FORMAT,
        "integration": integration,
        "run": dict(run),
        "counts": count_outcomes(results),
        "subjects": {
            "integration": count_outcomes(r for r in results if not r.about_client),
            "client": count_outcomes(r for r in results if r.about_client),
        },
        "inconclusive": sum(result.inconclusive for result in results),
    }
    ordered = sorted(checks, key=lambda check: str(check["id"]))
    lines = ",\n".join("    " + json.dumps(check, default=str) for check in ordered)
    head = json.dumps(header, indent=2, default=str).removesuffix("\n}")
    return f'{head},\n  "checks": [\n{lines}\n  ]\n}}\n'


def merge_junit(sources: Sequence[Path], target: Path) -> Path | None:
    """One JUnit file from the shards' ``junit.xml`` (pytest's format): one suite, summed."""
    present = [path for path in sources if path.is_file()]
    if not present:
        return None
    merged = ET.Element("testsuite", name="pytest")
    totals = dict.fromkeys(_COUNTED, 0)
    elapsed = 0.0
    for path in present:
        suites = ET.parse(path).getroot().iter("testsuite")  # noqa: S314 - our own shards' files
        for suite in suites:
            for name in _COUNTED:
                totals[name] += int(suite.get(name, "0"))
            elapsed += float(suite.get("time", "0"))
            merged.extend(suite.findall("testcase"))
    for name, value in totals.items():
        merged.set(name, str(value))
    merged.set("time", f"{elapsed:.3f}")
    root = ET.Element("testsuites")
    root.append(merged)
    text = ET.tostring(root, encoding="unicode", xml_declaration=True)
    write_atomically(target, text + "\n")
    return target
