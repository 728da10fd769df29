"""The static auth schemes, JWT, and choosing a provider from the contract."""

from __future__ import annotations

import base64

import httpx
import jwt as pyjwt
import pytest

from harness.auth import (
    ApiKey,
    AuthProvider,
    Basic,
    Bearer,
    Credentials,
    Jwt,
    KeyLocation,
    NoAuth,
    auth_for,
)
from harness.auth.jwt_bearer import sign_hmac
from harness.contract import Secret
from harness.contract.model import Auth, AuthType, JwtSettings
from harness.errors import UsageError

KEY = "key_9f8e7d6c5b4a-secret-" + "k" * 48  # >= 64 bytes: PyJWT warns below that for HS512


def request() -> httpx.Request:
    return httpx.Request("GET", "http://api.test/v1/contacts?page=2")


def applied(provider: AuthProvider) -> httpx.Request:
    sent = request()
    provider.apply(sent)
    return sent


def test_no_auth_adds_nothing() -> None:
    sent = applied(NoAuth())
    assert "authorization" not in sent.headers
    assert NoAuth().on_unauthorized(sent) is False
    assert NoAuth().secret_values() == frozenset()


def test_api_key_in_a_header() -> None:
    provider = ApiKey(key=Secret("ACME_KEY", KEY), name="X-Api-Key")
    assert applied(provider).headers["X-Api-Key"] == KEY
    assert provider.on_unauthorized() is False
    assert provider.secret_values() == {KEY}


def test_api_key_in_the_query_replaces_rather_than_repeats() -> None:
    provider = ApiKey(key=Secret("ACME_KEY", KEY), name="api_key", location=KeyLocation.QUERY)
    sent = request()
    provider.apply(sent)
    provider.apply(sent)  # a resend applies the credentials again
    assert sent.url.params.get_list("api_key") == [KEY]
    assert sent.url.params["page"] == "2"


def test_basic() -> None:
    provider = Basic(username="ada", password=Secret("PW", "pa:ss wörd"))
    header = applied(provider).headers["Authorization"]
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == "ada:pa:ss wörd"
    assert header.removeprefix("Basic ") in provider.secret_values()


def test_bearer() -> None:
    provider = Bearer(token=Secret("TOKEN", "tok_abcdef"))
    assert applied(provider).headers["Authorization"] == "Bearer tok_abcdef"


@pytest.mark.parametrize(
    "provider",
    [
        ApiKey(key=Secret("ACME_KEY", KEY)),
        Basic(username="ada", password=Secret("PW", KEY)),
        Bearer(token=Secret("TOKEN", KEY)),
        Jwt(secret=Secret("JWT_SECRET", KEY)),
    ],
    ids=["api-key", "basic", "bearer", "jwt"],
)
def test_no_secret_in_repr_or_str(provider: AuthProvider) -> None:
    assert KEY not in repr(provider)
    assert KEY not in str(provider)


@pytest.mark.parametrize(
    ("provider", "variable"),
    [
        (ApiKey(key=Secret("ACME_API_KEY", None)), "ACME_API_KEY"),
        (Basic(username="ada", password=Secret("ACME_PASSWORD", None)), "ACME_PASSWORD"),
        (Bearer(token=Secret("ACME_TOKEN", None)), "ACME_TOKEN"),
        (Jwt(secret=Secret("ACME_JWT_SECRET", None)), "ACME_JWT_SECRET"),
    ],
)
def test_missing_secret_names_its_variable(provider: AuthProvider, variable: str) -> None:
    with pytest.raises(UsageError, match=f"set the environment variable {variable}"):
        provider.apply(request())


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_jwt_claims_and_signature() -> None:
    clock = WallClock()
    provider = Jwt(
        secret=Secret("JWT_SECRET", KEY),
        issuer="harness",
        audience="acme",
        subject="svc",
        lifetime_s=300,
        clock=clock,
    )
    token = applied(provider).headers["Authorization"].removeprefix("Bearer ")
    claims = pyjwt.decode(
        token,
        KEY,
        algorithms=["HS256"],
        audience="acme",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == "harness"
    assert claims["sub"] == "svc"
    assert claims["iat"] == int(clock.now)
    assert claims["exp"] - claims["iat"] == 300
    assert len(claims["jti"]) == 32


def test_jwt_is_reused_then_resigned_at_four_fifths_of_its_life() -> None:
    clock = WallClock()
    provider = Jwt(secret=Secret("S", KEY), lifetime_s=100, clock=clock)
    first = provider.token()
    clock.now += 79.9
    assert provider.token() == first
    clock.now += 0.1
    assert provider.token() != first
    assert provider.tokens_signed == 2


def test_jwt_is_resigned_after_401() -> None:
    provider = Jwt(secret=Secret("S", KEY), clock=WallClock())
    first = provider.token()
    assert provider.on_unauthorized() is True
    assert provider.token() != first
    assert {first, KEY} <= provider.secret_values()


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_hmac_signatures_are_accepted_by_pyjwt(algorithm: str) -> None:
    token = sign_hmac({"sub": "x", "n": 1}, KEY, algorithm)
    assert pyjwt.decode(token, KEY, algorithms=[algorithm]) == {"sub": "x", "n": 1}


def test_hmac_signer_refuses_asymmetric_algorithms() -> None:
    with pytest.raises(UsageError, match=r"RS256 needs PyJWT and cryptography"):
        sign_hmac({}, KEY, "RS256")


def test_asymmetric_jwt_without_cryptography_is_a_usage_error() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("cryptography is installed: RS256 signs")
    provider = Jwt(secret=Secret("S", "not-a-pem-key"), algorithm="RS256")
    with pytest.raises(UsageError, match=r"RS256 needs the 'cryptography' package"):
        provider.token()


def test_short_hmac_keys_sign_without_warnings() -> None:
    provider = Jwt(secret=Secret("S", "short"), clock=WallClock())
    assert provider.token().count(".") == 2


CREDENTIALS = Credentials(
    client_id="id",
    api_key=Secret("K", "api-key-value"),
    username="ada",
    password=Secret("P", "password-value"),
    token=Secret("T", "token-value"),
    jwt_secret=Secret("J", "jwt-secret-value"),
)


@pytest.mark.parametrize(
    ("auth", "kind"),
    [
        (None, NoAuth),
        (Auth(type=AuthType.NONE), NoAuth),
        (Auth(type=AuthType.API_KEY, header="X-Key"), ApiKey),
        (Auth(type=AuthType.BASIC, username="ada"), Basic),
        (Auth(type=AuthType.BEARER), Bearer),
        (Auth(type=AuthType.JWT, jwt=JwtSettings(algorithm="HS256")), Jwt),
    ],
)
def test_auth_for_picks_the_provider(auth: Auth | None, kind: type) -> None:
    assert isinstance(auth_for(auth, CREDENTIALS), kind)


def test_auth_for_api_key_uses_name_and_location() -> None:
    auth = Auth(type=AuthType.API_KEY, header="key", in_="query")
    sent = applied(auth_for(auth, CREDENTIALS))
    assert sent.url.params["key"] == "api-key-value"


def test_auth_for_oauth_needs_a_token_client() -> None:
    auth = Auth(type=AuthType.OAUTH2_CLIENT_CREDENTIALS, token_url="/oauth/token")
    with pytest.raises(UsageError, match="needs a token_client"):
        auth_for(auth, CREDENTIALS)


def test_auth_for_jwt_needs_settings() -> None:
    with pytest.raises(UsageError, match="needs a jwt section"):
        auth_for(Auth(type=AuthType.JWT), CREDENTIALS)
