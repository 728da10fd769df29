"""Bad command lines, each with its expected clean outcome (issue 18 §7).

Every case is a ``harness`` command line against a scratch folder holding a copy of the
acme-crm contract, a file, an empty folder and broken report folders. It must end with its
expected exit code (2 for a bad argument) and a message naming the problem, on one line,
with no traceback. Most cases run in-process (``harness.cli.main``, fast); those that could
start a server or a whole run go through a subprocess with a timeout.

A traceback is "Traceback", "INTERNALERROR" or harness's own "internal error" line; a hang
is a case slower than ``HANG_S``; a silent pass is exit 0 where an error was expected.
``python -m tests.robustness.cli`` prints the counts and each unexpected case.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
ACME = ROOT / "contracts" / "acme-crm"
HANG_S = 60.0
TRACEBACKS = ("Traceback (most recent call last)", "INTERNALERROR", "internal error:")

Prepare = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    argv: tuple[str, ...]  # {w} is the scratch folder, {c} the contract copy in it
    code: int
    fragment: str  # in the output
    prepare: Prepare | None = None
    one_line: bool = True  # the whole output is one line
    process: bool = False  # a subprocess: it could serve, or run checks


def _results(text: str | bytes) -> Prepare:
    def prepare(work: Path) -> None:
        path = work / "r" / "acme-crm" / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)

    return prepare


def _valid_results() -> str:
    return json.dumps(
        {
            "format": 1,
            "integration": "acme-crm",
            "run": {
                "started": "2026-01-01T00:00:00+00:00",
                "environment": "local",
                "mode": "live",
                "seed": 1,
            },
            "counts": {"passed": 0, "failed": 0, "error": 0, "skipped": 0},
            "checks": [],
        }
    )


def _history(content: bytes | None) -> Prepare:
    """``r/history.sqlite`` with ``content`` (None: a folder), beside a valid results.json."""

    def prepare(work: Path) -> None:
        _results(_valid_results())(work)
        path = work / "r" / "history.sqlite"
        if content is None:
            path.mkdir()
        else:
            path.write_bytes(content)

    return prepare


def _with_health(results: Prepare, health: str) -> Prepare:
    def prepare(work: Path) -> None:
        results(work)
        (work / "r" / "acme-crm" / "health.json").write_text(health)

    return prepare


def _foreign_sqlite(work: Path) -> None:
    _results(_valid_results())(work)
    with contextlib.closing(sqlite3.connect(work / "r" / "history.sqlite")) as db:
        db.execute("CREATE TABLE runs (name TEXT)")
        db.commit()


def _corrupt_history_for_check(work: Path) -> None:
    (work / "out").mkdir()
    (work / "out" / "history.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 500)


def _results_folder(work: Path) -> None:
    (work / "r" / "acme-crm" / "results.json").mkdir(parents=True)


def _check(*args: str) -> tuple[str, ...]:
    return ("check", "{c}", "--report-dir", "{w}/out", *args)


CHECK_CASES = (
    Case("seed not a number", _check("--seed", "abc"), 2, "expected a whole number"),
    Case("seed negative", _check("--seed", "-1"), 2, "a seed is 0 to"),
    Case("seed huge", _check("--seed", "1" + "0" * 30), 2, "a seed is 0 to"),
    Case("seed 5000 digits", _check("--seed", "9" * 5000), 2, "whole number"),
    Case("seed fraction", _check("--seed", "1.5"), 2, "expected a whole number"),
    Case("seed empty", _check("--seed", ""), 2, "expected a whole number"),
    Case("seed 2**63", _check("--seed", str(2**63)), 2, "a seed is 0 to"),
    Case("examples zero", _check("--examples", "0"), 2, "must be at least 1"),
    Case("examples negative", _check("--examples", "-3"), 2, "must be at least 1"),
    Case("examples not a number", _check("--examples", "many"), 2, "whole number"),
    Case("examples huge", _check("--examples", "10" + "0" * 11), 2, "must be at most"),
    Case("mode unknown", _check("--mode", "recrod"), 2, "invalid choice"),
    Case("mode empty", _check("--mode", ""), 2, "invalid choice"),
    Case("family unknown", _check("--family", "bogus"), 2, "is not valid"),
    Case("family typo", _check("--family", "autth"), 2, "did you mean 'auth'?"),
    Case("family empty", _check("--family", ""), 2, "is empty"),
    Case("family commas", _check("--family", ","), 2, "is empty"),
    Case("family list with a bad one", _check("--family", "auth,bogus"), 2, "'bogus'"),
    Case("env unknown", _check("--env", "staging"), 2, "not in"),
    Case("env empty", _check("--env", ""), 2, "is empty"),
    Case("report dir is a file", _check("--report-dir", "{w}/file"), 2, "is a file"),
    Case("report dir under a file", _check("--report-dir", "{w}/file/x"), 2, "which is a file"),
    Case("base url not a url", _check("--base-url", "localhost"), 2, "http(s) URL"),
    Case("base url port", _check("--base-url", "http://127.0.0.1:99999"), 2, "out of range"),
    Case("base url scheme", _check("--base-url", "ftp://127.0.0.1/"), 2, "http(s) URL"),
    Case("base url empty", _check("--base-url", ""), 2, "is empty"),
    Case("base url no host", _check("--base-url", "http://"), 2, "http(s) URL"),
    Case("contract dir missing", ("check", "{w}/nope"), 2, "no integration.yaml there"),
    Case("contract dir empty", ("check", "{w}/empty"), 2, "no integration.yaml there"),
    Case("contract arg other file", ("check", "{w}/file"), 2, "expected a contract folder"),
    Case("contract name too long", ("check", "x" * 5000), 2, "not a usable path"),
    Case("contract path too long", ("check", "x/" * 3000), 2, "not a usable path"),
    Case("sandbox contract too long", ("sandbox", "y" * 5000), 2, "not a usable path"),
    Case("report dir name too long", _check("--report-dir", "z" * 5000), 2, "report-dir"),
    Case(
        "unknown pytest flag",
        (*_check(), "--", "--no-such-flag"),
        2,
        "unrecognized arguments: --no-such-flag",
        one_line=False,  # pytest's own usage message
    ),
    Case("unknown check flag", _check("--no-such-flag"), 2, "unrecognized arguments"),
    Case("max time negative", _check("--max-time", "-5"), 2, "--harness-max-time"),
    Case("max time words", _check("--max-time", "soon"), 2, "--harness-max-time"),
    Case("check timeout zero", _check("--check-timeout", "0"), 2, "--harness-check-timeout"),
)

OTHER_CASES = (
    Case("no command", (), 2, "required"),
    Case("unknown command", ("chek",), 2, "invalid choice"),
    Case("unknown global flag", ("--bogus", "check"), 2, "unrecognized"),
    Case("sandbox port too high", ("sandbox", "{c}", "--port", "70000"), 2, "0-65535"),
    Case("sandbox port negative", ("sandbox", "{c}", "--port", "-1"), 2, "0-65535"),
    Case("sandbox port words", ("sandbox", "{c}", "--port", "http"), 2, "port number"),
    Case("sandbox seed huge", ("sandbox", "{c}", "--seed", "9" * 30), 2, "a seed is 0"),
    Case("sandbox contract missing", ("sandbox", "{w}/nope"), 2, "no integration.yaml"),
    Case(
        "sandbox port in use",
        ("sandbox", "{c}", "--port", "{busy}"),
        2,
        "cannot listen",
        process=True,
    ),
    Case("report from missing", ("report", "--from", "{w}/nope"), 2, "no such folder"),
    Case("report from a file", ("report", "--from", "{w}/file"), 2, "no such folder"),
    Case("report from empty", ("report", "--from", "{w}/empty"), 2, "no */results.json"),
    Case("results truncated", ("report", "--from", "{w}/r"), 2, "not JSON", _results('{"form')),
    Case("results empty file", ("report", "--from", "{w}/r"), 2, "not JSON", _results("")),
    Case("results a list", ("report", "--from", "{w}/r"), 2, "not a results file", _results("[]")),
    Case("results empty object", ("report", "--from", "{w}/r"), 2, "not a results", _results("{}")),
    Case("results null", ("report", "--from", "{w}/r"), 2, "not a results file", _results("null")),
    Case(
        "results binary", ("report", "--from", "{w}/r"), 2, "cannot be read", _results(b"\xff\xfe")
    ),
    Case(
        "results checks wrong type",
        ("report", "--from", "{w}/r"),
        2,
        "not a results file",
        _results(_valid_results().replace('"checks": []', '"checks": "x"')),
    ),
    Case(
        "results bad outcome",
        ("report", "--from", "{w}/r"),
        2,
        "not a results file",
        _results(
            _valid_results().replace(
                '"checks": []',
                '"checks": [{"id": "a", "integration": "acme-crm", "family": "health",'
                ' "name": "a", "outcome": "great"}]',
            )
        ),
    ),
    Case("results a folder", ("report", "--from", "{w}/r"), 2, "cannot be read", _results_folder),
    Case("history garbage", ("report", "--from", "{w}/r"), 2, "is unusable", _history(b"x" * 64)),
    Case("history a folder", ("report", "--from", "{w}/r"), 2, "is unusable", _history(None)),
    Case(
        "history truncated sqlite",
        ("report", "--from", "{w}/r"),
        2,
        "is unusable",
        _history(b"SQLite format 3\x00" + b"\x00" * 40),
    ),
    Case(
        "history foreign sqlite", ("report", "--from", "{w}/r"), 2, "is unusable", _foreign_sqlite
    ),
    Case("guide contract missing", ("guide", "{w}/nope"), 2, "no integration.yaml"),
    Case("guide report dir a file", ("guide", "{c}", "--report-dir", "{w}/file"), 2, "is a file"),
    Case("guide out a file", ("guide", "{c}", "--out", "{w}/file"), 2, "is a file"),
    Case("guide env unknown", ("guide", "{c}", "--env", "staging"), 2, "not in"),
    Case(
        "guide with truncated results",
        ("guide", "{c}", "--report-dir", "{w}/r", "--out", "{w}/g"),
        2,
        "not JSON",
        _with_health(_results('{"format"'), "{}"),
    ),
    Case(
        "guide with a health list",
        ("guide", "{c}", "--report-dir", "{w}/r", "--out", "{w}/g"),
        2,
        "not a health report",
        _with_health(_results(_valid_results()), "[]"),
    ),
    Case(
        "guide with truncated health",
        ("guide", "{c}", "--report-dir", "{w}/r", "--out", "{w}/g"),
        2,
        "not JSON",
        _with_health(_results(_valid_results()), '{"status'),
    ),
    Case("lint format unknown", ("lint", "{c}", "--format", "xml"), 2, "invalid choice"),
    Case("lint nothing", ("lint",), 2, "required"),
    Case("lint missing folder", ("lint", "{w}/nope"), 1, "no contract here", one_line=False),
    Case(
        "corrupt history keeps a green check green",
        _check("--family", "config", "--seed", "1"),
        0,
        "is unusable",
        _corrupt_history_for_check,
        one_line=False,
        process=True,
    ),
)


def cases() -> tuple[Case, ...]:
    return CHECK_CASES + OTHER_CASES


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A folder with the contract, a file, an empty folder; cases add their own files."""
    with tempfile.TemporaryDirectory(prefix="harness-cli-") as folder:
        work = Path(folder)
        shutil.copytree(ACME, work / "acme-crm")
        (work / "file").write_text("not a folder\n")
        (work / "empty").mkdir()
        yield work


