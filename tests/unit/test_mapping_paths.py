"""Field paths: set-then-get round trips, element-wise arrays, and the error texts."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.mapping import (
    MISSING,
    FieldPath,
    PathError,
    TransformSpecError,
    get_path,
    parse_path,
    set_path,
)
from harness.mapping.paths import EACH, Step

bounded = settings(max_examples=50, deadline=None)

keys = st.text(alphabet=string.ascii_letters + string.digits + "_-$ ", min_size=1, max_size=5)
leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=12,
)


def render(steps: list[Step]) -> str:
    text = ""
    for step in steps:
        if isinstance(step, str):
            text += f".{step}" if text else step
        else:
            text += "[]" if step is EACH else f"[{step}]"
    return text


@st.composite
def paths_with_values(draw: st.DrawFn) -> tuple[list[Step], Any]:
    """A path from the root of a dict, and a value shaped for it (one list level per [])."""
    tail = draw(st.lists(keys | st.just(EACH) | st.just(0), max_size=5))
    steps: list[Step] = [draw(keys), *tail]
    value: st.SearchStrategy[Any] = leaves
    for step in reversed(steps):
        if step is EACH:
            value = st.lists(value, max_size=3)
    return steps, draw(value)


@bounded
@given(case=paths_with_values())
def test_set_then_get_round_trips(case: tuple[list[Step], Any]) -> None:
    steps, value = case
    text = render(steps)
    assert parse_path(text) == FieldPath(text=text, steps=tuple(steps))
    payload: dict[str, Any] = {}
    set_path(payload, text, value)
    assert get_path(payload, text) == value
    assert get_path(payload, parse_path(text)) == value


@bounded
@given(payload=json_values, case=paths_with_values(), default=st.sampled_from([None, MISSING]))
def test_get_returns_or_raises_path_error(
    payload: Any, case: tuple[list[Step], Any], default: Any
) -> None:
    text = render(case[0])
    for options in ({}, {"default": default}):
        try:
            get_path(payload, text, **options)
        except PathError as exc:
            message = str(exc)
        else:
            continue
        assert message.startswith(f"{text}: ")


@bounded
@given(text=st.text(alphabet="ab.[]0", max_size=8))
def test_parse_accepts_or_raises_spec_error(text: str) -> None:
    try:
        parsed = parse_path(text)
    except TransformSpecError:
        return
    assert parsed.steps
    assert parse_path(render(list(parsed.steps))).steps == parsed.steps


ORDER = {
    "id": "o-1",
    "address": {"city": "Paris", "zip": None},
    "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2"}],
    "matrix": [[1, 2], [3]],
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("id", "o-1"),
        ("address.city", "Paris"),
        ("items[].sku", ["A-1", "B-2"]),
        ("items[1].sku", "B-2"),
        ("items", ORDER["items"]),
        ("matrix[][]", [[1, 2], [3]]),
        ("matrix[0][1]", 2),
    ],
)
def test_get_examples(path: str, expected: Any) -> None:
    assert get_path(ORDER, path) == expected


def test_get_on_a_top_level_list() -> None:
    assert get_path([{"sku": "A"}, {"sku": "B"}], "[].sku") == ["A", "B"]


def test_get_with_a_default() -> None:
    assert get_path(ORDER, "items[].qty", default=MISSING) == [2, MISSING]
    assert get_path(ORDER, "address.zip.code", default=None) is None
    assert get_path(ORDER, "items[5].sku", default="none") == "none"
    assert get_path(ORDER, "address.zip") is None  # an explicit null is a value, not missing


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("items[].qty", "items[].qty: no key 'qty' at items[1] (keys: 'sku')"),
        ("name", "name: no key 'name' at the top level (keys: 'id', 'address', 'items', 'matrix')"),
        (
            "address.city.name",
            "address.city.name: expected a mapping at address.city, got 'Paris' (str)",
        ),
        ("address[]", "address[]: expected a list at address, got dict"),
        ("items[2]", "items[2]: index 2 is past the end of items (2 items)"),
        (
            "address.zip.code",
            "address.zip.code: expected a mapping at address.zip, got None (NoneType)",
        ),
    ],
)
def test_get_errors(path: str, message: str) -> None:
    with pytest.raises(PathError) as caught:
        get_path(ORDER, path)
    assert str(caught.value) == message
    assert caught.value.path == path


@pytest.mark.parametrize(
    "path", ["", "a..b", ".a", "a.", "a[x]", "a[", "a]", "a.[]", "a[-1]", "[0]x", "a[]b"]
)
def test_bad_paths_are_spec_errors(path: str) -> None:
    with pytest.raises(TransformSpecError, match="path"):
        parse_path(path)


def test_bad_path_message() -> None:
    with pytest.raises(TransformSpecError) as caught:
        parse_path("items[x].sku")
    assert str(caught.value) == (
        "bad path 'items[x].sku': segment 'items[x]' is not 'key', 'key[]' or 'key[N]'; "
        "keys may not be empty or contain '.', '[' or ']'"
    )


def test_set_builds_nested_dicts_and_lists() -> None:
    payload: dict[str, Any] = {}
    set_path(payload, "address.city", "Paris")
    set_path(payload, "items[].sku", ["A-1", "B-2"])
    set_path(payload, "items[].qty", [2, 1])
    set_path(payload, "lines[0].amount", "12.34")
    set_path(payload, "lines[1].amount", "1.00")
    set_path(payload, "tags[]", ["x"])
    assert payload == {
        "address": {"city": "Paris"},
        "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}],
        "lines": [{"amount": "12.34"}, {"amount": "1.00"}],
        "tags": ["x"],
    }


def test_set_errors() -> None:
    payload: dict[str, Any] = {"items": [{"sku": "A"}], "name": "x", "lines": []}
    with pytest.raises(PathError, match=r"^items\[\]\.sku: 2 values for the 1 elements of items$"):
        set_path(payload, "items[].sku", ["A", "B"])
    with pytest.raises(PathError, match=r"expected a list of values for items\[\], got 'A'"):
        set_path(payload, "items[].sku", "A")
    with pytest.raises(PathError, match="expected a mapping at name, got 'x'"):
        set_path(payload, "name.first", "Ada")
    with pytest.raises(PathError, match=r"cannot write index 3 of lines \(0 items\)"):
        set_path(payload, "lines[3]", 1)
