"""Line numbers inside referenced documents, computed only when a message needs one."""

from __future__ import annotations

from pathlib import Path

from harness.contract.contract import ApiDocument, Operation
from harness.contract.source import parse_yaml
from harness.errors import ContractError, Location


def operation_location(document: ApiDocument, operation: Operation) -> Location:
    """``openapi.yaml:LINE:COL`` of an operation (the file, if it cannot be parsed again)."""
    where = ("paths", operation.path, operation.method)
    try:
        text = document.path.read_text(encoding="utf-8")
        positions = parse_yaml(text, _display(document)).positions
    except (ContractError, OSError, UnicodeDecodeError):
        return Location(_display(document), path=f"$.paths['{operation.path}'].{operation.method}")
    return positions.locate(where)


def _display(document: ApiDocument) -> str:
    try:
        return str(document.path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(document.path)
