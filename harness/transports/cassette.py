"""Cassettes: recorded HTTP interactions in vcrpy's YAML format, read and written safely.

One file per check (``cassettes/<integration>/<family>/<check>.yaml``) holds ``interactions``
(vcrpy's ``request``/``response`` dicts, so vcrpy can replay them too), ``version: 1`` and a
``metadata`` block (run seed, check seed, contract version, base URL). Loading goes through
``yaml.CSafeLoader``: a ``!!python`` tag is refused, never constructed. ``load_vcrpy`` also
reads cassettes written by plain vcrpy elsewhere (gzip bodies, the old httpx ``content`` key).
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import json
import os
import re
import tempfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.errors import TransportError

FORMAT_VERSION = 1
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

    def to_vcr(self) -> dict[str, Any]:
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
            },
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


def write_atomically(path: Path, text: str, verify: Any = None) -> None:
    """Write ``text`` to a temp file, run ``verify(temp_path)``, then rename it into place.

    When ``verify`` raises, the temp file is deleted and nothing is written at ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        temp.chmod(0o644)  # mkstemp makes it private; a cassette is meant to be committed
        if verify is not None:
            verify(temp)
        temp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def sidecar_path(path: Path) -> Path:
    """The JSON copy of a cassette (``.name.json``): loads ~25x faster than its YAML."""
    return path.with_name(f".{path.stem}.json")


def sidecar_text(cassette: Cassette, yaml_text: str) -> str | None:
    """The sidecar of a cassette: its data and the digest of the YAML it mirrors."""
    if any(isinstance(i.request_body, bytes) for i in cassette.interactions):
        return None
    data = cassette.to_vcr()
    for item in data["interactions"]:
        body = item["response"]["body"]
        if isinstance(body["string"], bytes):
            body["string"] = {"base64_string": base64.b64encode(body["string"]).decode()}
    digest = hashlib.blake2b(yaml_text.encode("utf-8"), digest_size=16).hexdigest()
    return json.dumps({"yaml_digest": digest, "cassette": data}, ensure_ascii=False)


def load_cassette(path: Path) -> Cassette:
    """A cassette file written by harness or by plain vcrpy; unsafe YAML is refused.

    A sidecar whose digest matches the YAML is read instead (the YAML stays the reviewed copy;
    a hand-edited YAML no longer matches its sidecar, which is then ignored).
    """
    raw = path.read_bytes()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        side = json.loads(sidecar_path(path).read_bytes())
        if side["yaml_digest"] == hashlib.blake2b(raw, digest_size=16).hexdigest():
            return parse_vcr(side["cassette"], source=str(path))
    try:
        data = yaml.load(raw, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise TransportError(
            f"cassette {path} is not safe, valid YAML ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0]}); only plain data is loaded — re-record it"
        ) from None
    return parse_vcr(data, source=str(path))


def parse_vcr(data: Any, *, source: str) -> Cassette:
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise TransportError(
            f"cassette {source}: expected a mapping with an 'interactions' list (vcrpy format)"
        )
    interactions = tuple(
        _interaction(item, source, index) for index, item in enumerate(data["interactions"])
    )
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return Cassette(interactions=interactions, metadata=metadata or {})


def load_vcrpy(path: Path) -> Cassette:
    """A cassette recorded by plain vcrpy (any project): for a drift check against a contract."""
    return load_cassette(path)


def iter_cassettes(root: Path) -> Iterator[tuple[Path, Cassette]]:
    for path in sorted(root.rglob("*.yaml")):
        yield path, load_cassette(path)


def _interaction(item: Any, source: str, index: int) -> Interaction:
    try:
        request, response = item["request"], item["response"]
        status = response.get("status") or {}
        headers = _headers(response.get("headers"))
        body = _response_body(response, headers)
        return Interaction(
            method=str(request["method"]).upper(),
            uri=str(request["uri"]),
            request_headers=_headers(request.get("headers")),
            request_body=_text(request.get("body")),
            status=int(status.get("code", response.get("status_code", 200))),
            reason=str(status.get("message", "")),
            response_headers=headers,
            response_body=body,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TransportError(
            f"cassette {source}: interaction {index} is not in vcrpy's format ({exc!r})"
        ) from None


def _headers(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, list):  # vcrpy's old httpx format: [[name, value], ...]
        grouped: dict[str, list[str]] = {}
        for name, value in raw:
            grouped.setdefault(str(name), []).append(str(value))
        return grouped
    if not isinstance(raw, dict):
        return {}
    return {
        str(name): [str(v) for v in (value if isinstance(value, list) else [value])]
        for name, value in raw.items()
    }


def _response_body(response: Mapping[str, Any], headers: dict[str, list[str]]) -> str | bytes:
    body = response.get("body")
    raw: Any = body.get("string", "") if isinstance(body, dict) else body
    if raw is None and "content" in response:  # vcrpy's old httpx format
        raw = response["content"]
    if isinstance(raw, dict) and "base64_string" in raw:
        raw = base64.b64decode(raw["base64_string"])
    content = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw or b"")
    encoding = _pop_encoding(headers)
    if encoding == "gzip" or content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)
    elif encoding == "deflate":
        content = zlib.decompress(content)
    return _text(content)


def _pop_encoding(headers: dict[str, list[str]]) -> str:
    for name in list(headers):
        if name.lower() == "content-encoding":
            return headers.pop(name)[0].strip().lower()
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
