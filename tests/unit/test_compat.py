"""``harness._compat``: each private or undocumented API harness uses still behaves as relied on.

One test per wrapper, on a tiny real document (and a real loopback server where an answer is
needed). When an upgrade of Schemathesis or Hypothesis breaks one, the test fails with
"<dependency> <version> changed: <what>; update harness/_compat/<module>.py", instead of a
customer's run failing somewhere deep in a check.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, TypeVar

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from tests.support.servers import serve

T = TypeVar("T")

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "compat", "version": "1"},
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
    },
    "security": [{"key": []}],
    "paths": {
        "/items": {
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                                "required": ["name"],
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "links": {
                            "read": {
                                "operationId": "getItem",
                                "parameters": {"item_id": "$response.body#/id"},
                            }
                        },
                    }
                },
            }
        },
        "/items/{item_id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                        "example": 42,
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                ],
                "responses": {"200": {"description": "the item"}},
            }
        },
    },
}


def _changed(dependency: str, what: str) -> str:
    version = importlib.metadata.version(dependency)
    return f"{dependency} {version} changed: {what}; update harness/_compat/{dependency}.py"


def _compat(dependency: str) -> ModuleType:
    """The wrapper module, or a loud failure when a private name it imports has moved."""
    try:
        return importlib.import_module(f"harness._compat.{dependency}")
    except ImportError as exc:
        pytest.fail(_changed(dependency, f"a private module or name is gone ({exc})"))


def _calling(dependency: str, what: str, call: Callable[[], T]) -> T:
    """``call()``, or a loud failure naming what the wrapper relies on."""
    try:
        return call()
    except Exception as exc:
        pytest.fail(_changed(dependency, f"{what} ({type(exc).__name__}: {exc})"))


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 500 on /items/..., 200 elsewhere: enough for a failing Schemathesis check."""
    status = 500 if scope["path"].startswith("/items/") else 200
    body = b'{"error": "boom"}'
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(_app) as url:
        yield url


@pytest.fixture(scope="module")
def schema() -> Any:
    return schemathesis.openapi.from_dict(DOCUMENT)


def _get_item(schema: Any) -> Any:
    return schema.find_operation_by_id("getItem")


