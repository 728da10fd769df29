"""The seam between harness and the private or undocumented APIs of its dependencies.

Harness leans on a few parts of its dependencies that their authors do not promise to
keep: a generator class, an attribute of a case, a private function patched to make
generation reproducible, a protocol class, a data file's path. A minor release may move
any of them. Each such use lives here, behind a small typed function whose docstring names
the version it was written against, with one test per function (see below) that fails
with a message naming what changed. An upgrade that breaks one then fails that test, not a
customer's run, and the fix is one function in one file.

The rest of harness imports these functions, never the private names. This package sits
at the bottom of the layers (``lint-imports``): it imports no other harness module.

- ``schemathesis``: coverage and example cases, the JSON Schema strategy builder, the raw
  operation definition, a case's negated parts, the stateful recorder, failure duck-typing.
- ``hypothesis``: the state-machine test builder, and ``pinned_generation`` (no constants
  harvested from locally loaded modules).
- ``uvicorn``: the HTTP protocol class the sandbox subclasses to drop a connection.
- ``openapi_spec_validator``: where its bundled OpenAPI meta-schemas live.

Tests: ``tests/unit/test_compat.py`` (Schemathesis, Hypothesis) and
``tests/unit/test_compat_<dependency>.py`` for the others.
"""
