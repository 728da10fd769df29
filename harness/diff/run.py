"""``harness diff``: load both sides (checking out git versions in a scratch folder), diff."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from harness.diff.change import DiffReport
from harness.diff.compare import diff_contracts, diff_documents
from harness.diff.inputs import open_inputs


def run_diff(
    old: str, new: str | None, openapi: str | None = None, *, today: dt.date | None = None
) -> DiffReport:
    """The classified changes from ``old`` to ``new`` (or to the ``openapi`` document)."""
    with tempfile.TemporaryDirectory(prefix="harness-diff-") as scratch:
        inputs = open_inputs(old, new, openapi, Path(scratch))
        if inputs.old_contract is None:
            assert inputs.old_document is not None
            assert inputs.new_document is not None
            return diff_documents(
                inputs.old_document, inputs.new_document, today=today, labels=inputs.labels
            )
        new_contract = inputs.new_contract or inputs.old_contract
        return diff_contracts(
            inputs.old_contract,
            new_contract,
            new_document=inputs.new_document,
            today=today,
            labels=inputs.labels,
            rename=dict(inputs.rename),
        )
