"""The run options, each defined once: a ``--harness-*`` flag and a ``harness_*`` ini key.

The command line wins over the ini file, which wins over the default. Values are checked
here, at the edge, with messages that say what was wrong and what would be right.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Protocol

from harness.checks.base import Mode, RunSettings
from harness.errors import UsageError
from harness.results import Family


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
        name="probe_large",
        flag="--harness-probe-large",
        help="also probe rate limits above 100 requests per window (default: headers only)",
        ini_type="bool",
        action="store_true",
    ),
)


def settings_from(config: _Config, *, seed: int | None, fresh_seed: int) -> RunSettings:
    """RunSettings from pytest's config; ``seed`` (from an xdist controller) wins."""
    raw = {option.name: option.value(config) for option in OPTIONS}
    values: dict[str, Any] = {}
    if raw["environment"]:
        values["environment"] = str(raw["environment"])
    if raw["mode"]:
        values["mode"] = _choice("--harness-mode", raw["mode"], [m.value for m in Mode])
    if raw["families"]:
        names = [part for item in raw["families"] for part in str(item).split(",") if part]
        values["families"] = frozenset(
            _choice("--harness-family", name, [f.value for f in Family]) for name in names
        )
    if raw["examples"]:
        values["examples"] = _integer("--harness-examples", raw["examples"], minimum=1)
    values["seed"] = seed if seed is not None else _seed(raw["seed"], fresh_seed)
    for name in ("report_dir", "base_url"):
        if raw[name]:
            values[name] = str(raw[name])
    values["allow_protected"] = bool(raw["allow_protected"])
    values["probe_large"] = bool(raw["probe_large"])
    return RunSettings(**values)


def _seed(raw: Any, fresh: int) -> int:
    return fresh if raw is None else _integer("--harness-seed", raw, minimum=0)


def _choice(flag: str, value: Any, allowed: list[str]) -> str:
    text = str(value).strip()
    if text in allowed:
        return text
    close = difflib.get_close_matches(text, allowed, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(allowed)}"
    raise UsageError(f"{flag} {text!r} is not valid; {hint}")


def _integer(flag: str, value: Any, *, minimum: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise UsageError(f"{flag} expects a whole number, got {value!r}") from None
    if number < minimum:
        raise UsageError(f"{flag} must be at least {minimum}, got {number}")
    return number
