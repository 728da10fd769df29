"""The run options, each defined once: a ``--harness-*`` flag and a ``harness_*`` ini key.

The command line wins over the ini file, which wins over the default. Values are checked
here, at the edge, with messages that say what was wrong and what would be right.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from harness.errors import ContractError, UsageError

if TYPE_CHECKING:
    from harness.settings import RunSettings
    from harness.transports.breaker import TimeLimits


MAX_SEED = 2**63 - 1  # what the history's INTEGER column holds
MAX_EXAMPLES = 100_000
MAX_SECONDS = 7 * 24 * 3600


class _Config(Protocol):
    def getoption(self, name: str) -> Any: ...

    def getini(self, name: str) -> Any: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    name: str  # the RunSettings field
    flag: str
    help: str
    ini_type: str = "string"  # string | linelist | bool
    action: str = "store"

    @property
    def ini(self) -> str:
        return "harness_" + self.name

    @property
    def dest(self) -> str:
        return "harness_opt_" + self.name

    def register(self, group: Any, parser: Any) -> None:
        group.addoption(self.flag, dest=self.dest, action=self.action, default=None, help=self.help)
        parser.addini(self.ini, help=f"default for {self.flag}", type=self.ini_type)

    def given(self, config: _Config) -> bool:
        """Whether the run sets this option (flag or ini key)."""
        return self.value(config) not in (None, False)

    def value(self, config: _Config) -> Any:
        given = config.getoption(self.dest)
        if given not in (None, []):
            return given
        from_ini = config.getini(self.ini)
        return from_ini if from_ini not in ("", [], None) else None


OPTIONS = (
    Option(name="environment", flag="--harness-env", help="environment to check (default: local)"),
    Option(name="mode", flag="--harness-mode", help="live | record | replay (default: live)"),
    Option(
        name="families",
        flag="--harness-family",
        help="run only this family (repeatable; default: every family)",
        ini_type="linelist",
        action="append",
    ),
    Option(name="examples", flag="--harness-examples", help="generated examples per operation"),
    Option(name="seed", flag="--harness-seed", help="seed for generation (default: random)"),
    Option(name="report_dir", flag="--harness-report-dir", help="where reports go (reports/)"),
    Option(name="base_url", flag="--harness-base-url", help="send requests here instead"),
    Option(
        name="allow_protected",
        flag="--allow-protected",
        help="run mutating and fuzzing checks against protected environments",
        ini_type="bool",
        action="store_true",
    ),
    Option(
        name="max_time",
        flag="--harness-max-time",
        help="seconds for the whole run; checks not started by then are skipped, saying so",
    ),
    Option(
        name="check_timeout",
        flag="--harness-check-timeout",
        help="seconds one check may take; a check past it stops sending and says it was cut",
    ),
    Option(
        name="probe_large",
        flag="--harness-probe-large",
        help="also probe rate limits above 100 requests per window (default: headers only)",
        ini_type="bool",
        action="store_true",
    ),
    Option(
        name="shard",
        flag="--harness-shard",
        help="run only slice K of N of the checks (K/N, stable across machines)",
    ),
    Option(
        name="load",
        flag="--harness-load",
        help="performance probe load: clients=4,rps=10,requests=60,seconds=5 (any subset)",
    ),
    Option(
        name="strict_contract",
        flag="--harness-strict-contract",
        help="fail the run on contract-hygiene findings (changelog, sections, maintenance)",
        ini_type="bool",
        action="store_true",
    ),
)


def budget_from(config: _Config) -> TimeLimits:
    """The run's time limits: ``--harness-max-time`` and ``--harness-check-timeout``."""
    from harness.transports.breaker import TimeLimits  # noqa: PLC0415 - httpx: import on use

    limits = {
        option.name: _seconds(option.flag, option.value(config))
        for option in OPTIONS
        if option.name in ("max_time", "check_timeout")
    }
    return TimeLimits(max_time_s=limits["max_time"], check_timeout_s=limits["check_timeout"])


def _seconds(flag: str, value: Any) -> float | None:
    if value is None:
        return None
    text = str(value).strip()
    try:
        seconds = float(text.removesuffix("s"))
    except ValueError:
        raise UsageError(f"{flag} expects seconds (e.g. 300), got {_show(text)}") from None
    if not 0 < seconds <= MAX_SECONDS:
        raise UsageError(
            f"{flag} must be more than 0 and at most {MAX_SECONDS} s, got {_cut(text)}"
        )
    return seconds


def harness_requested(config: _Config) -> bool:
    """Whether any harness option is set: then the options are checked when pytest starts."""
    return any(option.given(config) for option in OPTIONS)


