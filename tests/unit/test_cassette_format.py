"""Cassette files: vcrpy's format both ways, safe loading, foreign vcrpy cassettes."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
import yaml
from vcr.serializers import yamlserializer

from harness.errors import TransportError
from harness.reporting.metrics import EXCHANGES_KEY, compute_metrics
from harness.results import CheckResult, Outcome
from harness.transports.cassette import (
    CACHE_ENV,
    Cassette,
    Interaction,
    cassette_path,
    dump_cassette,
    load_cassette,
    load_vcrpy,
)
from harness.transports.cassette_scrub import Scrubber
from harness.transports.cassette_transport import NotRecorded, ReplayTransport
from harness.transports.replay_timing import is_replayed, recorded_elapsed_s, timing_of
from tests.robustness import cassettes as tamper_suite


def _item(method: str = "GET", uri: str = "http://api.test/x", **fields: object) -> Interaction:
    return Interaction(method=method, uri=uri, **fields)  # type: ignore[arg-type]


def test_round_trip_is_readable_by_vcrpy(tmp_path: Path) -> None:
    cassette = Cassette(
        interactions=(
            _item(
                request_body='{"a": 1}',
                request_headers={"content-type": ["application/json"]},
                response_headers={"content-type": ["application/json"]},
                response_body='{"ok": true}',
            ),
        ),
        metadata={"harness": {"seed": 3, "contract_version": "1.0.0"}},
    )
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette(cassette))
    assert load_cassette(path) == cassette
    data = yamlserializer.deserialize(path.read_text())
    assert data["interactions"][0]["request"]["uri"] == "http://api.test/x"
    assert data["version"] == 1


def test_cassette_path_is_filesystem_safe(tmp_path: Path) -> None:
    path = cassette_path(tmp_path, "auth", "no_bypass[listContacts]")
    assert path == tmp_path / "auth" / "no_bypass_listContacts.yaml"


def test_python_tags_are_refused_without_running_them(tmp_path: Path) -> None:
    planted = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"interactions:\n- !!python/object/apply:os.system ['touch {planted}']\nversion: 1\n"
    )
    with pytest.raises(TransportError, match="not safe, valid YAML"):
        load_cassette(path)
    assert not planted.exists()


def test_plain_vcrpy_cassette_with_gzip_and_old_httpx_format(tmp_path: Path) -> None:
    body = gzip.compress(b'{"id": 7}')
    data = {
        "version": 1,
        "interactions": [
            {
                "request": {"body": None, "headers": {}, "method": "GET", "uri": "https://x/a"},
                "response": {
                    "body": {"string": body},
                    "headers": {"Content-Encoding": ["gzip"], "Content-Type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            },
            {
                "request": {"body": "", "headers": {}, "method": "get", "uri": "https://x/b"},
                "response": {
                    "status_code": 404,
                    "http_version": "HTTP/1.1",
                    "headers": [["Content-Type", "text/plain"]],
                    "content": "missing",
                    "body": None,
                },
            },
        ],
    }
    path = tmp_path / "vcr.yaml"
    path.write_text(yaml.safe_dump(data))
    cassette = load_vcrpy(path)
    first, second = cassette.interactions
    assert first.response_body == '{"id": 7}'
    assert "Content-Encoding" not in first.response_headers
    assert (second.method, second.status, second.response_body) == ("GET", 404, "missing")
    assert second.response_headers == {"Content-Type": ["text/plain"]}


def _replay(*items: Interaction) -> httpx.Client:
    transport = ReplayTransport(lambda: Scrubber({}))
    transport.load(items, source="the cassette test.yaml")
    return httpx.Client(transport=transport, base_url="http://api.test")


def test_replay_matches_ignoring_auth_idempotency_and_key_order() -> None:
    recorded = _item(
        "POST",
        request_body='{"b": 2, "a": 1}',
        request_headers={"authorization": ["Bearer <TOKEN:1>"], "idempotency-key": ["u1"]},
        status=201,
        response_body="created",
    )
    with _replay(recorded) as client:
        response = client.post(
            "/x",
            json={"a": 1, "b": 2},
            headers={"Authorization": "Bearer other", "Idempotency-Key": "u2"},
        )
    assert (response.status_code, response.text) == (201, "created")


def test_replay_serves_in_order_then_repeats_the_last() -> None:
    items = [_item(response_body=str(n)) for n in range(2)]
    with _replay(*items) as client:
        assert [client.get("/x").text for _ in range(3)] == ["0", "1", "1"]


def test_a_request_without_recording_names_the_closest() -> None:
    with (
        _replay(_item(uri="http://api.test/contacts?page=1")) as client,
        pytest.raises(
            NotRecorded,
            match=r"not recorded: GET http://api.test/contacts\?page=2 is not in the cassette "
            r"test\.yaml.*closest.*page=1",
        ),
    ):
        client.get("/contacts", params={"page": 2})


def test_not_recorded_is_an_error_of_the_run_not_a_contract_failure() -> None:
    assert issubclass(NotRecorded, TransportError)
    assert not issubclass(NotRecorded, AssertionError)


def test_elapsed_is_kept_and_replayed_as_the_recorded_time(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(dump_cassette(Cassette(interactions=(_item(elapsed_ms=812.5),))))
    (loaded,) = load_cassette(path).interactions
    assert loaded.elapsed_ms == 812.5
    with _replay(loaded) as client:
        response = client.get("/x")
    assert recorded_elapsed_s(response) == 0.8125
    assert timing_of(response, 0.0001) == (0.8125, True)


def test_a_replay_without_recorded_time_has_no_time() -> None:
    with _replay(_item()) as client:
        response = client.get("/x")
    assert is_replayed(response)
    assert timing_of(response, 0.0001) == (0.0, False)


def test_tampered_cassettes_sample_ends_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seeded sample of the tamper suite (``python -m tests.robustness.cassettes``: all)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    counts = tamper_suite.run(sample=20)
    assert counts == {
        "cases": 20,
        "tracebacks": 0,
        "hangs": 0,
        "silent_passes": 0,
        "unexpected": 0,
    }


def test_the_cache_is_keyed_by_the_yaml_bytes_and_lives_outside_the_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    path = tmp_path / "repo" / "c.yaml"
    path.parent.mkdir()
    path.write_text(dump_cassette(Cassette(interactions=(_item(status=201),))))
    assert load_cassette(path).interactions[0].status == 201
    assert [p.parent for p in (tmp_path / "cache").iterdir()] == [tmp_path / "cache"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["c.yaml"]
    path.write_text(path.read_text().replace("code: 201", "code: 500"))
    assert load_cassette(path).interactions[0].status == 500


def test_latency_figures_come_only_from_known_times() -> None:
    """A request replayed without a recorded time makes no latency figure (never 0 ms)."""

    def result(*elapsed: float | None) -> CheckResult:
        records = [{"status": 200, "elapsed_ms": value, "error": False} for value in elapsed]
        return CheckResult(
            id="x", integration="i", family="health", name="n", outcome=Outcome.PASSED,
            data={EXCHANGES_KEY: records},
        )  # fmt: skip

    untimed = compute_metrics([result(None, None)])
    assert (untimed.requests, untimed.p95_ms, untimed.avg_ms, untimed.max_ms) == (
        2,
        None,
        None,
        None,
    )
    mixed = compute_metrics([result(None, 300.0, 100.0)])
    assert (mixed.avg_ms, mixed.max_ms) == (200.0, 300.0)
