"""``${VAR}`` and ``${VAR:-default}``: resolve from the environment, never print values.

A variable that is not set stays unresolved (``None``) and is recorded with where it is
used; whether that is an error depends on the environment being checked, so the loader
decides (``require_variables``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.contract.contract import VariableUse
from harness.contract.model import Secret
from harness.contract.source import PathKey, Positions
from harness.errors import Problem

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
SECRET_PATHS: frozenset[PathKey] = frozenset(
    {
        ("auth", "client_secret"),
        ("auth", "key"),
        ("auth", "password"),
        ("auth", "token"),
        ("auth", "jwt", "secret"),
        ("webhooks", "signature", "secret"),
    }
)
_OPTIONAL_PREFIXES = ("$.webhooks.handler", "$.config")
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """A variable whose name says it holds a secret (``*_SECRET``, ``*_TOKEN``, ...)."""
    return bool(_SECRET_NAME.search(name))


class Resolver:
    """Substitutes variables in contract data, recording every use."""

    def __init__(self, environ: Mapping[str, str], positions: Positions) -> None:
        self.environ = environ
        self.positions = positions
        self.uses: list[VariableUse] = []
        self.problems: list[Problem] = []

    def resolve(self, data: Any, path: PathKey = ()) -> Any:
        if isinstance(data, dict):
            return {key: self.resolve(value, (*path, key)) for key, value in data.items()}
        if isinstance(data, list):
            return [self.resolve(value, (*path, index)) for index, value in enumerate(data)]
        if isinstance(data, str):
            if path in SECRET_PATHS:
                return self._secret(data, path)
            return self._text(data, path)
        return data

    def _text(self, text: str, path: PathKey) -> str | None:
        if "${" not in text or self._malformed(text, path):
            return text
        missing = False

        def substitute(match: re.Match[str]) -> str:
            nonlocal missing
            name, default = match.group(1), match.group(2)
            value = self.environ.get(name)
            self._record(name, path, value is not None or default is not None, is_secret_name(name))
            if value is None:
                if default is not None:
                    return default
                missing = True
                return ""
            return value

        result = REFERENCE.sub(substitute, text)
        return None if missing else result

    def _secret(self, text: str, path: PathKey) -> Secret:
        match = REFERENCE.fullmatch(text.strip())
        if match is None and self._malformed(text, path):
            return Secret(None, None)
        if match is None:
            self.problems.append(
                Problem(
                    self.positions.locate(path),
                    "a secret must come from the environment, not be written in the contract",
                    "write it as ${VARIABLE_NAME} and set that variable where harness runs",
                )
            )
            return Secret(None, None)
        name, default = match.group(1), match.group(2)
        value = self.environ.get(name, default)
        self._record(name, path, value is not None, True)
        return Secret(name, value)

    def _malformed(self, text: str, path: PathKey) -> bool:
        """A ``${`` that does not start a well-formed reference (``${MY VAR}``, ``${X``)."""
        if "${" not in REFERENCE.sub("", text):
            return False
        self.problems.append(
            Problem(
                self.positions.locate(path),
                "malformed variable reference: expected ${NAME} or ${NAME:-default}",
                "a NAME has letters, digits and '_' and does not start with a digit",
            )
        )
        return True

    def _record(self, name: str, path: PathKey, is_set: bool, secret: bool) -> None:
        self.uses.append(VariableUse(name, self.positions.locate(path), is_set, secret))


def require_variables(uses: tuple[VariableUse, ...], environment: str) -> list[Problem]:
    """Problems for unset variables that checking ``environment`` needs.

    The local sandbox invents its own credentials, so only the variables of the chosen
    environment's own section matter there; other environments need every variable.
    """
    problems = []
    for use in uses:
        if use.is_set:
            continue
        where = use.location.path
        if where.startswith("$.environments.") and not where.startswith(
            f"$.environments.{environment}"
        ):
            continue
        if environment == "local" and not where.startswith("$.environments.local"):
            continue
        if where.startswith(_OPTIONAL_PREFIXES):
            continue
        problems.append(
            Problem(
                use.location,
                f"environment variable {use.name} is not set; --env {environment} needs it",
                f"export {use.name}=... (or write ${{{use.name}:-default}} in the contract)",
            )
        )
    return problems
