"""Schemathesis internals harness relies on; written against Schemathesis 4.32.5.

Schemathesis's documented Python API loads a document, finds operations, builds strategies
and validates responses; harness uses that directly. What it does not document, harness
reaches only through this module: the coverage and examples phases (CLI-only in
Schemathesis), the JSON Schema strategy builder, the raw definition of an operation, which
parts of a case were made invalid, the recorder of a state machine, and how its failures
look. ``tests/unit/test_compat.py`` pins each behaviour relied on here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx
from hypothesis.strategies import SearchStrategy
from schemathesis import GenerationMode, Response
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.hypothesis.builder import generate_example_cases
from schemathesis.generation.jsonschema.builder import build
from schemathesis.generation.overrides import Override

#: The Schemathesis release these wrappers were written and tested against.
WRITTEN_AGAINST = "4.32.5"


def json_schema_strategy(
    schema: dict[str, Any], *, draft: int, formats: dict[str, SearchStrategy[Any]]
) -> SearchStrategy[Any]:
    """Instances of a plain JSON Schema, from Schemathesis's own generator (4.32.5).

    ``generation.jsonschema.builder.build``: ``draft`` is a ``jsonschema_rs`` draft
    constant, ``formats`` maps a ``format`` name to the strategy of its strings.
    """
    return build(schema, draft=draft, formats=formats)


def coverage_cases(operation: Any, mode: GenerationMode) -> Iterable[Any]:
    """The coverage-phase cases of an ``APIOperation`` in ``mode``, lazily (4.32.5).

    Schemathesis runs this phase only from its CLI engine: ``generation.drivers.
    CoverageGenerator`` with the operation's coverage generation config, no auth, no
    overrides and no feedback. Iterating may raise whatever the generator raises.
    """
    config = operation.schema.config.generation_for(operation=operation, phase="coverage")
    generator: Iterable[Any] = CoverageGenerator(
        operation=operation,
        generation_modes=[mode],
        generation_config=config,
        auth_storage=None,
        override=Override(),
        feedback=FeedbackSources(),
    )
    return generator


def example_cases(operation: Any, test: Callable[..., Any]) -> Iterable[Any]:
    """The cases built from the document's own examples of ``operation`` (4.32.5).

    ``generation.hypothesis.builder.generate_example_cases`` without filling the parts
    the examples leave out; ``test`` is the Hypothesis test the examples belong to.
    """
    cases: Iterable[Any] = generate_example_cases(
        test=test, operation=operation, fill_missing=False
    )
    return cases


def operation_definition(operation: Any) -> dict[str, Any]:
    """The operation object of an ``APIOperation`` as the document spells it (4.32.5).

    ``operation.definition.raw``: ``$ref``s unresolved, ``operationId``, ``security``.
    """
    raw: dict[str, Any] = operation.definition.raw
    return raw


def document(operation: Any) -> dict[str, Any]:
    """The whole document an ``APIOperation`` was loaded from (``schema.raw_schema``)."""
    raw: dict[str, Any] = operation.schema.raw_schema
    return raw


def response_from_httpx(response: httpx.Response) -> Response:
    """An httpx response as the ``Response`` a state machine's ``call`` returns (4.32.5).

    ``Response.from_httpx(response, verify=True)``: the request it carries is rebuilt from
    ``response.request``, so a sequence's later checks can look at what was sent.
    """
    return Response.from_httpx(response, verify=True)


def negated_parameters(case: Any) -> set[tuple[str, str]]:
    """(location, name) of each parameter Schemathesis made invalid in ``case`` (4.32.5).

    From ``case.meta.phase.data``: its ``parameter``/``parameter_location`` and each of its
    ``mutations``. Empty when the case carries no phase data (a hand-built case).
    """
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    if data is None:
        return set()
    touched = {
        (_location(m.parameter_location), str(m.parameter)) for m in getattr(data, "mutations", ())
    }
    for m in getattr(data, "mutations", ()):
        # fuzzing's "violates `required`" names no parameter: every required one may be gone
        names = getattr(m, "original_value", None)
        if m.parameter is None and "required" in (m.keywords or ()) and isinstance(names, list):
            touched |= {(_location(m.parameter_location), str(name)) for name in names}
    parameter = getattr(data, "parameter", None)
    location = getattr(data, "parameter_location", None)
    if parameter is not None and location is not None:
        touched.add((_location(location), str(parameter)))
    return touched


def negated_keywords(case: Any) -> set[str]:
    """The JSON Schema keywords Schemathesis's mutations violated in ``case`` (4.32.5).

    From ``case.meta.phase.data.mutations[].keywords`` (fuzzing), and the coverage phase's
    ``scenario`` ``incorrect_type`` as ``type``; empty when the case records none.
    """
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    found = {str(k) for m in getattr(data, "mutations", ()) or () for k in (m.keywords or ())}
    if str(getattr(getattr(data, "scenario", None), "value", "")) == "incorrect_type":
        found.add("type")
    return found


def negated_locations(case: Any) -> set[str]:
    """The locations (``path``, ``query``, ``body``...) generated invalid in ``case`` (4.32.5).

    From ``case.meta.components``: location → ``ComponentInfo`` with its generation mode.
    """
    components = getattr(getattr(case, "meta", None), "components", None) or {}
    return {
        _location(location)
        for location, info in components.items()
        if getattr(info, "mode", None) == GenerationMode.NEGATIVE
    }


def machine_recorder(machine: Any) -> Any:
    """The ``ScenarioRecorder`` of a running ``APIStateMachine``, or None (4.32.5).

    Passed to ``case.validate_response(recorder=...)``, it lets the sequence checks
    (``use_after_free``, ``ensure_resource_availability``) find the step that created a
    resource; Schemathesis keeps it as the undocumented attribute ``machine.recorder``.
    """
    return getattr(machine, "recorder", None)


def is_schemathesis_error(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by Schemathesis (its failures have no public base class)."""
    return type(exc).__module__.startswith("schemathesis")


def failure_title(exc: BaseException) -> str | None:
    """``"<title>: <message>"`` of a Schemathesis check failure; None for anything else.

    Written against 4.32.5, where a failure (``core.failures.Failure``) carries ``title``
    and ``message`` attributes; duck-typed, as the class is not part of the public API.
    """
    title = getattr(exc, "title", None)
    if title is None or not is_schemathesis_error(exc):
        return None
    detail = str(getattr(exc, "message", "") or "").strip()
    return f"{title}: {detail}" if detail else str(title)


def _location(location: Any) -> str:
    """A ``ParameterLocation`` (an enum in 4.x) or a plain string, as its string value."""
    return str(getattr(location, "value", location))
