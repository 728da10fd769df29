"""A configurable HMAC scheme for vendors that follow no published standard.

Configured with the same words an Integration Guide uses: the digest ``algorithm``, the
signature ``header``, its ``encoding`` and ``prefix``, the signed-content ``template`` over
``{body}``, ``{timestamp}`` and ``{id}``, and the headers that carry the timestamp and id.
The defaults (``X-Signature: <hex of HMAC-SHA256(body)>``) are the most common shape.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from harness.errors import UsageError
from harness.webhooks.base import (
    DEFAULT_TOLERANCE_S,
    HeaderView,
    Secret,
    check_tolerance_option,
    hmac_digest,
    parse_timestamp,
    text_key,
    wire_bytes,
)
from harness.webhooks.verification import HmacVerifier, SignedMessage, received_digest


class DigestAlgorithm(StrEnum):
    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA512 = "sha512"


class DigestEncoding(StrEnum):
    HEX = "hex"
    BASE64 = "base64"


_FIELDS = ("body", "timestamp", "id")
_Choice = TypeVar("_Choice", bound=StrEnum)
# A parsed template: literal text, then the field that follows it (None at the end).
_Parts = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class HmacScheme(HmacVerifier):
    """``<header>: <prefix><encoded HMAC(template)>``, with optional timestamp and id headers."""

    algorithm: DigestAlgorithm = DigestAlgorithm.SHA256
    header: str = "X-Signature"
    encoding: DigestEncoding = DigestEncoding.HEX
    prefix: str = ""
    template: str = "{body}"
    timestamp_header: str | None = None
    id_header: str | None = None
    tolerance_s: float = DEFAULT_TOLERANCE_S
    _parts: _Parts = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "algorithm", _choice(DigestAlgorithm, self.algorithm, "algorithm"))
        setattr_(self, "encoding", _choice(DigestEncoding, self.encoding, "encoding"))
        setattr_(self, "tolerance_s", check_tolerance_option(self.tolerance_s))
        _check_text("header", self.header, optional=False)
        _check_text("prefix", self.prefix, optional=True)
        _check_text("timestamp_header", self.timestamp_header, optional=True)
        _check_text("id_header", self.id_header, optional=True)
        setattr_(self, "_parts", _parse_template(self.template))
        used = {name for _, name in self._parts}
        for name, option in (("timestamp", self.timestamp_header), ("id", self.id_header)):
            if (name in used) != (option is not None):
                raise UsageError(
                    f"the template {self.template!r} and {name}_header disagree: "
                    f"'{{{name}}}' in the template needs {name}_header, and {name}_header "
                    f"needs '{{{name}}}' in the template (an unsigned {name} proves nothing)"
                )

    @property
    def name(self) -> str:
        return "hmac-sha256"

    def sign(self, secret: Secret, body: bytes, *, msg_id: str, timestamp: int) -> dict[str, str]:
        stamp = str(timestamp)
        content = self._content(body, stamp=stamp, msg_id=msg_id)
        digest = hmac_digest(text_key(secret), content, self.algorithm.value)
        headers = {self.header: self.prefix + self._encode(digest)}
        if self.timestamp_header is not None:
            headers[self.timestamp_header] = stamp
        if self.id_header is not None:
            headers[self.id_header] = msg_id
        return headers

    def read(self, headers: HeaderView, body: bytes) -> SignedMessage:
        received = self._received_digest(headers.require(self.header))
        stamp = msg_id = ""
        timestamp: int | None = None
        if self.timestamp_header is not None:
            stamp = headers.require(self.timestamp_header)
            timestamp = parse_timestamp(stamp, repr(self.timestamp_header))
        if self.id_header is not None:
            msg_id = headers.require(self.id_header)
        return SignedMessage(
            content=self._content(body, stamp=stamp, msg_id=msg_id),
            received=[received],
            mismatch=f"the signature in {self.header!r} does not match the signed content",
            algorithm=self.algorithm.value,
            timestamp=timestamp,
            timestamp_where=repr(self.timestamp_header),
        )

    def window(self, override: float | None) -> float:
        return self.tolerance_s if override is None else override

    def _content(self, body: bytes, *, stamp: str, msg_id: str) -> bytes:
        values = {"body": body, "timestamp": wire_bytes(stamp), "id": wire_bytes(msg_id)}
        return b"".join(
            literal.encode("utf-8") + (values[name] if name else b"")
            for literal, name in self._parts
        )

    def _encode(self, digest: bytes) -> str:
        if self.encoding is DigestEncoding.HEX:
            return digest.hex()
        return base64.b64encode(digest).decode("ascii")

    def _received_digest(self, value: str) -> bytes:
        return received_digest(
            self.header,
            value,
            prefix=self.prefix,
            encoding=self.encoding.value,
            size=hashlib.new(self.algorithm.value).digest_size,
            shape=f"the {self.encoding} of a {self.algorithm} digest",
        )


def _choice(enum: type[_Choice], value: object, option: str) -> _Choice:
    """``value`` as a member of ``enum``, or a UsageError naming the choices."""
    choices = [member.value for member in enum]
    if isinstance(value, str) and value.lower() in choices:
        return enum(value.lower())
    close = difflib.get_close_matches(str(value).lower(), choices, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise UsageError(f"{option} must be one of {', '.join(choices)}, got {value!r}{hint}")


def _check_text(option: str, value: object, *, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise UsageError(f"{option} must be a string, got {value!r}")
    if not value and option.endswith("header"):
        raise UsageError(f"{option} must name a header, got an empty string")


def _parse_template(template: object) -> _Parts:
    """Split a template into literals and fields: bare {body}, {timestamp} and {id} only."""
    if not isinstance(template, str):
        raise UsageError(f"template must be a string, got {template!r}")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise UsageError(
            f"template {template!r} is not valid ({exc}); write '{{{{' for a literal '{{'"
        ) from None
    parts: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in _FIELDS or spec or conversion):
            close = difflib.get_close_matches(name, _FIELDS, n=1)
            hint = f"; did you mean '{{{close[0]}}}'?" if close else ""
            raise UsageError(
                f"template {template!r} uses '{{{name}}}'; only {{body}}, {{timestamp}} "
                f"and {{id}} can be signed{hint}"
            )
        parts.append((literal, name))
    if "body" not in {name for _, name in parts}:
        raise UsageError(f"template {template!r} must contain {{body}}")
    return tuple(parts)
