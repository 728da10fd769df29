"""Authentication: credentials, and the token providers that turn them into headers."""

from harness.auth.credentials import Credentials, credentials_from_contract, invent_credentials
from harness.auth.factory import auth_for
from harness.auth.jwt_bearer import Jwt
from harness.auth.oauth2 import ClientAuthMethod, OAuth2ClientCredentials
from harness.auth.provider import (
    ApiKey,
    AuthError,
    AuthProvider,
    Basic,
    Bearer,
    KeyLocation,
    NoAuth,
)

__all__ = [
    "ApiKey",
    "AuthError",
    "AuthProvider",
    "Basic",
    "Bearer",
    "ClientAuthMethod",
    "Credentials",
    "Jwt",
    "KeyLocation",
    "NoAuth",
    "OAuth2ClientCredentials",
    "auth_for",
    "credentials_from_contract",
    "invent_credentials",
]
