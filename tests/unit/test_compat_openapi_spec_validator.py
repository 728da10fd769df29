"""openapi-spec-validator still ships the meta-schemas where ``harness._compat`` reads them."""

from __future__ import annotations

from importlib import metadata, resources

import pytest

from harness._compat import openapi_spec_validator as compat


def test_written_against_the_installed_release() -> None:
    installed = metadata.version("openapi-spec-validator")
    assert installed.split(".")[:2] == compat.WRITTEN_AGAINST.split(".")[:2], (
        f"openapi-spec-validator {installed} is installed, harness._compat was written against "
        f"{compat.WRITTEN_AGAINST}: re-run these tests and update WRITTEN_AGAINST"
    )


@pytest.mark.parametrize(
    ("version", "dialect"),
    [
        ("3.0", "http://json-schema.org/draft-04/schema#"),
        ("3.1", "https://json-schema.org/draft/2020-12/schema"),
    ],
)
def test_the_bundled_meta_schema_is_where_harness_reads_it(version: str, dialect: str) -> None:
    path = compat.meta_schema_path(version)
    found = resources.files("openapi_spec_validator").joinpath(*path)
    assert found.is_file(), f"openapi-spec-validator no longer ships {'/'.join(path)}"
    schema = compat.meta_schema(version)
    assert schema.get("$schema") == dialect, f"{'/'.join(path)} is not the {version} schema"
    assert "paths" in schema.get("properties", {}), f"{'/'.join(path)} describes no paths"


def test_an_unknown_minor_version_reads_the_30_schema() -> None:
    assert compat.meta_schema_path("3.0.3") == compat.meta_schema_path("3.0")