def settings_from(config: _Config, *, seed: int | None, fresh_seed: int) -> RunSettings:
    """RunSettings from pytest's config; ``seed`` (from an xdist controller) wins.

    Imports the check families (about a second): the plugin calls it only once harness is
    used, so that pytest in a project without contracts stays fast.
    """
    from harness.checks.registry import families  # noqa: PLC0415 - see the docstring
    from harness.settings import Mode, RunSettings  # noqa: PLC0415 - see the docstring

    raw = {option.name: option.value(config) for option in OPTIONS}
    for option in OPTIONS:
        _refuse_empty(option.flag, raw[option.name])
    values: dict[str, Any] = {}
    if raw["environment"]:
        values["environment"] = str(raw["environment"])
    if raw["mode"]:
        values["mode"] = Mode(_choice("--harness-mode", raw["mode"], [m.value for m in Mode]))
    if raw["families"]:
        names = [part for item in raw["families"] for part in str(item).split(",") if part]
        _refuse_empty("--harness-family", names or [""])
        values["families"] = frozenset(
            _choice("--harness-family", name, list(families())) for name in names
        )
    if raw["examples"]:
        values["examples"] = _integer(
            "--harness-examples", raw["examples"], minimum=1, maximum=MAX_EXAMPLES
        )
    values["seed"] = seed if seed is not None else _seed(raw["seed"], fresh_seed)
    if raw["report_dir"]:
        values["report_dir"] = writable_folder("--harness-report-dir", str(raw["report_dir"]))
    if raw["base_url"]:
        values["base_url"] = _base_url(str(raw["base_url"]))
    values["allow_protected"] = bool(raw["allow_protected"])
    values["probe_large"] = bool(raw["probe_large"])
    values["strict_contract"] = bool(raw["strict_contract"])
    if raw["shard"]:
        from harness.shards import parse_shard  # noqa: PLC0415 - see the docstring

        values["shard"] = parse_shard(str(raw["shard"]), "--harness-shard")
    if raw["load"]:
        from harness.checks.performance.spec import parse_load  # noqa: PLC0415 - see the docstring

        parse_load(str(raw["load"]))  # a bad value: a usage error before collection
        values["load"] = str(raw["load"])
    return RunSettings(**values)


def _refuse_empty(flag: str, value: Any) -> None:
    """``--harness-env=`` would silently mean the default: say so instead."""
    values = value if isinstance(value, list) else [value]
    if any(isinstance(item, str) and not item.strip() for item in values):
        raise UsageError(f"{flag} is empty; give a value or leave the option out")


def _seed(raw: Any, fresh: int) -> int:
    if raw is None:
        return fresh
    return _integer("--harness-seed", raw, minimum=0, maximum=MAX_SEED)


def writable_folder(flag: str, text: str) -> str:
    """A folder, or a path where one can be made: not a file, nor under one, nor read-only."""
    path = Path(text)
    try:
        _writable(flag, text, path)
    except OSError as exc:  # e.g. a name too long for the file system
        raise UsageError(f"{flag} {_show(text)}: not a usable folder ({exc.strerror})") from None
    return text


def _writable(flag: str, text: str, path: Path) -> None:
    for place in (path, *path.parents):
        if place.exists() and not place.is_dir():
            what = "is a file" if place == path else f"is under {place}, which is a file"
            raise UsageError(f"{flag} {text}: {what}; give a folder")
        if place.is_dir():
            if not os.access(place, os.W_OK | os.X_OK):
                raise UsageError(f"{flag} {text}: {place} is not writable; give another folder")
            break


def unknown_environment(error: ContractError, flag: str, environment: str) -> UsageError | None:
    """The contract does not declare ``environment``: the option is wrong, not the contract."""
    problems = error.problems
    if problems and all(p.message.startswith("no environment '") for p in problems):
        where, hint = problems[0].location.file, problems[0].hint
        return UsageError(f"{flag} {_show(environment)}: not in {where} ({hint})")
    return None


def _base_url(text: str) -> str:
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - parses the port: raises ValueError when out of range
    except ValueError as exc:
        raise UsageError(f"--harness-base-url {_show(text)}: {exc}") from None
    if url.scheme not in ("http", "https") or not url.hostname:
        raise UsageError(
            f"--harness-base-url {_show(text)}: expected an http(s) URL such as "
            "http://127.0.0.1:8080"
        )
    return text


def _choice(flag: str, value: Any, allowed: list[str]) -> str:
    text = str(value).strip()
    if text in allowed:
        return text
    close = difflib.get_close_matches(text, allowed, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(allowed)}"
    raise UsageError(f"{flag} {_show(text)} is not valid; {hint}")


def _integer(flag: str, value: Any, *, minimum: int, maximum: int) -> int:
    text = str(value).strip()
    try:
        number = int(text)
    except ValueError:  # also beyond 4300 digits
        raise UsageError(f"{flag} expects a whole number, got {_show(text)}") from None
    if number < minimum:
        raise UsageError(f"{flag} must be at least {minimum}, got {_cut(text)}")
    if number > maximum:
        raise UsageError(f"{flag} must be at most {maximum}, got {_cut(text)}")
    return number


def _cut(text: str, limit: int = 40) -> str:
    """A value for a one-line message, cut when long."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _show(text: str) -> str:
    return repr(_cut(text))