def _draws(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` values of ``strategy``, seeded, without shrinking (``find`` is slow)."""
    seen: list[T] = []

    @hypothesis.settings(
        max_examples=count, database=None, deadline=None, phases=[hypothesis.Phase.generate]
    )
    @hypothesis.seed(1)
    @hypothesis.given(strategy)
    def draw(value: T) -> None:
        seen.append(value)

    draw()
    return seen


# --- Schemathesis -------------------------------------------------------------------------


def test_json_schema_strategy_honours_the_schema_and_the_formats() -> None:
    sc = _compat("schemathesis")
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    strategy = _calling(
        "schemathesis",
        "generation.jsonschema.builder.build(schema, draft=, formats=)",
        lambda: sc.json_schema_strategy(
            {
                "type": "object",
                "properties": {"code": {"type": "string", "format": "x-code"}},
                "required": ["code"],
            },
            draft=jsonschema_rs.Draft202012,
            formats={"x-code": st.just("ABC-1")},
        ),
    )
    values = _draws(strategy, 5)
    assert values, _changed("schemathesis", "build() draws nothing for a satisfiable schema")
    assert all(value["code"] == "ABC-1" for value in values), _changed(
        "schemathesis", f"build() no longer draws the given format's strings (drew {values!r})"
    )


def test_coverage_cases_are_cases_of_the_operation_in_the_mode(schema: Any) -> None:
    sc = _compat("schemathesis")
    operation = _get_item(schema)
    cases = _calling(
        "schemathesis",
        "generation.drivers.CoverageGenerator(operation=, generation_modes=, ...)",
        lambda: list(sc.coverage_cases(operation, GenerationMode.NEGATIVE)),
    )
    assert cases, _changed("schemathesis", "CoverageGenerator yields no negative case")
    assert all(case.operation is operation for case in cases), _changed(
        "schemathesis", "CoverageGenerator yields something other than the operation's Cases"
    )
    invalid_limits = [case for case in cases if not isinstance(case.query.get("limit"), int)]
    assert invalid_limits, _changed(
        "schemathesis", "the negative coverage phase no longer breaks a required query parameter"
    )


def test_example_cases_carry_the_documents_examples(schema: Any) -> None:
    sc = _compat("schemathesis")
    operation = _get_item(schema)
    test = hypothesis.given(case=operation.as_strategy())(lambda case: None)
    cases = _calling(
        "schemathesis",
        "generation.hypothesis.builder.generate_example_cases(test=, operation=, fill_missing=)",
        lambda: list(sc.example_cases(operation, test)),
    )
    assert [case.path_parameters.get("item_id") for case in cases] == [42], _changed(
        "schemathesis", "generate_example_cases no longer builds a case from a parameter example"
    )


def test_the_operation_definition_and_document_are_the_raw_ones(schema: Any) -> None:
    sc = _compat("schemathesis")
    operation = _get_item(schema)
    definition = _calling(
        "schemathesis",
        "APIOperation.definition.raw",
        lambda: sc.operation_definition(operation),
    )
    assert definition.get("operationId") == "getItem", _changed(
        "schemathesis", "operation.definition.raw is no longer the document's operation object"
    )
    raw = _calling("schemathesis", "BaseSchema.raw_schema", lambda: sc.document(operation))
    assert raw.get("security") == [{"key": []}], _changed(
        "schemathesis", "operation.schema.raw_schema is no longer the loaded document"
    )


def test_a_response_converted_from_httpx_keeps_status_body_and_request(base_url: str) -> None:
    sc = _compat("schemathesis")
    answer = httpx.get(f"{base_url}/items/7?limit=2", timeout=5)
    response = _calling(
        "schemathesis",
        "Response.from_httpx(response, verify=True)",
        lambda: sc.response_from_httpx(answer),
    )
    assert response.status_code == 500, _changed("schemathesis", "Response.status_code")
    assert response.content == answer.content, _changed("schemathesis", "Response.content")
    sent = (response.request.method, httpx.URL(response.request.url).path)
    assert sent == ("GET", "/items/7"), _changed(
        "schemathesis", "Response.request no longer carries the request that was sent"
    )


def test_negated_parameters_name_the_parameter_made_invalid(schema: Any) -> None:
    sc = _compat("schemathesis")
    cases = list(sc.coverage_cases(_get_item(schema), GenerationMode.NEGATIVE))
    touched = _calling(
        "schemathesis",
        "case.meta.phase.data.parameter/parameter_location/mutations",
        lambda: set().union(*(sc.negated_parameters(case) for case in cases)),
    )
    assert {("path", "item_id"), ("query", "limit")} <= touched, _changed(
        "schemathesis", f"case.meta.phase.data no longer names the invalid parameter ({touched})"
    )


def test_negated_locations_name_the_invalid_component(schema: Any) -> None:
    sc = _compat("schemathesis")
    negative = _get_item(schema).as_strategy(generation_mode=GenerationMode.NEGATIVE)
    marked = _calling(
        "schemathesis",
        "case.meta.components[location].mode",
        lambda: [sc.negated_locations(case) for case in _draws(negative, 30)],
    )
    assert any("path" in locations for locations in marked), _changed(
        "schemathesis", f"case.meta.components no longer marks a negative path ({marked})"
    )
    positive = _get_item(schema).as_strategy(generation_mode=GenerationMode.POSITIVE)
    assert all(sc.negated_locations(case) == set() for case in _draws(positive, 5)), _changed(
        "schemathesis", "case.meta.components marks a positive case negative"
    )


def test_a_state_machine_keeps_its_recorder(schema: Any) -> None:
    sc = _compat("schemathesis")
    machine_class = _calling("schemathesis", "schema.as_state_machine()", schema.as_state_machine)
    recorder = sc.machine_recorder(machine_class())
    assert hasattr(recorder, "record_response"), _changed(
        "schemathesis", "an APIStateMachine no longer keeps its ScenarioRecorder as .recorder"
    )


def test_a_failed_check_is_recognised_with_its_title(schema: Any, base_url: str) -> None:
    sc = _compat("schemathesis")
    answer = httpx.get(f"{base_url}/items/7?limit=2", timeout=5)
    case = _get_item(schema).Case(path_parameters={"item_id": 7}, query={"limit": 2})
    with pytest.raises(BaseException) as raised:  # noqa: PT011 - the type is what is tested
        case.validate_response(answer, checks=[st_checks.not_a_server_error])
    failures = list(getattr(raised.value, "exceptions", None) or [raised.value])
    titles = [sc.failure_title(failure) for failure in failures]
    assert all(sc.is_schemathesis_error(failure) for failure in failures), _changed(
        "schemathesis", f"check failures are no longer raised from its modules ({failures!r})"
    )
    assert titles, _changed("schemathesis", "a failed check raised no failure")
    assert all(titles), _changed(
        "schemathesis", f"check failures no longer carry .title/.message ({failures!r})"
    )
    assert sc.failure_title(ValueError("x")) is None


# --- Hypothesis ---------------------------------------------------------------------------


class _Counter(RuleBasedStateMachine):
    steps: list[int] = []  # noqa: RUF012 - shared on purpose: the test reads it afterwards

    @rule(value=st.integers(0, 9))
    def step(self, value: int) -> None:
        _Counter.steps.append(value)


def test_state_machine_test_returns_a_seedable_test() -> None:
    hc = _compat("hypothesis")
    settings = hypothesis.settings(max_examples=3, stateful_step_count=3, database=None)
    runs = []
    for _ in range(2):
        _Counter.steps = []
        test = _calling(
            "hypothesis",
            "hypothesis.stateful.get_state_machine_test(machine, settings=)",
            lambda: hc.state_machine_test(_Counter, settings),
        )
        hypothesis.seed(7)(test)()
        runs.append(list(_Counter.steps))
    assert runs[0], _changed("hypothesis", "the state-machine test ran no step")
    assert runs[0] == runs[1], _changed(
        "hypothesis", "hypothesis.seed() no longer fixes what a state-machine test draws"
    )


def test_pinned_generation_switches_the_local_constants_off() -> None:
    hc = _compat("hypothesis")
    assert hc.local_constants_patchable(), _changed(
        "hypothesis",
        "hypothesis.internal.conjecture.providers._get_local_constants or "
        "hypothesis.internal.constants_ast.Constants is gone: generation depends on the "
        "local modules loaded again, and replay will miss",
    )
    from hypothesis.internal.conjecture import providers

    original = providers._get_local_constants
    assert not inspect.signature(original).parameters, _changed(
        "hypothesis", "providers._get_local_constants() takes arguments now"
    )
    with hc.pinned_generation():
        harvested = providers._get_local_constants()
        kinds = ("integers", "floats", "bytes", "strings")
        assert not any(getattr(harvested, kind) for kind in kinds), _changed(
            "hypothesis", "Constants() no longer holds empty integers/floats/bytes/strings"
        )
    assert providers._get_local_constants is original


TWO_KEYS = {
    "openapi": "3.0.3",
    "info": {"title": "two keys", "version": "1"},
    "paths": {
        "/certs": {
            "get": {
                "operationId": "getCert",
                "parameters": [
                    {"name": "X-Key-A", "in": "header", "required": True,
                     "schema": {"type": "string", "minLength": 1}},
                    {"name": "X-Key-B", "in": "header", "required": True,
                     "schema": {"type": "string", "minLength": 1}},
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}  # fmt: skip


def test_a_fuzzed_missing_required_group_names_every_parameter_it_may_drop() -> None:
    # Fuzzing's "violates `required`" mutation removes required headers without naming one
    # (mutation.parameter is None; original_value lists the names): harness must know both
    # may be gone, or its client re-adds a key and the request is valid again.
    sc = _compat("schemathesis")
    operation = schemathesis.openapi.from_dict(TWO_KEYS)["/certs"]["GET"]
    negative = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    cases = _draws(negative, 60)
    dropped = [case for case in cases if not {"X-Key-A", "X-Key-B"} & set(case.headers or {})]
    assert dropped, _changed("schemathesis", "no negative case drops both required headers")
    touched = set().union(*(sc.negated_parameters(case) for case in dropped))
    assert {("header", "X-Key-A"), ("header", "X-Key-B")} <= touched, _changed(
        "schemathesis",
        f"a 'required' mutation no longer lists the dropped names in original_value ({touched})",
    )


def test_negated_keywords_name_what_the_negative_case_violates(schema: Any) -> None:
    # Form bodies carry every value as text: a case made invalid only by a value's type is
    # valid on the wire, and harness must know it (checks/conformance/cases.py).
    sc = _compat("schemathesis")
    covered = list(sc.coverage_cases(_get_item(schema), GenerationMode.NEGATIVE))
    assert any("type" in sc.negated_keywords(case) for case in covered), _changed(
        "schemathesis", "no coverage case is marked with the incorrect_type scenario"
    )
    negative = _get_item(schema).as_strategy(generation_mode=GenerationMode.NEGATIVE)
    fuzzed = [sc.negated_keywords(case) for case in _draws(negative, 30)]
    assert any(fuzzed), _changed(
        "schemathesis", "case.meta.phase.data.mutations[].keywords no longer name a keyword"
    )
