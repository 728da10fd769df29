"""Which files are harness contracts, decided cheaply: no YAML parsing, no heavy imports.

pytest asks the plugin about every file of every project where harness is installed. Only an
``integration.yaml`` whose top level has a ``harness:`` key is a contract, or a file the user
named: on the command line or under a folder of the ``harness_contracts`` ini key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

CONTRACT_FILE = "integration.yaml"  # equal to harness.contract.CONTRACT_FILE (a test says so)
HEAD_BYTES = 64 * 1024  # the harness key is near the top; a contract is rarely this long
_HARNESS_KEY = re.compile(rb"""^(?:\{\s*)?["']?harness["']?\s*:""", re.MULTILINE)


def has_harness_key(path: Path) -> bool:
    """Whether ``path`` starts with a top-level ``harness:`` key (in its first 64 KB)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError:
        return False
    return _HARNESS_KEY.search(head.removeprefix(b"\xef\xbb\xbf")) is not None


def is_contract(path: Path, chosen: Iterable[Path] = ()) -> bool:
    """An ``integration.yaml`` that is a contract, or one inside (or equal to) ``chosen``."""
    if path.name != CONTRACT_FILE:
        return False
    resolved = path.resolve()
    if any(resolved == place or place in resolved.parents for place in chosen):
        return True
    return has_harness_key(path)
