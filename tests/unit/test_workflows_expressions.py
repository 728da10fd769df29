"""Arazzo runtime expressions, conditions and the JSONPath subset (harness.workflows)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.workflows.conditions import ConditionSyntaxError, Trace, holds, parse, select
from harness.workflows.expressions import Message, Scope, Unresolved, evaluate, resolve


def _scope() -> Scope:
    return Scope(
        inputs={"email": "Ada@Example.com", "customer": {"name": "Ada"}},
        steps={"create": {"id": "ct_1"}},
        url="http://127.0.0.1/contacts",
        method="POST",
        status=201,
        request=Message(headers={"x-api-version": "1.0"}, body={"a": 1}, query={"q": "x"}),
        response=Message(
            headers={"location": "/contacts/ct_1"},
            body={"external_id": "ct_1", "a/b": {"~x": [10, 20]}, "data": [{"s": "OPEN"}]},
        ),
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$statusCode", 201),
        ("$url", "http://127.0.0.1/contacts"),
        ("$method", "POST"),
        ("$inputs.email", "Ada@Example.com"),
        ("$inputs.customer.name", "Ada"),
        ("$inputs.customer#/name", "Ada"),
        ("$steps.create.outputs.id", "ct_1"),
        ("$response.body#/external_id", "ct_1"),
        ("$response.body#/a~1b/~0x/1", 20),
        ("$response.body#/data/0/s", "OPEN"),
        ("$response.header.Location", "/contacts/ct_1"),
        ("$request.header.X-API-Version", "1.0"),
        ("$request.query.q", "x"),
        ("$request.body#/a", 1),
    ],
)
def test_expressions_read_the_scope(expression: str, expected: Any) -> None:
    assert evaluate(expression, _scope()) == expected


@pytest.mark.parametrize(
    ("expression", "missing"),
    [
        ("$inputs.phone", "no input 'phone'"),
        ("$steps.update.outputs.id", "step 'update' has not run"),
        ("$steps.create.outputs.name", "no output of 'create' 'name'"),
        ("$response.body#/email", "nothing at '/email'"),
        ("$response.header.Retry-After", "no header 'Retry-After'"),
        ("$components.inputs.x", "does not know the runtime expression source"),
    ],
)
def test_an_expression_that_names_nothing_says_what_is_missing(
    expression: str, missing: str
) -> None:
    with pytest.raises(Unresolved) as caught:
        evaluate(expression, _scope())
    assert missing in str(caught.value)
    assert caught.value.expression == expression


def test_resolve_keeps_types_and_fills_embedded_expressions() -> None:
    payload = {
        "id": "$steps.create.outputs.id",
        "status": "$statusCode",
        "note": "created {$steps.create.outputs.id} for {$inputs.customer.name}",
        "items": ["$inputs.customer", 3, None],
    }
    assert resolve(payload, _scope()) == {
        "id": "ct_1",
        "status": 201,
        "note": "created ct_1 for Ada",
        "items": [{"name": "Ada"}, 3, None],
    }


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(alphabet="abc {}"),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3)))  # fmt: skip
def test_resolve_leaves_values_without_expressions_unchanged(value: Any) -> None:
    assert resolve(value, _scope()) == value


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("$statusCode == 201", True),
        ("$statusCode == 200", False),
        ("$statusCode != 200 && $statusCode < 300", True),
        ("$statusCode >= 500 || $response.body#/external_id == 'CT_1'", True),  # case-insensitive
        ("!($statusCode == 201)", False),
        ("$response.body#/email == $inputs.email", False),  # a missing operand: false
        ("$inputs.email == 'ada@example.com'", True),
        ("$response.body#/a~1b/~0x/0 > 9.5", True),
        ("$response.body#/data/0/s", True),
        ("$statusCode == '201'", True),  # numeric text meets a number
        ("$inputs.customer == null", False),
        ("true && !false", True),
    ],
)
def test_simple_conditions(condition: str, expected: bool) -> None:
    scope = _scope()
    assert holds(parse(condition), lambda text: evaluate(text, scope)) is expected


def test_a_trace_names_the_operands_seen_and_missing() -> None:
    scope = _scope()
    trace = Trace()
    condition = parse("$statusCode == 200 && $response.body#/email == 'x'")
    assert not holds(condition, lambda text: evaluate(text, scope), trace)
    assert trace.describe() == "$statusCode = 201"
    trace = Trace()
    assert not holds(parse("$response.body#/email == 'x'"), lambda t: evaluate(t, scope), trace)
    assert "$response.body#/email: nothing at '/email'" in trace.describe()


@pytest.mark.parametrize("condition", ["$statusCode ==", "($statusCode == 1", "a == b", "== 1"])
def test_unreadable_conditions_are_refused_with_their_text(condition: str) -> None:
    with pytest.raises(ConditionSyntaxError, match=r"statusCode|ends|unexpected|cannot"):
        parse(condition)


DEALS = {
    "data": [
        {"currency": "GBP", "status": "OPEN", "amount": 5, "owner": {"id": "u1"}},
        {"currency": "EUR", "status": "OPEN", "amount": 7},
        {"currency": "GBP", "status": "CLOSED_WON", "amount": 9},
    ],
    "total": 3,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.total", [3]),
        ("$['total']", [3]),
        ("$.data[1].currency", ["EUR"]),
        ("$.data[-1].amount", [9]),
        ("$.data[*].amount", [5, 7, 9]),
        ("$..id", ["u1"]),
        ("$.data[?(@.currency == 'GBP' && @.status == 'OPEN')].amount", [5]),
        ("$.data[?(@.amount > 6)].currency", ["EUR", "GBP"]),
        ("$.data[?(@.owner.id == 'u1')].amount", [5]),
        ("$.data[?(@.currency == 'USD')]", []),
        ("$.missing", []),
    ],
)
def test_jsonpath_subset(path: str, expected: list[Any]) -> None:
    assert select(path, DEALS) == expected


@pytest.mark.parametrize("path", ["data[0]", "$.data[0:2]", "$.data[?(@.a ==)]"])
def test_jsonpath_beyond_the_subset_is_refused(path: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        select(path, DEALS)
