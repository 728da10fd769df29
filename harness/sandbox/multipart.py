"""``multipart/form-data`` bodies as the object their schema describes.

A real server parses the parts of an upload before it acts on them: a missing boundary, a
part without a name, an integer field holding ``abc`` or a required field left out are
refused. Each part becomes one property: JSON parts (and object or array fields, which
OpenAPI sends as JSON by default) are decoded, file parts are kept as text, other parts are
coerced to the type their property names, as form fields are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from harness.errors import HarnessError


class MalformedMultipart(HarnessError):
    """The body is not ``multipart/form-data`` a server could read."""


def parse_multipart(
    content_type: str, raw: bytes, kind_of: Callable[[str], str], coerce: Callable[[Any, str], Any]
) -> dict[str, Any]:
    """The fields of the body: ``kind_of(name)`` is the JSON type of a field's property."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    boundary = message.get_boundary()
    if boundary is not None and raw.strip() == f"--{boundary}--".encode("latin-1"):
        return {}  # no fields at all: only the closing delimiter (what clients send)
    if not message.is_multipart() or message.defects:
        found = message.defects[0].__class__.__name__ if message.defects else "no parts"
        raise MalformedMultipart(f"is not multipart/form-data ({found})")
    fields: dict[str, Any] = {}
    for part in message.get_payload():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):  # name="" is a name (an object's "" key), absent is not
            raise MalformedMultipart("has a part without a name in Content-Disposition")
        kind = kind_of(name)
        value = _value(part, kind, coerce)
        if kind == "array":
            fields.setdefault(name, []).extend(value if isinstance(value, list) else [value])
        else:
            fields[name] = value
    return fields


def _value(part: Message, kind: str, coerce: Callable[[Any, str], Any]) -> Any:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    text = data.decode("utf-8", errors="replace")
    if part.get_filename() is not None:
        return text  # a file: its bytes are the value, whatever they hold
    declared = part.get_content_type() if part.get("content-type") else ""
    if "json" in declared or kind in ("object", "array"):
        try:
            return json.loads(text)
        except ValueError:
            if "json" in declared:
                raise MalformedMultipart("has a JSON part that is not valid JSON") from None
    return coerce(text, kind)
