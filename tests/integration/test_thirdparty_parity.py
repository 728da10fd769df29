"""Conformance on a public document served by a third-party mock nobody here wrote.

Figma's official OpenAPI document (npm @figma/rest-api-spec, trimmed to the operations in
``parity.OPERATIONS`` so the run stays near a minute) is served by Prism's mock (npm
@stoplight/prism-cli). Harness and Schemathesis's own CLI run as whole processes on the same
document, mock, token, example budget and seed; harness must report every distinct
(path, Schemathesis failure kind) the CLI reports. Prism and the document are installed at
test time into ~/.cache/harness-tests; without npm the test is skipped with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.targets.thirdparty import parity

EXAMPLES, SEED = 10, 1


def _compare(work: Path) -> tuple[parity.Run, parity.Run]:
    try:
        parity.prism_binary()
        parity.figma_document()
    except parity.Unavailable as missing:
        pytest.skip(str(missing))
    return parity.compare(EXAMPLES, SEED, parity.OPERATIONS, work=work)


def test_harness_finds_a_superset_of_schemathesis_on_figma_served_by_prism(
    tmp_path: Path,
) -> None:
    # One test, not a fixture shared by several: under xdist each worker would rerun it.
    theirs, ours = _compare(tmp_path)
    assert theirs.requests > 0, "Prism logged no request from Schemathesis"
    assert ours.requests > 0, "Prism logged no request from harness"
    assert theirs.findings, "Schemathesis found nothing on Prism's Figma mock: the setup broke"
    missed = sorted(theirs.findings - ours.findings)
    assert not missed, f"harness missed {missed}; harness found {sorted(ours.findings)}"
