"""Documents named by URL: fetched once, cached beside the contract, pinned by digest.

``api: {openapi: https://vendor.example/openapi.json, sha256: <hex>}`` makes every run check
the same document: the file is downloaded once into ``<contract>/.harness-cache/``, its
SHA-256 compared with the pin, and later runs (and CI, offline) read the cached copy. A
document whose digest differs from the pin is an error, never silently used.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import httpx

from harness.errors import ContractError, Location, Problem

CACHE_FOLDER = ".harness-cache"
MAX_BYTES = 50_000_000
TIMEOUT_S = 30.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def fetch_bytes(url: str, used_at: Location) -> bytes:
    """The body of a GET to ``url`` (bounded in size and time); a problem if it fails."""
    try:
        with (
            httpx.Client(timeout=TIMEOUT_S, follow_redirects=True, max_redirects=5) as client,
            client.stream("GET", url, headers={"Accept": "application/json, */*"}) as response,
        ):
            if response.status_code != 200:
                reason = f"the server answered {response.status_code}"
                raise _problem(used_at, url, reason, "check the URL, or download the file")
            return _read_bounded(response, url, used_at)
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise _problem(used_at, url, reason, "check the URL and the network") from None


def _read_bounded(response: httpx.Response, url: str, used_at: Location) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            reason = f"the document is over {MAX_BYTES // 1_000_000} MB"
            raise _problem(used_at, url, reason, "download it and name the file instead")
        chunks.append(chunk)
    return b"".join(chunks)


def _problem(used_at: Location, url: str, reason: str, hint: str) -> ContractError:
    return ContractError([Problem(used_at, f"cannot fetch {url}: {reason}", hint)])


def pinned_document(url: str, sha256: str | None, folder: Path, used_at: Location) -> Path:
    """The cached copy of ``url`` whose digest is ``sha256``, downloading it if needed."""
    if sha256 is not None and not _SHA256.match(sha256):
        message = f"sha256 {sha256!r} is not a SHA-256 digest"
        hint = "write the 64 lowercase hex digits of `sha256sum FILE`"
        raise ContractError([Problem(used_at, message, hint)])
    cache = folder / CACHE_FOLDER
    if sha256 is not None:
        found_before = (
            *sorted(cache.glob(f"{sha256[:16]}-*")),
            *map(_fallback, [sha256] * 2, [".json", ".yaml"]),
        )
        for cached in found_before:
            if cached.is_file() and _digest(cached.read_bytes()) == sha256:
                return cached
    body = fetch_bytes(url, used_at)
    found = _digest(body)
    if sha256 is None:
        message = f"{url} is not pinned: add its digest so every run checks the same document"
        raise ContractError([Problem(used_at, message, f"add 'sha256: {found}' beside it")])
    if found != sha256:
        message = f"{url} has changed: its sha256 is {found}, the contract pins {sha256}"
        hint = "review what changed in the vendor's document, then update 'sha256'"
        raise ContractError([Problem(used_at, message, hint)])
    suffix = ".json" if body.lstrip().startswith(b"{") else ".yaml"
    for cached in (cache / f"{sha256[:16]}-{_stem(url)}{suffix}", _fallback(sha256, suffix)):
        if _write(cached, body):
            return cached
    message = f"cannot cache {url}: no writable folder"
    raise ContractError([Problem(used_at, message, f"make {cache} writable")])


def _stem(url: str) -> str:
    tail = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_-]", "_", tail)[-60:] or "openapi"


def _fallback(sha256: str, suffix: str = ".json") -> Path:
    """Where the copy goes when the contract's folder is read-only."""
    return Path(tempfile.gettempdir()) / "harness-cache" / f"{sha256}{suffix}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        return False
    return True