def run_case(case: Case) -> tuple[int | None, str, float]:
    """Exit code (None: hung), the output, and the seconds it took."""
    with scratch() as work, _busy_port() as busy:
        if case.prepare is not None:
            case.prepare(work)
        fill = {"w": str(work), "c": str(work / "acme-crm"), "busy": str(busy)}
        argv = [part.format(**fill) for part in case.argv]
        started = time.perf_counter()
        if case.process:
            code, output = _in_subprocess(argv, work)
        else:
            code, output = _in_process(argv, work)
        return code, output, time.perf_counter() - started


def _in_process(argv: list[str], work: Path) -> tuple[int | None, str]:
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except BaseException as exc:  # a traceback that escaped main()
        return 3, f"Traceback (most recent call last): {type(exc).__name__}: {exc}"
    finally:
        os.chdir(here)
    return code, out.getvalue() + err.getvalue()


def _in_subprocess(argv: list[str], work: Path) -> tuple[int | None, str]:
    command = [sys.executable, "-m", "harness.cli", *argv]
    try:
        done = subprocess.run(
            command, cwd=work, capture_output=True, text=True, timeout=HANG_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        return None, str(exc.stdout or "") + str(exc.stderr or "")
    return done.returncode, done.stdout + done.stderr


@contextlib.contextmanager
def _busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


def judge(case: Case, code: int | None, output: str, seconds: float) -> str:
    """ "ok", or "traceback: …", "hang: …", "silent pass: …", "unexpected: …"."""
    if code is None or seconds > HANG_S:
        return f"hang: {seconds:.0f} s"
    if any(marker in output for marker in TRACEBACKS):
        return f"traceback: {_last_line(output)}"
    if code == 0 and case.code != 0:
        return f"silent pass: exit 0, {_last_line(output)}"
    if code != case.code:
        return f"unexpected: exit {code}, not {case.code}: {_last_line(output)}"
    if case.fragment not in output:
        return f"unexpected: {case.fragment!r} not in {_last_line(output)!r}"
    lines = [line for line in output.splitlines() if line.strip()]
    if case.one_line and len(lines) != 1:
        return f"unexpected: {len(lines)} lines, not one: {output[:300]!r}"
    return "ok"


def _last_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


KEYS = {"traceback": "tracebacks", "hang": "hangs", "silent pass": "silent_passes"}


def run(sample: int | None = None) -> dict[str, int]:
    """Run every case (or a seeded sample of ``sample``); the counts of each bad outcome."""
    chosen = list(cases())
    if sample is not None and sample < len(chosen):
        chosen = random.Random(18).sample(chosen, sample)
    counts = {"cases": 0, "tracebacks": 0, "hangs": 0, "silent_passes": 0, "unexpected": 0}
    for case in chosen:
        verdict = judge(case, *run_case(case))
        counts["cases"] += 1
        if verdict != "ok":
            counts[KEYS.get(verdict.partition(":")[0], "unexpected")] += 1
            print(f"cli: {case.name}: {verdict}", file=sys.stderr)
    return counts


if __name__ == "__main__":
    print(json.dumps(run()))
