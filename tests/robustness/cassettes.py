"""Tampered cassettes, each with its expected clean outcome (issue 18: the YAML is the truth).

Every case starts from the same two pristine cassettes of a replay root (``health/getHealth``,
the one tampered, and ``errors/provoked_ERR_001``, which must keep working), applies one
edit, then replays the original requests of the tampered check through ``ReplaySession``:

* ``error``   — one ``CassetteError``/``NotRecorded`` whose message names the tampered file;
* ``edited``  — the replay serves exactly what the edited YAML says (the reviewer sees it);
* ``same``    — a harmless edit: the replay serves what was recorded.

A traceback is any other exception; a hang is a case slower than ``HANG_S``; a silent pass is
an ``error`` case that replayed anyway. ``run()`` returns the counts (all but ``cases`` must
be 0); ``python -m tests.robustness.cassettes`` prints them with each unexpected case.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import random
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from harness.contract import Contract, load_contract
from harness.errors import TransportError
from harness.transports.cassette import (
    CACHE_ENV,
    Cassette,
    Interaction,
    cassette_path,
    dump_cassette,
)
from harness.transports.cassette_session import ReplaySession, generator_versions
from harness.transports.replay_timing import recorded_elapsed_s

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "acme-crm"
BASE = "http://replay.test"
HANG_S = 10.0
TARGET = ("health", "getHealth")
OTHER = ("errors", "provoked_ERR_001")

Doc = dict[str, Any]
Tamper = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    tamper: Tamper
    expect: str  # "error" | "edited" | "same"
    served: tuple[int, str, float | None] | None = None  # for "edited": status, body, elapsed


def _pristine() -> tuple[Interaction, ...]:
    return (
        Interaction(
            method="GET",
            uri=f"{BASE}/health",
            status=200,
            reason="OK",
            response_headers={"content-type": ["application/json"]},
            response_body='{"status": "ok"}',
            elapsed_ms=42.0,
        ),
        Interaction(
            method="POST",
            uri=f"{BASE}/contacts",
            request_headers={"content-type": ["application/json"]},
            request_body='{"full_name": "Ada"}',
            status=201,
            reason="Created",
            response_headers={"content-type": ["application/json"]},
            response_body='{"id": "ct_1"}',
            elapsed_ms=80.0,
        ),
    )


def _write_root(root: Path, contract: Contract) -> None:
    for family, name in (TARGET, OTHER):
        meta = {
            "seed": 1,
            "check_seed": 5,
            "contract_version": str(contract.info.version),
            "base_url": BASE,
            "generators": generator_versions(),
        }
        cassette = Cassette(interactions=_pristine(), metadata={"harness": meta})
        path = cassette_path(root, family, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_cassette(cassette), encoding="utf-8")


# --- Edits ----------------------------------------------------------------------------------


def _text(edit: Callable[[str], str]) -> Tamper:
    def tamper(path: Path) -> None:
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    return tamper


def _raw(data: bytes) -> Tamper:
    def tamper(path: Path) -> None:
        path.write_bytes(data)

    return tamper


def _doc(edit: Callable[[Doc], None]) -> Tamper:
    def tamper(path: Path) -> None:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    return tamper


def _first(edit: Callable[[Doc], None]) -> Tamper:
    return _doc(lambda doc: edit(doc["interactions"][0]))


def _second(edit: Callable[[Doc], None]) -> Callable[[Doc], None]:
    return lambda doc: edit(doc["interactions"][1])


def _beside(name: str, text: str) -> Tamper:
    return lambda path: (path.parent / name).write_text(text, encoding="utf-8") and None


def _meta(key: str, value: Any) -> Tamper:
    return _doc(_set("metadata", "harness", key, value=value))


def _set(*keys: str, value: Any) -> Callable[[Doc], None]:
    def edit(node: Doc) -> None:
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


def _drop(*keys: str) -> Callable[[Doc], None]:
    def edit(node: Doc) -> None:
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]

    return edit


def _encoded(encoding: str, body: bytes) -> Callable[[Doc], None]:
    def edit(item: Doc) -> None:
        item["response"]["headers"]["content-encoding"] = [encoding]
        item["response"]["body"]["string"] = body

    return edit


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _symlink(target: str) -> Tamper:
    def tamper(path: Path) -> None:
        path.unlink()
        path.symlink_to(target)

    return tamper


def _sidecar(status: int, *, edit_yaml: bool) -> Tamper:
    """The old attack: a JSON copy beside the YAML, its digest made to match the YAML."""

    def tamper(path: Path) -> None:
        if edit_yaml:
            _first(_set("response", "status", "code", value=500))(path)
        raw = path.read_bytes()
        doc = yaml.safe_load(raw)
        doc["interactions"][0]["response"]["status"]["code"] = status
        digest = __import__("hashlib").blake2b(raw, digest_size=16).hexdigest()
        side = path.with_name(f".{path.stem}.json")
        side.write_text(json.dumps({"yaml_digest": digest, "cassette": doc}))

    return tamper


def _laughs(old: str = "", new: str = "") -> Tamper:
    """A billion-laughs alias chain (9**9 strings if expanded) prepended, and ``old`` → ``new``
    (``*a8`` in ``new`` puts the bomb there; without, the chain sits in unused keys)."""

    def tamper(path: Path) -> None:
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
        text = path.read_text(encoding="utf-8").replace(old, new, 1) if old else path.read_text()
        path.write_text("\n".join(lines) + "\n" + text, encoding="utf-8")

    return tamper


_H, _V = "  harness:\n", "contract_version: "
_CT = "content-type:\n      - application/json"
_GZIP_OK = gzip.compress(b'{"status": "zipped"}')


def cases() -> list[Case]:
    ok = (200, '{"status": "ok"}', 0.042)
    return [
        # Broken files: one clear error naming the file.
        Case("truncated-half", _text(lambda t: t[: len(t) // 2]), "error"),
        Case("truncated-10-bytes", _text(lambda t: t[:10]), "error"),
        Case("empty-file", _raw(b""), "error"),
        Case("whitespace-only", _raw(b" \n\t\n"), "error"),
        Case("unclosed-flow", _raw(b"interactions: [\n"), "error"),
        Case("python-tag", _raw(b"!!python/object/apply:os.system ['true']\n"), "error"),
        Case("random-bytes", _raw(random.Random(7).randbytes(512)), "error"),
        Case("invalid-utf8", _raw(b"interactions:\n- \xff\xfe\xfa\n"), "error"),
        Case("nul-bytes", _raw(b"interactions: []\x00\x00\n"), "error"),
        Case("top-level-list", _raw(b"- 1\n- 2\n"), "error"),
        Case("top-level-scalar", _raw(b"hello\n"), "error"),
        Case("interactions-mapping", _doc(_set("interactions", value={"a": 1})), "error"),
        Case("interactions-missing", _doc(_drop("interactions")), "error"),
        Case("interaction-string", _doc(_set("interactions", value=["GET /"])), "error"),
        Case("request-missing", _first(_drop("request")), "error"),
        Case("response-missing", _first(_drop("response")), "error"),
        Case("method-missing", _first(_drop("request", "method")), "error"),
        Case("uri-missing", _first(_drop("request", "uri")), "error"),
        Case("status-text", _first(_set("response", "status", "code", value="abc")), "error"),
        Case("status-999", _first(_set("response", "status", "code", value=999)), "error"),
        Case("status-bool", _first(_set("response", "status", "code", value=True)), "error"),
        Case("status-list", _first(_set("response", "status", value=[200])), "error"),
        Case("body-number", _first(_set("response", "body", "string", value=12)), "error"),
        Case("encoding-br", _first(_encoded("br", b"\x8b\x05\x80")), "error"),
        Case("encoding-empty", _first(_encoded("", b"plain")), "error"),
        Case("encoding-unknown", _first(_encoded("x-custom", b"plain")), "error"),
        Case("gzip-not-gzip", _first(_encoded("gzip", b"not gzip at all")), "error"),
        Case("gzip-truncated", _first(_encoded("gzip", _GZIP_OK[:12])), "error"),
        Case("deflate-garbage", _first(_encoded("deflate", b"\x00\x01garbage")), "error"),
        Case(
            "base64-invalid",
            _first(_set("response", "body", "string", value={"base64_string": "***"})),
            "error",
        ),
        Case("elapsed-negative", _first(_set("response", "elapsed_ms", value=-5)), "error"),
        Case("elapsed-text", _first(_set("response", "elapsed_ms", value="fast")), "error"),
        Case("elapsed-nan", _first(_set("response", "elapsed_ms", value=float("nan"))), "error"),
        Case("directory-named-yaml", _directory, "error"),
        Case("fifo-named-yaml", _fifo, "error"),
        Case("symlink-to-dev-zero", _symlink("/dev/zero"), "error"),
        Case("symlink-dangling", _symlink("/nonexistent/cassette.yaml"), "error"),
        Case("symlink-loop", _symlink("getHealth.yaml"), "error"),
        Case("check-seed-float", _meta("check_seed", 1.5), "error"),
        Case("alias-bomb-header", _laughs(_CT, "content-type: *a8"), "error"),
        Case("alias-bomb-method", _laughs("method: GET", "method: *a8"), "error"),
        Case("alias-bomb-reason", _laughs("message: OK", "message: *a8"), "error"),
        Case("header-mapping", _first(_set("response", "headers", "x-a", value={"b": 1})), "error"),
        Case("deep-nesting", _raw(b"interactions: " + b"[" * 5000 + b"]" * 5000), "error"),
        Case("uri-changed", _first(_set("request", "uri", value=f"{BASE}/healthz")), "error"),
        Case("method-changed", _first(_set("request", "method", value="DELETE")), "error"),
        Case("body-changed", _doc(_second(_set("request", "body", value="{}"))), "error"),
        # Edits a reviewer sees in the YAML: replay serves exactly them.
        Case("status-500", _first(_set("response", "status", "code", value=500)), "edited",
             (500, '{"status": "ok"}', 0.042)),
        Case("body-edited", _first(_set("response", "body", "string", value='{"status": "x"}')),
             "edited", (200, '{"status": "x"}', 0.042)),
        Case("elapsed-slow", _first(_set("response", "elapsed_ms", value=5000)), "edited",
             (200, '{"status": "ok"}', 5.0)),
        Case("elapsed-removed", _first(_drop("response", "elapsed_ms")), "edited",
             (200, '{"status": "ok"}', None)),
        Case("gzip-valid", _first(_encoded("gzip", _GZIP_OK)), "edited",
             (200, '{"status": "zipped"}', 0.042)),
        Case("deflate-valid", _first(_encoded("deflate", zlib.compress(b"deflated"))), "edited",
             (200, "deflated", 0.042)),
        Case("base64-body", _first(_set("response", "body", "string",
             value={"base64_string": base64.b64encode(b"b64").decode()})), "edited",
             (200, "b64", 0.042)),
        Case("sidecar-and-yaml-500", _sidecar(201, edit_yaml=True), "edited",
             (500, '{"status": "ok"}', 0.042)),
        # Harmless: the same answers.
        Case("sidecar-alone-404", _sidecar(404, edit_yaml=False), "same", ok),
        Case("sidecar-garbage", _beside(".getHealth.json", "{"), "same", ok),
        Case("comment-added", _text(lambda t: "# reviewed\n" + t), "same", ok),
        Case("crlf-endings", _text(lambda t: t.replace("\n", "\r\n")), "same", ok),
        Case("utf8-bom", lambda p: p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes()), "same", ok),
        Case("as-json", _text(lambda t: json.dumps(yaml.safe_load(t))), "same", ok),
        Case("unknown-key", _first(_set("note", value="hello")), "same", ok),
        Case("headers-number", _first(_set("response", "headers", value=7)), "same", ok),
        Case("metadata-removed", _doc(_drop("metadata")), "same", ok),
        Case("reason-changed", _first(_set("response", "status", "message", value="")), "same", ok),
        Case("alias-bomb-unused", _laughs(), "same", ok),
        Case("alias-bomb-metadata", _laughs(_H, "  bomb: *a8\n" + _H), "same", ok),
        Case("alias-bomb-version", _laughs(_V, _V + "*a8 #"), "same", ok),
    ]  # fmt: skip


# --- Running one case -----------------------------------------------------------------------


def _replay(session: ReplaySession, family: str, name: str) -> list[tuple[int, str, float | None]]:
    session.begin(family, name, 0)
    served = []
    with httpx.Client(transport=session.transport(), base_url=BASE) as client:
        for item in _pristine():
            response = client.request(item.method, item.uri, content=item.request_body)
            served.append((response.status_code, response.text, recorded_elapsed_s(response)))
    return served


def run_case(case: Case, contract: Contract) -> str:
    """ "ok", or what went wrong: "traceback: …", "silent pass: …", "unexpected: …"."""
    with tempfile.TemporaryDirectory(prefix="tamper-") as folder:
        root = Path(folder)
        _write_root(root, contract)
        path = cassette_path(root, *TARGET)
        case.tamper(path)
        try:
            session = ReplaySession(contract, root=root)
            if _replay(session, *OTHER)[0][0] != 200:
                return "unexpected: the untouched cassette no longer replays"
            served = _replay(session, *TARGET)
            # Loaded again: now from the cache (keyed by the YAML's bytes), the same answers.
            if _replay(ReplaySession(contract, root=root), *TARGET) != served:
                return "unexpected: the cached cassette replays differently from its YAML"
        except TransportError as exc:
            if case.expect != "error":
                return f"unexpected: error for a {case.expect} case: {exc}"
            if str(path) not in str(exc):
                return f"unexpected: the error does not name {path}: {exc}"
            return "ok"
        except Exception as exc:
            return f"traceback: {type(exc).__name__}: {exc}"
        if case.expect == "error":
            return f"silent pass: replayed {served[0]}"
        wanted = case.served if case.expect == "edited" else (200, '{"status": "ok"}', 0.042)
        if served[0] != wanted:
            return f"unexpected: served {served[0]}, the YAML says {wanted}"
        return "ok"


def run(sample: int | None = None) -> dict[str, int]:
    """Run every case (or a seeded sample of ``sample``); the counts of each bad outcome."""
    chosen = cases()
    if sample is not None and sample < len(chosen):
        chosen = random.Random(18).sample(chosen, sample)
    contract = load_contract(CONTRACT)
    counts = {"cases": 0, "tracebacks": 0, "hangs": 0, "silent_passes": 0, "unexpected": 0}
    with tempfile.TemporaryDirectory(prefix="tamper-cache-") as cache, _env(CACHE_ENV, cache):
        for case in chosen:
            _count(case, contract, counts)
    return counts


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def _count(case: Case, contract: Contract, counts: dict[str, int]) -> None:
    started = time.perf_counter()
    outcome = run_case(case, contract)
    counts["cases"] += 1
    if time.perf_counter() - started > HANG_S:
        counts["hangs"] += 1
        _say(f"{case.name}: hang ({time.perf_counter() - started:.1f} s)")
    key = {"traceback": "tracebacks", "silent pass": "silent_passes"}.get(
        outcome.partition(":")[0], "unexpected"
    )
    if outcome != "ok":
        counts[key] += 1
        _say(f"{case.name}: {outcome}")


def _say(text: str) -> None:
    print(f"cassettes: {text}", file=sys.stderr)


if __name__ == "__main__":
    print(json.dumps(run()))
