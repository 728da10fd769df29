"""Multi-file documents: every external ``$ref`` brought into one document, safely.

Vendors split documents (``$ref: schemas/pet.yaml#/Pet``). The bundler reads each file a
reference names once, stores it under ``x-harness-bundled`` in the root document and rewrites
the reference to point there, so every later stage (validation, Schemathesis, the sandbox,
mapping) sees one self-contained document with local ``#/...`` references only — and no
library behind them ever reads a file or opens a URL on its own.

What a reference may name is the contract's decision, never the document's:
- a relative file inside the contract's folder (or the root document's folder): read;
- a file outside them (``../../etc/passwd``) or a ``file://`` URL: an error;
- an ``http(s)://`` URL: an error unless the contract opts in with
  ``api: {allow_remote_refs: true}``; then fetched once, bounded in size and time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from harness.contract.contract import Contract
from harness.contract.documents import parse_document, read_document
from harness.contract.remote import fetch_bytes
from harness.contract.source import PathKey, display_path, parse_yaml
from harness.errors import ContractError, Location, Problem

BUNDLE_KEY = "x-harness-bundled"
MAX_FILES = 500
_NOT_REFERENCES = frozenset({"$ref", "example", "default", "const", "enum"})  # literal data


@dataclass(frozen=True, slots=True, kw_only=True)
class RefPolicy:
    """Where a document's ``$ref`` may lead: folders it may read, and whether URLs are fetched."""

    roots: tuple[Path, ...]
    allow_remote: bool = False


def document_policy(contract: Contract, api_document: Path | None = None) -> RefPolicy:
    """The contract's rule: its folder (and its OpenAPI document's) only; URLs if opted in."""
    roots = [contract.directory]
    api = contract.api
    if api_document is None and api is not None and not is_url(api.openapi):
        api_document = contract.directory / api.openapi
    if api_document is not None:
        roots.append(api_document.parent)
    allow = api is not None and api.allow_remote_refs
    return RefPolicy(roots=tuple(roots), allow_remote=allow)


def load_document(path: Path, used_at: Location, policy: RefPolicy) -> Any:
    """Read ``path`` and bundle every external ``$ref`` it (transitively) makes."""
    data = read_document(path, used_at)
    return bundle(data, str(path.resolve()), policy)


def bundle(data: Any, source: str, policy: RefPolicy) -> Any:
    """``data`` (read from ``source``, a file path or URL) with external refs brought in."""
    bundler = _Bundler(policy, source)
    bundler.run(data)
    if bundler.problems:
        raise ContractError(bundler.problems)
    if bundler.bundled and isinstance(data, dict):
        data[BUNDLE_KEY] = bundler.bundled
    return data


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


