"""Live vs record vs replay (harness's indexed replay and plain vcrpy's), per interaction.

A tiny JSON app runs under uvicorn in a child process on a loopback port. For each size N,
N distinct GETs are sent live, then recorded (RecordingTransport, then scrub + YAML + scan +
atomic write), then replayed from the written cassette (ReplayTransport) and by plain vcrpy
(``record_mode=none``) from the very same file. vcrpy is skipped at a size where its
quadratic lookup would take more than ``--vcrpy-budget`` seconds (estimated from the
previous size), and the output says so.

    python bench/replay.py [--sizes 100,1000,10000] [--vcrpy-budget 60]

Prints one JSON object: per-interaction milliseconds, cassette load time (``load_ms``: the
YAML parsed with libyaml; ``load_cached_ms``: the same bytes again, from the cache outside
the repository keyed by their digest), and the ratios
(targets: replay <= 0.3x live and flat; record <= 2x live; load of 1,000 <= 50 ms).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.transports.cassette import Cassette, load_cassette  # noqa: E402
from harness.transports.cassette_scrub import Scrubber  # noqa: E402
from harness.transports.cassette_session import write_verified  # noqa: E402
from harness.transports.cassette_transport import RecordingTransport, ReplayTransport  # noqa: E402

SECRET = "bench-secret-value-123456"


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    body = json.dumps({"path": scope["path"], "ok": True}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _serve(sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(_app, log_level="error", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def _send_all(client: httpx.Client, count: int) -> float:
    started = time.perf_counter()
    for number in range(count):
        client.get(f"/items/{number}", headers={"Authorization": f"Bearer {SECRET}"})
    return (time.perf_counter() - started) / count * 1000


def _measure(base_url: str, count: int, folder: Path, vcrpy_ok: bool) -> dict[str, Any]:
    with httpx.Client(base_url=base_url) as client:
        _send_all(client, min(count, 50))  # warm the connection
        live = _send_all(client, count)
    kept: list[Any] = []
    path = folder / f"bench-{count}.yaml"
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, transport=RecordingTransport(kept.append)) as client:
        _send_all(client, count)
    scrubber = Scrubber({SECRET: "BENCH"})
    cassette = Cassette(interactions=tuple(scrubber.interaction(item) for item in kept))
    assert write_verified(path, cassette, {SECRET}, None) is None
    record = (time.perf_counter() - started) / count * 1000
    started = time.perf_counter()
    loaded = load_cassette(path)
    load_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    load_cassette(path)  # the same bytes again: from the cache keyed by their digest
    cached_ms = (time.perf_counter() - started) * 1000
    transport = ReplayTransport(lambda: scrubber)
    transport.load(loaded.interactions, source=str(path))
    with httpx.Client(base_url=base_url, transport=transport) as client:
        replay = _send_all(client, count)
    result = {"live_ms": live, "record_ms": record, "replay_ms": replay, "load_ms": load_ms}
    result["load_cached_ms"] = cached_ms
    result["vcrpy_replay_ms"] = _vcrpy(path, base_url, count) if vcrpy_ok else None
    return result


def _vcrpy(path: Path, base_url: str, count: int) -> float:
    import vcr

    with (
        vcr.use_cassette(str(path), record_mode="none", allow_playback_repeats=True),
        httpx.Client(base_url=base_url) as client,
    ):
        return _send_all(client, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--vcrpy-budget", type=float, default=60.0)
    args = parser.parse_args()
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(sock,), daemon=True)
    server.start()
    _wait(base_url)
    results: dict[str, Any] = {}
    notes = []
    estimate = 0.0
    try:
        with tempfile.TemporaryDirectory() as folder:
            previous = None
            for count in (int(size) for size in args.sizes.split(",")):
                if previous and results[str(previous)]["vcrpy_replay_ms"] is not None:
                    per = results[str(previous)]["vcrpy_replay_ms"] * count / previous
                    estimate = per * count / 1000
                vcrpy_ok = estimate <= args.vcrpy_budget
                if not vcrpy_ok:
                    notes.append(f"vcrpy skipped at {count}: estimated {estimate:.0f} s")
                results[str(count)] = _measure(base_url, count, Path(folder), vcrpy_ok)
                previous = count
    finally:
        server.terminate()
    print(json.dumps({"sizes": _with_ratios(results), "notes": notes}, indent=2))


def _with_ratios(results: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for size, row in results.items():
        live = row["live_ms"]
        ratios = {
            "replay_over_live": row["replay_ms"] / live,
            "record_over_live": row["record_ms"] / live,
            "vcrpy_over_live": row["vcrpy_replay_ms"] / live if row["vcrpy_replay_ms"] else None,
        }
        out[size] = {
            **{k: round(v, 4) for k, v in row.items() if v is not None},
            **{k: round(v, 3) for k, v in ratios.items() if v is not None},
        }
    return out


def _wait(base_url: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(base_url + "/", timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


if __name__ == "__main__":
    main()
