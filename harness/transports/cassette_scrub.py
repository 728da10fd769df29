"""Scrubbing cassettes: every secret becomes a stable placeholder, and a scan proves it.

``Scrubber`` replaces, in every request and response of a cassette: known secret values (in
every encoding ``secret_forms`` knows, and ``Basic id:secret``) by ``<SECRET:NAME>``;
credential headers, OAuth fields of JSON (nested, any charset) and form bodies, and sensitive
query parameters by ``<SECRET:field:n>`` / ``<TOKEN:n>``; URL userinfo; and the contract's
PII fields by ``<PII:field:n>`` (format-preserving for e-mail addresses and phone numbers, so
recorded responses still validate). The same value always gets the same placeholder, so a
replayed request scrubbed the same way finds its recording. ``find_survivors`` scans the
written text for every known secret, naming where one survived but never its value.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from harness.transports.cassette import Interaction
from harness.transports.scrub import (
    SENSITIVE_FIELDS,
    SENSITIVE_HEADERS,
    SENSITIVE_QUERY_KEYS,
    secret_forms,
)

MIN_LENGTH = 6  # shorter values are not treated as secrets: they would match everywhere
TOKEN_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})
PLACEHOLDER = re.compile(r"^<(SECRET|TOKEN|PII):[^<>]*>$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_PHONE = re.compile(r"^\+\d{2,15}$")
_PII_TEXT = re.compile(r"[@ +]")  # an e-mail, a full name, a phone number: safe to replace


@dataclass(frozen=True, slots=True, kw_only=True)
class Survivor:
    """Where a known secret survived scrubbing (never the secret itself)."""

    interaction: int | None
    part: str
    form: str

    def describe(self) -> str:
        where = "metadata" if self.interaction is None else f"interaction {self.interaction}"
        return f"{where}, {self.part} ({self.form} form)"


def encoded_forms(secret: str, client_id: str | None = None) -> Iterator[tuple[str, str]]:
    """(form name, text) for every encoding a secret may take, ``Basic id:secret`` included."""
    names = ("raw", "url", "url+", "json", "hex", "base64", "base64", "base64url", "base64url")
    yield from zip(names, secret_forms(secret), strict=True)
    if client_id:
        yield "basic", base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")


class Scrubber:
    """Replaces secrets and PII by placeholders; one per cassette, so numbering is stable."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        pii_fields: Collection[str] = (),
        client_id: str | None = None,
    ) -> None:
        self._values: dict[str, str] = {}  # value → placeholder
        self._secrets: set[str] = set()  # values found in sensitive places, for the scan
        self._fields: dict[str, str] = {}  # every value replaced in a field → placeholder
        self._counts: dict[str, int] = {}
        self._pii = frozenset(name.lower() for name in pii_fields)
        self._client_id = client_id
        self._pattern: re.Pattern[str] | None = None
        # Several values under one name (tokens issued during a run) are told apart, numbered
        # in order of appearance: a renewed token must not replay as the same placeholder.
        self._pending: dict[str, tuple[str, str]] = {}  # form of a value → (value, name)
        shared = Counter(name for value, name in secrets.items() if len(value) >= MIN_LENGTH)
        for value, name in sorted(secrets.items(), key=lambda item: item[1]):
            if len(value) < MIN_LENGTH:
                continue
            if shared[name] == 1:
                self._register(value, f"<SECRET:{name}>")
                continue
            self._pending[value] = (value, name)
            for _, form in encoded_forms(value, client_id):
                if len(form) >= MIN_LENGTH:
                    self._pending.setdefault(form, (value, name))

    def known_secrets(self) -> frozenset[str]:
        """Secret values met in sensitive places (tokens issued, credential fields)."""
        return frozenset(self._secrets)

    def alias(self, value: str, text: str) -> None:
        """Replace ``value`` by ``text`` verbatim (the local sandbox's base URL, say)."""
        self._values[value] = text
        self._pattern = None

    # --- Placeholders ---------------------------------------------------------------------

    def _numbered(self, value: str, name: str) -> str:
        """The placeholder of one of several secrets named ``name``: numbered on first use."""
        if value not in self._values:
            key = f"SECRET:{name}"
            self._counts[key] = self._counts.get(key, 0) + 1
            self._register(value, f"<{key}:{self._counts[key]}>")
            for form, (pending, _) in list(self._pending.items()):
                if pending == value:
                    del self._pending[form]
        return self._values[value]

    def _replace(self, found: str) -> str:
        if found in self._values:
            return self._values[found]
        value, name = self._pending[found]
        self._numbered(value, name)
        return self._values[found] if found in self._values else self._values[value]

    def placeholder(self, value: str, kind: str, label: str = "") -> str:
        if not value or PLACEHOLDER.match(value):
            return value
        if value in self._pending:
            return self._replace(value)
        if value in self._values:
            return self._values[value]
        if value in self._fields:
            return self._fields[value]
        key = f"{kind}:{label}" if label else kind
        self._counts[key] = self._counts.get(key, 0) + 1
        number = self._counts[key]
        if kind == "PII" and _EMAIL.match(value):
            text = f"pii-{number}@example.invalid"
        elif kind == "PII" and _PHONE.match(value):
            text = f"+1555{number:07d}"
        else:
            text = f"<{key}:{number}>"
        if kind != "PII":
            self._secrets.add(value)
        self._fields[value] = text
        self._register(value, text, pii=kind == "PII")
        return text

    def _register(self, value: str, text: str, *, pii: bool = False) -> None:
        if len(value) < MIN_LENGTH or (pii and not _PII_TEXT.search(value)):
            return  # too short or too plain to replace inside other text safely
        self._values[value] = text
        self._pattern = None
        if pii:
            return
        for _, form in encoded_forms(value, self._client_id):
            if len(form) >= MIN_LENGTH and form not in self._values:
                self._values[form] = text

    def text(self, text: str) -> str:
        """``text`` with every known value (any encoding) replaced by its placeholder."""
        if not self._values and not self._pending:
            return text
        if self._pattern is None:
            ordered = sorted({*self._values, *self._pending}, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(value) for value in ordered))
        return self._pattern.sub(lambda match: self._replace(match.group(0)), text)

    # --- Parts ----------------------------------------------------------------------------

    def interaction(self, item: Interaction) -> Interaction:
        """The interaction scrubbed: the request first, so values it sent are known after."""
        uri = self.url(item.uri)
        request_headers = self.headers(item.request_headers)
        request_body = self.body(item.request_body, _content_type(item.request_headers))
        response_body = self.body(item.response_body, _content_type(item.response_headers))
        return replace(
            item,
            uri=uri,
            request_headers=request_headers,
            request_body=request_body,
            response_headers=self.headers(item.response_headers),
            response_body=response_body,
        )

    def headers(self, headers: Mapping[str, list[str]]) -> dict[str, list[str]]:
        return {
            name: [self._header(name.lower(), value) for value in values]
            for name, values in sorted(headers.items(), key=lambda item: item[0].lower())
        }

    def _header(self, name: str, value: str) -> str:
        if name not in SENSITIVE_HEADERS:
            return self.text(value)
        scheme, _, credential = value.partition(" ")
        if credential and scheme.lower() in ("bearer", "basic", "token", "digest"):
            return f"{scheme} {self.placeholder(credential, 'TOKEN')}"
        return self.placeholder(value, "SECRET", name)

    def url(self, uri: str) -> str:
        parts = urlsplit(uri)
        netloc = parts.netloc.rpartition("@")[2]
        pairs = [
            (key, self._field(key, value)) if key.lower() in SENSITIVE_QUERY_KEYS else (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="<>:") if pairs else parts.query
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def body(self, body: str | bytes, content_type: str) -> str | bytes:
        if isinstance(body, bytes) or not body:
            return body
        kind = content_type.split(";", maxsplit=1)[0].strip().lower()
        if kind.endswith("json"):
            try:
                data = json.loads(body)
            except ValueError:
                return self.text(body)
            return self.text(json.dumps(self._json(data), ensure_ascii=False, sort_keys=True))
        if kind == "application/x-www-form-urlencoded":
            pairs = [
                (key, self._field(key, value) if _sensitive(key) else self.text(value))
                for key, value in parse_qsl(body, keep_blank_values=True)
            ]
            return urlencode(pairs, safe="<>:")
        return self.text(body)

    def _json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._json_field(str(key), item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._json(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _json_field(self, key: str, value: Any) -> Any:
        if isinstance(value, str) and _sensitive(key):
            return self._field(key, value)
        if isinstance(value, str) and key.lower() in self._pii:
            return self.placeholder(value, "PII", key.lower())
        return self._json(value)

    def _field(self, key: str, value: str) -> str:
        if key.lower() in TOKEN_FIELDS or key.lower() in ("token", "access_token"):
            return self.placeholder(value, "TOKEN")
        return self.placeholder(value, "SECRET", key.lower())


def _sensitive(key: str) -> bool:
    return key.lower() in SENSITIVE_FIELDS


def _content_type(headers: Mapping[str, list[str]]) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return ""


def find_survivors(
    interactions: Iterable[Mapping[str, Any]],
    secrets: Collection[str],
    client_id: str | None = None,
) -> list[Survivor]:
    """Every place (interaction, part) where a known secret survived, in any encoding."""
    forms = [
        (name, form)
        for secret in secrets
        if len(secret) >= MIN_LENGTH
        for name, form in encoded_forms(secret, client_id)
        if len(form) >= MIN_LENGTH
    ]
    found = []
    for index, interaction in enumerate(interactions):
        for part, text in _parts(interaction):
            found += [
                Survivor(interaction=index, part=part, form=name)
                for name, form in forms
                if form in text
            ]
    return found


def find_in_text(text: str, secrets: Collection[str], client_id: str | None = None) -> list[str]:
    """The names of the forms in which a known secret appears in ``text``."""
    return [
        name
        for secret in secrets
        if len(secret) >= MIN_LENGTH
        for name, form in encoded_forms(secret, client_id)
        if len(form) >= MIN_LENGTH and form in text
    ]


def _parts(interaction: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for side in ("request", "response"):
        for key, value in interaction.get(side, {}).items():
            yield f"{side}.{key}", json.dumps(value, default=repr, ensure_ascii=False)