class _Bundler:
    def __init__(self, policy: RefPolicy, root: str) -> None:
        self.policy = policy
        self.roots = tuple(folder.resolve() for folder in policy.roots)
        self.keys: dict[str, str] = {root: ""}  # source → its key in the bundle ("" = root)
        self.bundled: dict[str, Any] = {}
        self.problems: list[Problem] = []
        self.queue: list[tuple[Any, str]] = []
        self._done: set[int] = set()

    def run(self, data: Any) -> None:
        self.queue.append((data, next(iter(self.keys))))
        while self.queue:
            document, source = self.queue.pop()
            self._rewrite(document, source)

    def _rewrite(self, document: Any, source: str) -> None:
        prefix = self._prefix(source)
        stack: list[tuple[PathKey, Any]] = [((), document)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, list):
                stack.extend(((*path, i), item) for i, item in enumerate(node))
                continue
            if not isinstance(node, dict) or id(node) in self._done:
                continue
            self._done.add(id(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                new = self._reference(ref, source, prefix, (*path, "$ref"))
                if new is not None:
                    node["$ref"] = new
            stack.extend(
                ((*path, key), value) for key, value in node.items() if key not in _NOT_REFERENCES
            )

    def _prefix(self, source: str) -> str:
        key = self.keys[source]
        return f"#/{BUNDLE_KEY}/{key}" if key else "#"

    def _reference(self, ref: str, source: str, prefix: str, where: PathKey) -> str | None:
        """The rewritten reference, or None to leave it (a problem is recorded if it is bad)."""
        location, _, fragment = ref.partition("#")
        if not location:
            return None if prefix == "#" else prefix + fragment
        target = self._target(location, source, where)
        if target is None:
            return None
        if target not in self.keys and not self._load(target, source, where):
            return None
        key = self.keys[target]
        return (f"#/{BUNDLE_KEY}/{key}" if key else "#") + fragment

    def _target(self, location: str, source: str, where: PathKey) -> str | None:
        scheme = urlsplit(location).scheme.lower()
        if scheme in ("http", "https") or (not scheme and is_url(source)):
            url = urljoin(source, location) if is_url(source) else location
            if self.policy.allow_remote:
                return url.partition("#")[0]
            hint = "harness never fetches a reference on its own; download the file into the "
            hint += "contract folder, or opt in with 'api: {allow_remote_refs: true}'"
            self._problem(source, where, f"remote $ref '{location}' is not fetched", hint)
            return None
        if scheme == "file" or (scheme and len(scheme) > 1):
            message = f"$ref '{location}' is not supported: only relative file paths are read"
            hint = "write the path relative to the document, inside the contract folder"
            self._problem(source, where, message, hint)
            return None
        try:
            path = (Path(source).parent / location).resolve()
            exists = path.is_file()
        except (OSError, ValueError) as exc:  # a name too long, a NUL byte...
            message = f"$ref '{location[:80]}' is not a usable file name ({exc})"[:300]
            self._problem(source, where, message, "fix the $ref")
            return None
        if not any(path.is_relative_to(root) for root in self.roots):
            message = f"$ref '{location}' leads outside the contract folder"
            hint = "references are read only inside the contract's folder; copy the file there"
            self._problem(source, where, message, hint)
            return None
        if not exists:
            message = f"$ref '{location}' names a file that does not exist ({display_path(path)})"
            hint = "paths in $ref are relative to the document that holds them"
            self._problem(source, where, message, hint)
            return None
        return str(path)

    def _load(self, target: str, source: str, where: PathKey) -> bool:
        if len(self.keys) > MAX_FILES:
            message = f"the document references more than {MAX_FILES} files"
            self._problem(source, where, message, "bundle the document into fewer files")
            return False
        used_at = self._location(source, where)
        try:
            if is_url(target):
                data = parse_document(fetch_bytes(target, used_at), target)
            else:
                data = read_document(Path(target), used_at)
        except ContractError as exc:
            self.problems += exc.problems
            return False
        self.keys[target] = self._key_for(target)
        self.bundled[self.keys[target]] = data
        self.queue.append((data, target))
        return True

    def _key_for(self, target: str) -> str:
        roots = [root for root in self.roots if not is_url(target)]
        shown = target
        for root in roots:
            if Path(target).is_relative_to(root):
                shown = str(Path(target).relative_to(root))
                break
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", shown)[-80:] or "document"
        key, n = base, 1
        while key in self.bundled:
            n += 1
            key = f"{base}_{n}"
        return key

    def _problem(self, source: str, where: PathKey, message: str, hint: str) -> None:
        self.problems.append(Problem(self._location(source, where), message, hint))

    def _location(self, source: str, where: PathKey) -> Location:
        if is_url(source):
            return Location(source)
        return locate_in_file(Path(source), where)


def locate_in_file(path: Path, where: PathKey) -> Location:
    """``file:line:col`` of a JSON path in a YAML/JSON file (the file alone if unreadable)."""
    display = display_path(path)
    try:
        positions = parse_yaml(path.read_text(encoding="utf-8"), display, strict=False).positions
    except (ContractError, OSError, UnicodeDecodeError):
        return Location(display)
    return positions.locate(where)
