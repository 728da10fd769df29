"""``harness diff``: classified changes between two versions of a contract or vendor document."""

from harness.diff.change import Change, DiffReport, Severity
from harness.diff.compare import diff_contracts, diff_documents
from harness.diff.inputs import DiffInputs, open_inputs
from harness.diff.render import FORMATS, render
from harness.diff.run import run_diff

__all__ = [
    "FORMATS",
    "Change",
    "DiffInputs",
    "DiffReport",
    "Severity",
    "diff_contracts",
    "diff_documents",
    "open_inputs",
    "render",
    "run_diff",
]
