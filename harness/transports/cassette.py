"""Cassettes: recorded HTTP interactions in vcrpy's YAML format, read and written safely.

One file per check (``cassettes/<integration>/<family>/<check>.yaml``) holds ``interactions``
(vcrpy's ``request``/``response`` dicts, so vcrpy can replay them too; harness adds the
measured ``elapsed_ms`` to each response), ``version: 1`` and a ``metadata`` block (run seed,
check seed, contract version, base URL, Hypothesis and Schemathesis versions).

The YAML is the only truth: what a reviewer reads is what replay serves. Loading goes through
``yaml.CSafeLoader`` (a ``!!python`` tag is refused, never constructed). Parsing YAML costs
~1 ms per interaction, so the parsed data is cached as JSON *outside the repository*
(``$HARNESS_CACHE_DIR``, by default ``~/.cache/harness/cassettes``; empty disables it), under
the digest of the YAML's bytes computed at every load: an edited YAML never meets an old
entry, and no file beside the cassette can change what it replays.

Anything wrong with a file — unreadable, a directory, invalid YAML, wrong types, an unknown
or undecodable ``content-encoding`` — is one ``CassetteError`` naming the file.
``load_vcrpy`` also reads cassettes written by plain vcrpy elsewhere (gzip bodies, the old
httpx ``content`` key).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import math
import os
import re
import stat
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import TransportError
from harness.results import write_atomically

FORMAT_VERSION = 1
_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})


class CassetteError(TransportError):
    """A cassette file that cannot be used as it is: the message names the file and the fix."""


_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Interaction:
    """One request and its response, bodies as text (or bytes when not UTF-8)."""

    method: str
    uri: str
    request_headers: dict[str, list[str]] = field(default_factory=dict)
    request_body: str | bytes = ""
    status: int = 200
    reason: str = "OK"
    response_headers: dict[str, list[str]] = field(default_factory=dict)
    response_body: str | bytes = ""
    elapsed_ms: float | None = None  # measured when recorded; None in cassettes without it

    def to_vcr(self) -> dict[str, Any]:
        timing = {} if self.elapsed_ms is None else {"elapsed_ms": round(self.elapsed_ms, 3)}
        return {
            "request": {
                "body": self.request_body or None,
                "headers": self.request_headers,
                "method": self.method,
                "uri": self.uri,
            },
            "response": {
                "body": {"string": self.response_body},
                "headers": self.response_headers,
                "status": {"code": self.status, "message": self.reason},
            }
            | timing,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Cassette:
    interactions: tuple[Interaction, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_vcr(self) -> dict[str, Any]:
        return {
            "interactions": [interaction.to_vcr() for interaction in self.interactions],
            "metadata": dict(self.metadata),
            "version": FORMAT_VERSION,
        }


def cassette_path(root: Path, family: str, name: str) -> Path:
    """Where the cassette of one check lives: a readable, filesystem-safe name."""
    return root / _UNSAFE_NAME.sub("_", family) / (_UNSAFE_NAME.sub("_", name).strip("_") + ".yaml")


def dump_cassette(cassette: Cassette) -> str:
    """The cassette as YAML: keys sorted, block style, so re-records diff line by line."""
    text: str = yaml.dump(
        cassette.to_vcr(),
        Dumper=_DUMPER,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=120,
    )
    return text


#: A cassette file's mode whatever the umask or an older copy's: it is meant to be committed.
CASSETTE_MODE = 0o644


def write_cassette_file(path: Path, text: str) -> None:
    """``results.write_atomically`` with ``CASSETTE_MODE`` (reports take the umask's mode)."""
    write_atomically(path, text, mode=CASSETTE_MODE)


CACHE_ENV = "HARNESS_CACHE_DIR"
MAX_BYTES = 256 * 1024 * 1024


def cache_dir() -> Path | None:
    """Where parsed cassettes are cached (never inside the repository); None: no cache."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "harness" / "cassettes"


def load_cassette(path: Path) -> Cassette:
    """A cassette file written by harness or by plain vcrpy; unsafe or broken ones are refused.

    Raises ``CassetteError`` (naming ``path``) for anything that is not a usable cassette.
    """
    raw = _read(path)
    if not raw.strip():
        raise CassetteError(f"cassette {path} is empty; re-record it (`--mode record`)")
    digest = hashlib.blake2b(raw, digest_size=20).hexdigest()
    cached = _cached(digest)
    if cached is not None:
        return parse_vcr(cached, source=str(path))
    cassette = parse_vcr(_parse_yaml(path, raw), source=str(path))
    _store(digest, cassette)
    return cassette


def _read(path: Path) -> bytes:
    """The bytes of a regular file (never a FIFO or a device: reading those may not end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CassetteError(f"cassette {path} cannot be read (it is {kind}); re-record it")
        if info.st_size > MAX_BYTES:
            raise CassetteError(
                f"cassette {path} is {info.st_size} bytes, over the {MAX_BYTES} a cassette may "
                "hold; record fewer examples or split the check"
            )
        return path.read_bytes()
    except OSError as exc:
        reason = f"{type(exc).__name__}: {exc.strerror}"
        raise CassetteError(f"cassette {path} cannot be read ({reason}); re-record it") from None


def _cached(digest: str) -> Any:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return json.loads((folder / f"{digest}.json").read_bytes())
    except (OSError, ValueError):
        return None


def _store(digest: str, cassette: Cassette) -> None:
    """Cache what was parsed (never the raw YAML: only the fields harness read and checked)."""
    folder = cache_dir()
    if folder is None or any(isinstance(i.request_body, bytes) for i in cassette.interactions):
        return
    data = cassette.to_vcr()
    for item in data["interactions"]:
        body = item["response"]["body"]
        if isinstance(body["string"], bytes):
            body["string"] = {"base64_string": base64.b64encode(body["string"]).decode()}
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
        write_cassette_file(folder / f"{digest}.json", text)
    except (OSError, TypeError, ValueError):
        return


def _parse_yaml(path: Path, raw: bytes) -> Any:
    try:
        return yaml.load(raw, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CassetteError(
            f"cassette {path} is not safe, valid YAML ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0]}); only plain data is loaded — re-record it"
        ) from None
    except (ValueError, RecursionError) as exc:  # bad UTF-8, absurd nesting
        raise CassetteError(
            f"cassette {path} is not valid YAML ({type(exc).__name__}); re-record it"
        ) from None


def parse_vcr(data: Any, *, source: str) -> Cassette:
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            f"cassette {source}: expected a mapping with an 'interactions' list (vcrpy format); "
            "re-record it"
        )
    interactions = tuple(
        _interaction(item, source, index) for index, item in enumerate(data["interactions"])
    )
    return Cassette(interactions=interactions, metadata=_metadata(data.get("metadata")))


def _metadata(raw: Any) -> dict[str, Any]:
    """The ``harness`` block of the metadata, plain values only (anything else is dropped)."""
    block = raw.get("harness") if isinstance(raw, dict) else None
    if not isinstance(block, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, value in block.items():
        if isinstance(value, str | int | float | bool) or value is None:
            kept[str(key)] = value
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            kept[str(key)] = {str(k): v for k, v in value.items()}
    return {"harness": kept}


def load_vcrpy(path: Path) -> Cassette:
    """A cassette recorded by plain vcrpy (any project): for a drift check against a contract."""
    return load_cassette(path)


def iter_cassettes(root: Path) -> Iterator[tuple[Path, Cassette | CassetteError]]:
    """Every ``*.yaml`` under ``root``, loaded; a broken one yields its error, not a raise."""
    for path in sorted(root.rglob("*.yaml")):
        try:
            yield path, load_cassette(path)
        except CassetteError as exc:
            yield path, exc


def _interaction(item: Any, source: str, index: int) -> Interaction:
    try:
        request, response = item["request"], item["response"]
        status = response.get("status") or {}
        headers = _headers(response.get("headers"))
        body = _response_body(response, headers)
        return Interaction(
            method=_scalar(request["method"]).upper(),
            uri=_scalar(request["uri"]),
            request_headers=_headers(request.get("headers")),
            request_body=_text(request.get("body")),
            status=_status(status.get("code", response.get("status_code", 200))),
            reason=_scalar(status.get("message") or ""),
            response_headers=headers,
            response_body=body,
            elapsed_ms=_elapsed(response),
        )
    except CassetteError as exc:
        raise CassetteError(
            f"cassette {source}: interaction {index}: {exc}; fix it or re-record it"
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise CassetteError(
            f"cassette {source}: interaction {index} is not in vcrpy's format "
            f"({type(exc).__name__}: {exc}); re-record it"
        ) from None


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CassetteError(f"status code must be an integer, found {value!r}")
    code = int(value)
    if not 100 <= code <= 599:
        raise CassetteError(f"status code must be within 100-599, found {code}")
    return code


def _elapsed(response: Mapping[str, Any]) -> float | None:
    value = response.get("elapsed_ms")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CassetteError(f"elapsed_ms must be a number of milliseconds, found {value!r}")
    if value < 0:
        raise CassetteError(f"elapsed_ms must not be negative, found {value!r}")
    return float(value)


def _headers(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, list):  # vcrpy's old httpx format: [[name, value], ...]
        grouped: dict[str, list[str]] = {}
        for name, value in raw:
            grouped.setdefault(_scalar(name), []).append(_scalar(value))
        return grouped
    if not isinstance(raw, dict):
        return {}
    return {
        _scalar(name): [_scalar(v) for v in (value if isinstance(value, list) else [value])]
        for name, value in raw.items()
    }


def _scalar(value: Any) -> str:
    """A header name or value: text or a number, never a structure (an alias bomb, say)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise CassetteError(f"a header name or value must be text, found {type(value).__name__}")


def _response_body(response: Mapping[str, Any], headers: dict[str, list[str]]) -> str | bytes:
    body = response.get("body")
    raw: Any = body.get("string", "") if isinstance(body, dict) else body
    if raw is None and "content" in response:  # vcrpy's old httpx format
        raw = response["content"]
    if isinstance(raw, dict) and "base64_string" in raw:
        try:
            raw = base64.b64decode(str(raw["base64_string"]), validate=True)
        except (binascii.Error, ValueError):
            raise CassetteError("response body: base64_string is not valid base64") from None
    if raw is not None and not isinstance(raw, str | bytes):
        raise CassetteError(f"response body must be text or bytes, found {type(raw).__name__}")
    content = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")
    encoding = _pop_encoding(headers)
    try:
        if encoding in ("gzip", "x-gzip") or (not encoding and content[:2] == b"\x1f\x8b"):
            content = gzip.decompress(content)
        elif encoding == "deflate":
            content = _inflate(content)
    except (OSError, EOFError, zlib.error) as exc:
        raise CassetteError(
            f"response body is not valid {encoding or 'gzip'} data ({type(exc).__name__})"
        ) from None
    return _text(content)


def _inflate(content: bytes) -> bytes:
    try:
        return zlib.decompress(content)
    except zlib.error:  # raw deflate, as some servers send it
        return zlib.decompress(content, -zlib.MAX_WBITS)


def _pop_encoding(headers: dict[str, list[str]]) -> str:
    for name in list(headers):
        if name.lower() == "content-encoding":
            values = [value.strip().lower() for value in headers.pop(name)]
            if len(values) != 1 or values[0] not in _ENCODINGS - {""}:
                raise CassetteError(
                    f"content-encoding {values!r} is not one of gzip, deflate, identity "
                    "(a cassette stores bodies decoded; re-record it)"
                )
            return "" if values[0] == "identity" else values[0]
    return ""


def _text(value: Any) -> str | bytes:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    data = bytes(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data
