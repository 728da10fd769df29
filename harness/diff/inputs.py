"""What the user named: contract folders, ``REF:path`` git versions, or vendor documents."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contract import Contract, load_contract
from harness.contract.documents import read_document
from harness.contract.loader import CONTRACT_FILE
from harness.contract.source import display_path
from harness.contract.swagger import convert_swagger
from harness.diff.document import Document
from harness.errors import ContractError, Location, UsageError

GIT_TIMEOUT_S = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffInputs:
    """Both sides, loaded: two contracts (the new one maybe with a new vendor document), or
    two vendor documents."""

    labels: tuple[str, str]
    old_contract: Contract | None = None
    new_contract: Contract | None = None
    old_document: Document | None = None
    new_document: Document | None = None
    rename: tuple[tuple[str, str], ...] = ()


def open_inputs(old: str, new: str | None, openapi: str | None, scratch: Path) -> DiffInputs:
    """Load both sides; anything unreadable is a ``UsageError`` of one line."""
    if new is None and openapi is None:
        raise UsageError("give NEW (a contract folder, REF:path or document) or --openapi NEW.yaml")
    if new is not None and openapi is not None:
        raise UsageError("give either NEW or --openapi, not both")
    if openapi is not None:
        return DiffInputs(
            labels=(old, openapi),
            old_contract=_contract(old, scratch / "old"),
            new_document=load_document(openapi),
        )
    assert new is not None
    if _is_document(old) and _is_document(new):
        return DiffInputs(
            labels=(old, new), old_document=load_document(old), new_document=load_document(new)
        )
    old_folder, new_folder = _folder(old, scratch / "old"), _folder(new, scratch / "new")
    rename = tuple(
        (display_path(folder), label)
        for folder, label in ((old_folder, old), (new_folder, new))
        if folder.is_relative_to(scratch)
    )
    return DiffInputs(
        labels=(old, new),
        old_contract=_load(old_folder, old),
        new_contract=_load(new_folder, new),
        rename=rename,
    )


def _is_document(name: str) -> bool:
    path = Path(name)
    return path.is_file() and path.name != CONTRACT_FILE


def _contract(name: str, scratch: Path) -> Contract:
    return _load(_folder(name, scratch), name)


def _folder(name: str, scratch: Path) -> Path:
    path = Path(name)
    if path.is_file() and path.name != CONTRACT_FILE:
        raise UsageError(
            f"{name} is a document, the other side a contract: compare a contract with a new "
            "vendor document as 'harness diff CONTRACT_DIR --openapi NEW.yaml'"
        )
    if path.exists():
        return path.parent if path.is_file() else path
    if ":" in name:
        ref, _, inside = name.partition(":")
        return checkout(ref, inside or ".", scratch)
    raise UsageError(f"{name}: no such contract folder (or REF:path git version)")


def _load(folder: Path, label: str) -> Contract:
    try:
        return load_contract(folder, environ={})
    except ContractError as exc:
        first = exc.problems[0]
        more = (
            f" (and {len(exc.problems) - 1} more; run 'harness lint')"
            if len(exc.problems) > 1
            else ""
        )
        raise UsageError(
            f"{label}: not a valid contract: {first.location}: {first.message}{more}"
        ) from None


def load_document(name: str) -> Document:
    """A vendor's OpenAPI (or Swagger 2.0, converted) document, as one side of a diff."""
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"{name}: no such OpenAPI document")
    try:
        raw: Any = read_document(path, Location(name))
    except ContractError as exc:
        first = exc.problems[0]
        raise UsageError(f"{name}: cannot be read: {first.location}: {first.message}") from None
    if not isinstance(raw, dict) or not ("openapi" in raw or "swagger" in raw):
        raise UsageError(f"{name}: not an OpenAPI document (no 'openapi:' or 'swagger:' key)")
    converted = str(raw.get("swagger", "")).startswith("2")
    if converted:
        raw = convert_swagger(raw)
    # a converted document's lines no longer match its paths: name the file, not the line
    return Document(raw=raw, path=path, display=display_path(path), lines=not converted)


def checkout(ref: str, inside: str, scratch: Path) -> Path:
    """Extract ``inside`` (a folder, relative to the working directory) at git ``ref``."""
    if Path(inside).is_absolute():
        inside = os.path.relpath(inside)
    prefix = _git(["rev-parse", "--show-prefix"], f"{ref}:{inside}").decode().strip()
    target = f"{ref}:{prefix}{inside.rstrip('/')}".rstrip(":")
    data = _git(["archive", "--format=tar", target], f"{ref}:{inside}")
    scratch.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(scratch, filter="data")
    return scratch


def _git(args: list[str], label: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, timeout=GIT_TIMEOUT_S, check=False
        )
    except FileNotFoundError:
        raise UsageError(
            f"{label}: git is not installed; check out the old version yourself"
        ) from None
    except subprocess.TimeoutExpired:
        raise UsageError(
            f"{label}: git took over {GIT_TIMEOUT_S}s; check out the version yourself"
        ) from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        detail = reason[-1] if reason else f"git exited {done.returncode}"
        raise UsageError(f"{label}: cannot read this git version: {detail}")
    return done.stdout
