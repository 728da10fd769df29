"""openapi-spec-validator's bundled meta-schemas; written against openapi-spec-validator 0.9.0.

Harness validates documents against the official OpenAPI 3.0 and 3.1 JSON Schemas with the
faster ``jsonschema_rs`` and takes the schemas from the files openapi-spec-validator ships.
Their location inside its package (``resources/schemas/v3.x/schema.json``) is not a public
API: ``tests/unit/test_compat_openapi_spec_validator.py`` fails, naming the path, when a
release moves them.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: The openapi-spec-validator release this wrapper was written and tested against.
WRITTEN_AGAINST = "0.9.0"

#: OpenAPI minor version → the folder of its meta-schema inside the package.
SCHEMA_FOLDERS = {"3.0": "v3.0", "3.1": "v3.1"}


def meta_schema_path(version: str) -> tuple[str, ...]:
    """The path of the meta-schema of ``version`` (3.0 or 3.1) inside the package."""
    folder = SCHEMA_FOLDERS["3.1" if version == "3.1" else "3.0"]
    return ("resources", "schemas", folder, "schema.json")


def meta_schema(version: str) -> dict[str, Any]:
    """The official JSON Schema of OpenAPI ``version`` (3.1, else 3.0), as bundled."""
    text = (
        resources.files("openapi_spec_validator")
        .joinpath(*meta_schema_path(version))
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
