"""Family ``config``: each declared option is present where required and parses as its type."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import partial
from urllib.parse import urlsplit

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.contract.model import ConfigOption
from harness.errors import CheckFailure

_DURATION = re.compile(r"^\d+(ms|s|m|h|d)$")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def plan(contract: Contract) -> list[Check]:
    return [
        Check(
            family="config",
            name=option.name,
            run=partial(check_option, option=option),
            description=f"option {option.name} ({option.env or 'no env var'}) is a valid "
            f"{option.type}",
            loc=option.loc,
        )
        for option in contract.config
    ]


def check_option(
    context: CheckRuntime, *, option: ConfigOption, environ: Mapping[str, str] | None = None
) -> Verdict:
    """Required → present; present → parses as the declared type.

    An option that is not set has nothing to parse: the check is inconclusive (the default
    applies, or, on ``local``, the sandbox needs no value), never a pass.
    """
    env = os.environ if environ is None else environ
    raw = env.get(option.env) if option.env else None
    environment = context.target.environment.name
    required = option.required and (not option.environments or environment in option.environments)
    if raw is None:
        if required and environment != "local":
            raise CheckFailure(
                f"{option.env} is not set but option '{option.name}' is required for "
                f"environment '{environment}' (contract {option.loc})"
            )
        shown = None if option.secret else option.default
        variable = option.env or "no environment variable"
        if required:
            why = f"required elsewhere, but environment '{environment}' needs no value"
        elif option.default is not None:
            why = "its default applies" if option.secret else f"the default {shown!r} applies"
        else:
            why = "optional, no default"
        return inconclusive(
            f"{option.name}: {variable} is not set here ({why}); nothing to validate",
            data={"source": "default", "value": shown, "env": option.env},
        )
    problem = type_problem(option.type, raw)
    if problem:
        value = "(secret)" if option.secret else repr(raw)
        raise CheckFailure(f"{option.env}={value} is not a valid {option.type}: {problem}")
    shown_value = "(set)" if option.secret else raw
    return Verdict(
        message=f"{option.name}: {shown_value} from {option.env}",
        data={"source": "environment", "value": shown_value, "env": option.env},
    )


def type_problem(kind: str, raw: str) -> str | None:
    """Why ``raw`` is not a ``kind`` value, or None when it is."""
    text = raw.strip()
    if kind == "integer":
        return None if re.fullmatch(r"[+-]?\d+", text) else "expected digits, e.g. 30000"
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return "expected a number, e.g. 1.5"
        return None
    if kind == "boolean":
        return None if text.lower() in _BOOLEANS else "expected true or false"
    if kind == "url":
        parts = urlsplit(text)
        ok = parts.scheme in ("http", "https") and bool(parts.netloc)
        return None if ok else "expected an http(s) URL, e.g. https://api.example.com"
    if kind == "duration":
        return None if _DURATION.fullmatch(text) else "expected a duration such as 30s or 5m"
    return None
