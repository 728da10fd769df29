"""The building blocks of the contract model: locations, secrets and closed vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from harness.errors import Location

NOWHERE = Location("<contract>")
node = dataclass(frozen=True, slots=True, kw_only=True)


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value from ``${VAR}``; printing it never shows the value."""

    var: str | None
    value: str | None = field(repr=False, compare=False)

    def reveal(self) -> str:
        """The value, for the one place that must send it (an auth header, a signature)."""
        if self.value is None:
            raise LookupError(f"secret ${{{self.var}}} is not set")
        return self.value

    @property
    def is_set(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return f"${{{self.var}}}" if self.var else "***"

    def __repr__(self) -> str:
        return f"Secret({self})"


class IntegrationType(StrEnum):
    REST = "rest"
    SOAP = "soap"
    WEBHOOK = "webhook"
    QUEUE = "queue"
    DATABASE = "database"
    FILE = "file"
    OTHER = "other"


class Status(StrEnum):
    ACTIVE = "active"
    BETA = "beta"
    DEPRECATED = "deprecated"


class AuthType(StrEnum):
    OAUTH2_CLIENT_CREDENTIALS = "oauth2-client-credentials"
    API_KEY = "api-key"
    BASIC = "basic"
    BEARER = "bearer"
    JWT = "jwt"
    NONE = "none"


class SignatureSchemeName(StrEnum):
    STANDARD_WEBHOOKS = "standard-webhooks"
    STRIPE = "stripe"
    GITHUB = "github"
    SLACK = "slack"
    SHOPIFY = "shopify"
    HMAC_SHA256 = "hmac-sha256"


class RateLimitHeaders(StrEnum):
    X_RATELIMIT = "x-ratelimit"
    IETF = "ietf"
    LEGACY_RATELIMIT = "legacy-ratelimit"
    NONE = "none"


_WINDOW_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_window(text: str) -> float:
    """``'15m'`` → 900.0 seconds (the format is checked by the contract's JSON Schema)."""
    unit = "ms" if text.endswith("ms") else text[-1]
    return float(text[: -len(unit)]) * _WINDOW_UNITS[unit]
