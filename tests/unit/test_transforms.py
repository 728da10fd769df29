"""Transforms: round trips for exact ones, idempotence for normalisers, and the error texts."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import harness.mapping
from harness.mapping import (
    MISSING,
    TRANSFORM_NAMES,
    Transform,
    TransformError,
    TransformSpecError,
    build_transform,
)
from harness.mapping.money import CURRENCY_EXPONENTS

bounded = settings(max_examples=50, deadline=None)

offsets = st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
SEPARATORS = [" ", ",", " - ", "|"]


def round_trips(transform: Transform, value: Any) -> bool:
    return bool(transform.backward(transform.forward(value)) == value)


def test_public_api_is_guarded() -> None:
    assert set(harness.mapping.__all__) == {
        "FIELD_KEYS",
        "MISSING",
        "TRANSFORM_NAMES",
        "FieldPath",
        "PathError",
        "Transform",
        "TransformError",
        "TransformSpecError",
        "build_transform",
        "get_path",
        "parse_path",
        "set_path",
    }


SPECS: list[dict[str, Any]] = [
    {"transform": "direct"},
    {"transform": "iso8601"},
    {"transform": "date"},
    {"transform": "epoch_s"},
    {"transform": "epoch_ms"},
    {"transform": "upper"},
    {"transform": "lower"},
    {"transform": "trim"},
    {"transform": "enum", "values": {"active": "A", "closed": "C"}},
    {"transform": "bool_string"},
    {"transform": "money", "currency": "USD"},
    {"transform": "money", "currency": "JPY", "ours_unit": "major"},
    {"transform": "join", "separator": " "},
    {"transform": "split", "separator": ","},
    {"transform": "concat", "separator": "-"},
    {"transform": "default", "value": "N/A"},
    {"transform": "constant", "value": 1},
    {"transform": "format", "format": "%05d"},
    {"transform": "format", "format": "{:.2f}"},
    {"python": "json:dumps", "inverse": "json:loads"},
]


def test_every_transform_name_has_a_spec_here() -> None:
    assert {spec.get("transform", "python") for spec in SPECS} == TRANSFORM_NAMES


@pytest.mark.parametrize("spec", SPECS, ids=json.dumps)
@bounded
@given(value=junk)
def test_any_input_transforms_or_raises_transform_error(spec: dict[str, Any], value: Any) -> None:
    transform = build_transform(spec)
    assert isinstance(transform, Transform)
    for direction in (transform.forward, transform.backward):
        try:
            direction(value)
        except TransformError as exc:
            message = str(exc)
        else:
            continue
        assert message.startswith(f"{transform.name}: ")


@bounded
@given(value=json_values)
def test_direct_round_trips(value: Any) -> None:
    assert round_trips(build_transform({"transform": "direct"}), value)


# --- iso8601, date, epoch --------------------------------------------------------------------


@bounded
@given(moment=aware_datetimes)
def test_iso8601_round_trips_with_the_same_offset(moment: datetime) -> None:
    iso = build_transform({"transform": "iso8601"})
    back = iso.backward(iso.forward(moment))
    assert back == moment
    assert back.utcoffset() == moment.utcoffset()


@bounded
@given(moment=aware_datetimes)
def test_iso8601_text_is_canonical(moment: datetime) -> None:
    iso = build_transform({"transform": "iso8601"})
    text = iso.forward(moment)
    assert iso.forward(iso.backward(text)) == text
    assert iso.forward(text) == text


@bounded
@given(moment=st.datetimes())
def test_iso8601_rejects_naive_datetimes(moment: datetime) -> None:
    iso = build_transform({"transform": "iso8601"})
    for value in (moment, moment.isoformat()):
        for direction in (iso.forward, iso.backward):
            with pytest.raises(TransformError, match="has no UTC offset"):
                direction(value)


def test_iso8601_keeps_plus_0530() -> None:
    iso = build_transform({"transform": "iso8601"})
    ist = timezone(timedelta(hours=5, minutes=30))
    assert iso.forward(datetime(2026, 3, 1, 10, tzinfo=ist)) == "2026-03-01T10:00:00+05:30"
    assert iso.forward("2026-03-01T10:00:00+05:30") == "2026-03-01T10:00:00+05:30"
    back = iso.backward("2026-03-01T10:00:00+05:30")
    assert back.utcoffset() == timedelta(hours=5, minutes=30)
    assert iso.backward("2026-03-01T04:30:00Z") == back  # same instant, other offset
    assert iso.forward(iso.backward("2026-03-01T04:30:00Z")) == "2026-03-01T04:30:00+00:00"


def test_iso8601_naive_message() -> None:
    iso = build_transform({"transform": "iso8601"})
    with pytest.raises(TransformError) as caught:
        iso.forward("2026-03-01T10:00:00")
    assert str(caught.value) == (
        "iso8601: 2026-03-01T10:00:00 has no UTC offset; "
        "naive datetimes are rejected (add Z or +HH:MM)"
    )


def test_iso8601_rejects_sub_minute_offsets_and_garbage() -> None:
    iso = build_transform({"transform": "iso8601"})
    lmt = timezone(timedelta(hours=5, minutes=53, seconds=28))
    with pytest.raises(TransformError, match=r"offset with seconds; ISO 8601 offsets are ±HH:MM"):
        iso.forward(datetime(1850, 1, 1, tzinfo=lmt))
    with pytest.raises(TransformError, match=r"'yesterday' is not an ISO 8601 date-time"):
        iso.backward("yesterday")


@bounded
@given(day=st.dates())
def test_date_round_trips(day: date) -> None:
    transform = build_transform({"transform": "date"})
    assert round_trips(transform, day)
    text = transform.forward(day)
    assert len(text) == 10
    assert transform.forward(transform.backward(text)) == text


@bounded
@given(moment=st.datetimes())
def test_date_rejects_datetimes(moment: datetime) -> None:
    with pytest.raises(TransformError, match="is a datetime, not a date"):
        build_transform({"transform": "date"}).forward(moment)


@pytest.mark.parametrize("text", ["2026-02-30", "20260301", "2026-3-1", "2026-W09-1"])
def test_date_rejects_bad_text(text: str) -> None:
    with pytest.raises(TransformError, match="date"):
        build_transform({"transform": "date"}).backward(text)


@pytest.mark.parametrize(("name", "unit"), [("epoch_s", 1_000_000), ("epoch_ms", 1_000)])
@bounded
@given(moment=aware_datetimes)
def test_epoch_floors_to_its_unit(name: str, unit: int, moment: datetime) -> None:
    epoch = build_transform({"transform": name})
    assert epoch.lossy
    back = epoch.backward(epoch.forward(moment))
    assert back.utcoffset() == timedelta(0)
    assert back <= moment < back + timedelta(microseconds=unit)


@pytest.mark.parametrize("name", ["epoch_s", "epoch_ms"])
@bounded
@given(moment=aware_datetimes.map(lambda moment: moment.replace(microsecond=0)))
def test_epoch_declared_exact_round_trips_whole_seconds(name: str, moment: datetime) -> None:
    epoch = build_transform({"transform": name, "lossy": False})
    assert not epoch.lossy
    assert round_trips(epoch, moment)


@bounded
@given(moment=aware_datetimes.filter(lambda moment: moment.microsecond != 0))
def test_epoch_s_declared_exact_rejects_sub_seconds(moment: datetime) -> None:
    with pytest.raises(TransformError, match="declared lossy: false"):
        build_transform({"transform": "epoch_s", "lossy": False}).forward(moment)


def test_epoch_examples() -> None:
    epoch_s = build_transform({"transform": "epoch_s"})
    epoch_ms = build_transform({"transform": "epoch_ms"})
    moment = datetime(2026, 3, 1, 10, 0, 0, 999_999, tzinfo=UTC)
    assert epoch_s.forward(moment) == 1_772_359_200
    assert epoch_ms.forward(moment) == 1_772_359_200_999
    assert epoch_s.forward(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == -1
    assert epoch_s.backward(0) == datetime(1970, 1, 1, tzinfo=UTC)
    with pytest.raises(TransformError, match="outside the datetime range"):
        epoch_s.backward(10**15)
    with pytest.raises(TransformError, match="expected an integer count"):
        epoch_s.backward(True)


# --- upper, lower, trim ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["upper", "lower", "trim"])
@bounded
@given(text=st.text())
def test_text_normals_are_idempotent(name: str, text: str) -> None:
    transform = build_transform({"transform": name})
    assert transform.lossy
    normal = transform.forward(text)
    assert transform.forward(normal) == normal
    assert transform.forward(transform.backward(normal)) == normal


@pytest.mark.parametrize("name", ["upper", "lower", "trim"])
@bounded
@given(value=junk.filter(lambda value: not isinstance(value, str)))
def test_text_normals_reject_non_strings(name: str, value: Any) -> None:
    with pytest.raises(TransformError, match="expected a string"):
        build_transform({"transform": name}).forward(value)


def test_upper_declared_exact_checks_the_data() -> None:
    upper = build_transform({"transform": "upper", "lossy": False})
    assert upper.forward("ACME") == "ACME"
    with pytest.raises(TransformError) as caught:
        upper.forward("Acme")
    assert str(caught.value) == (
        "upper: 'Acme' does not survive the round trip (it comes back as 'ACME') "
        "and the mapping is declared lossy: false"
    )


# --- enum, bool_string -----------------------------------------------------------------------

scalars = st.text(max_size=8) | st.integers()
tables = st.lists(
    st.tuples(scalars, scalars),
    min_size=1,
    max_size=8,
    unique_by=(
        lambda pair: (type(pair[0]), pair[0]),
        lambda pair: (type(pair[1]), pair[1]),
    ),
).map(dict)


@bounded
@given(table=tables, data=st.data())
def test_enum_round_trips_both_ways(table: dict[Any, Any], data: st.DataObject) -> None:
    enum = build_transform({"transform": "enum", "values": table})
    ours = data.draw(st.sampled_from(sorted(table, key=repr)))
    assert enum.forward(ours) == table[ours]
    assert round_trips(enum, ours)
    assert enum.forward(enum.backward(table[ours])) == table[ours]


@bounded
@given(table=tables, value=scalars)
def test_enum_rejects_values_outside_the_table(table: dict[Any, Any], value: Any) -> None:
    assume(value not in table)
    with pytest.raises(TransformError, match="has no counterpart in theirs; known ours values"):
        build_transform({"transform": "enum", "values": table}).forward(value)


def test_enum_no_counterpart_message() -> None:
    enum = build_transform({"transform": "enum", "values": {"active": "A", "closed": "C"}})
    with pytest.raises(TransformError) as forward:
        enum.forward("pending")
    assert str(forward.value) == (
        "enum: 'pending' has no counterpart in theirs; known ours values: 'active', 'closed'"
    )
    with pytest.raises(TransformError) as backward:
        enum.backward("X")
    assert str(backward.value) == (
        "enum: 'X' has no counterpart in ours; known theirs values: 'A', 'C'"
    )


def test_enum_tells_booleans_from_integers() -> None:
    enum = build_transform({"transform": "enum", "values": {1: "one", False: "no"}})
    with pytest.raises(TransformError):
        enum.forward(True)
    with pytest.raises(TransformError):
        enum.forward(0)


def test_enum_must_be_one_to_one() -> None:
    with pytest.raises(TransformSpecError) as caught:
        build_transform({"transform": "enum", "values": {"active": "A", "live": "A"}})
    assert caught.value.option == "values"
    assert str(caught.value) == (
        "enum: option 'values': not one-to-one: 'active' and 'live' both map to 'A', "
        "so backward could not choose"
    )


@pytest.mark.parametrize("values", [None, {}, ["A"]])
def test_enum_needs_a_table(values: Any) -> None:
    spec = {"transform": "enum"} if values is None else {"transform": "enum", "values": values}
    with pytest.raises(TransformSpecError, match="values"):
        build_transform(spec)


@bounded
@given(true=st.text(min_size=1), false=st.text(min_size=1), flag=st.booleans())
def test_bool_string_round_trips(true: str, false: str, flag: bool) -> None:
    assume(true != false)
    transform = build_transform(
        {"transform": "bool_string", "true_value": true, "false_value": false}
    )
    assert transform.forward(flag) == (true if flag else false)
    assert round_trips(transform, flag)


def test_bool_string_defaults_and_errors() -> None:
    yes_no = build_transform({"transform": "bool_string", "true_value": "yes", "false_value": "no"})
    assert (yes_no.forward(True), yes_no.backward("no")) == ("yes", False)
    y_n = build_transform({"transform": "bool_string"})
    assert (y_n.forward(True), y_n.forward(False)) == ("Y", "N")
    with pytest.raises(TransformError, match="'y' has no counterpart in ours"):
        y_n.backward("y")
    with pytest.raises(TransformSpecError, match="true_value and false_value are both 'Y'"):
        build_transform({"transform": "bool_string", "false_value": "Y"})
    with pytest.raises(TransformSpecError, match="expected a string, got True"):
        build_transform({"transform": "bool_string", "true_value": True})


# --- money -----------------------------------------------------------------------------------

currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))


@bounded
@given(currency=currencies, minor=st.integers(-(10**15), 10**15))
def test_money_minor_round_trips(currency: str, minor: int) -> None:
    money = build_transform({"transform": "money", "currency": currency})
    text = money.forward(minor)
    places = CURRENCY_EXPONENTS[currency]
    assert len(text.partition(".")[2]) == places
    assert round_trips(money, minor)
    assert money.backward(Decimal(text)) == minor


@bounded
@given(exponent=st.integers(0, 8), data=st.data())
def test_money_major_round_trips(exponent: int, data: st.DataObject) -> None:
    money = build_transform({"transform": "money", "exponent": exponent, "ours_unit": "major"})
    amount = data.draw(
        st.decimals(places=exponent, min_value=-(10**12), max_value=10**12, allow_nan=False)
    )
    assert isinstance(money.forward(amount), int)
    assert round_trips(money, amount)


@bounded
@given(currency=currencies, amount=st.floats(allow_nan=False))
def test_money_rejects_floats(currency: str, amount: float) -> None:
    with pytest.raises(TransformError, match="is a float"):
        build_transform({"transform": "money", "currency": currency}).backward(amount)


@pytest.mark.parametrize(
    ("currency", "minor", "major"),
    [("JPY", 1234, "1234"), ("USD", 1234, "12.34"), ("BHD", 1234, "1.234"), ("USD", -5, "-0.05")],
)
def test_money_exponents(currency: str, minor: int, major: str) -> None:
    money = build_transform({"transform": "money", "currency": currency})
    assert money.forward(minor) == major
    assert money.backward(major) == minor
    reversed_money = build_transform(
        {"transform": "money", "currency": currency, "ours_unit": "major"}
    )
    assert reversed_money.forward(Decimal(major)) == minor
    assert reversed_money.backward(minor) == Decimal(major)


def test_money_refuses_to_round() -> None:
    usd = build_transform({"transform": "money", "currency": "USD"})
    assert usd.backward("12.3") == 1230
    assert usd.backward("12.340") == 1234
    assert usd.backward(12) == 1200
    with pytest.raises(TransformError) as caught:
        usd.backward("12.345")
    assert str(caught.value) == "money: '12.345' has more decimal places than USD allows (2)"
    with pytest.raises(TransformError, match=r"expected a decimal amount such as '12\.34'"):
        usd.backward("12,34")


def test_money_spec_errors() -> None:
    with pytest.raises(TransformSpecError) as caught:
        build_transform({"transform": "money", "currency": "USX"})
    assert str(caught.value) == (
        "money: option 'currency': unknown currency 'USX' (for one missing from the table, "
        "give exponent: N); did you mean 'USD'?"
    )
    assert (
        build_transform({"transform": "money", "currency": "XYZ", "exponent": 1}).forward(5)
        == "0.5"
    )
    with pytest.raises(TransformSpecError, match="needs 'currency'"):
        build_transform({"transform": "money"})
    with pytest.raises(TransformSpecError, match="expected 'minor' or 'major'"):
        build_transform({"transform": "money", "currency": "EUR", "ours_unit": "cents"})
    with pytest.raises(TransformSpecError, match="expected an integer, got True"):
        build_transform({"transform": "money", "exponent": True})


# --- join, split, concat ---------------------------------------------------------------------


@st.composite
def separated_parts(draw: st.DrawFn, *, count: int | None = None) -> tuple[str, tuple[str, ...]]:
    """A separator and parts of which only the last may contain it."""
    separator = draw(st.sampled_from(SEPARATORS))
    size = count if count is not None else draw(st.integers(1, 4))
    clean = st.text(max_size=6).filter(lambda part: separator not in part)
    parts = [draw(clean) for _ in range(size - 1)]
    return separator, (*parts, draw(st.text(max_size=6) if count else clean))


@bounded
@given(maxsplit=st.integers(1, 3), data=st.data())
def test_join_and_split_round_trip(maxsplit: int, data: st.DataObject) -> None:
    separator, parts = data.draw(separated_parts(count=maxsplit + 1))
    options = {"separator": separator, "maxsplit": maxsplit, "lossy": False}
    join = build_transform({"transform": "join", **options})
    split = build_transform({"transform": "split", **options})
    text = join.forward(list(parts))
    assert join.backward(text) == parts
    assert split.forward(text) == parts
    assert round_trips(split, text)


@bounded
@given(data=st.data())
def test_concat_with_a_separator_round_trips(data: st.DataObject) -> None:
    separator, parts = data.draw(separated_parts())
    concat = build_transform({"transform": "concat", "separator": separator, "lossy": False})
    assert round_trips(concat, parts)


def test_join_is_lossy_when_a_part_holds_the_separator() -> None:
    join = build_transform({"ours": ["first", "last"], "theirs": "full_name", "transform": "join"})
    assert join.lossy
    assert join.forward(("Mary Ann", "Smith")) == "Mary Ann Smith"
    assert join.backward("Mary Ann Smith") == ("Mary", "Ann Smith")
    exact = build_transform({"transform": "join", "lossy": False})
    with pytest.raises(TransformError, match="does not survive the round trip"):
        exact.forward(("Mary Ann", "Smith"))


def test_join_and_split_errors() -> None:
    join = build_transform({"transform": "join"})
    with pytest.raises(TransformError) as caught:
        join.backward("Cher")
    assert str(caught.value) == "join: 'Cher' has 1 part(s) separated by ' ', expected 2"
    with pytest.raises(TransformError, match="expected 2 parts, got 3"):
        join.forward(["a", "b", "c"])
    with pytest.raises(TransformError, match="parts must be strings, got 7 \\(int\\)"):
        join.forward(["a", 7])
    with pytest.raises(TransformSpecError, match="separator': must not be empty"):
        build_transform({"transform": "split", "separator": ""})
    with pytest.raises(TransformSpecError, match="expected an integer >= 1, got 0"):
        build_transform({"transform": "split", "maxsplit": 0})


def test_concat_without_a_separator_is_one_way() -> None:
    concat = build_transform({"transform": "concat"})
    assert concat.forward(["ab", "c"]) == "abc"
    with pytest.raises(TransformError, match="cannot be split back"):
        concat.backward("abc")
    with pytest.raises(TransformSpecError, match="cannot be declared lossy: false"):
        build_transform({"transform": "concat", "lossy": False})


# --- default, constant, format ---------------------------------------------------------------


@bounded
@given(fallback=json_values, value=json_values)
def test_default_fills_only_missing_values(fallback: Any, value: Any) -> None:
    default = build_transform({"transform": "default", "value": fallback})
    assert default.lossy
    assert default.forward(None) == fallback
    assert default.forward(MISSING) == fallback
    if value is not None:
        assert default.forward(value) == value
        assert round_trips(default, value)


@bounded
@given(constant=json_values, value=json_values)
def test_constant_is_one_way(constant: Any, value: Any) -> None:
    transform = build_transform({"transform": "constant", "value": constant})
    assert transform.forward(value) == constant
    with pytest.raises(TransformError, match="cannot be mapped back"):
        transform.backward(constant)


@bounded
@given(number=st.integers(-(10**6), 10**6))
def test_format_matches_python_formatting(number: int) -> None:
    printf = build_transform({"transform": "format", "format": "%05d"})
    braces = build_transform({"transform": "format", "format": "{:.2f}"})
    assert printf.forward(number) == f"{number:05d}"
    assert braces.forward(Decimal(number) / 8) == f"{Decimal(number) / 8:.2f}"
    with pytest.raises(TransformError, match="format patterns are one-way"):
        printf.backward(printf.forward(number))


@pytest.mark.parametrize("pattern", ["plain", "%d-%d", "{}{}", "{name}", "100%", "{", "%(x)s"])
def test_format_needs_exactly_one_positional_placeholder(pattern: str) -> None:
    with pytest.raises(TransformSpecError, match="option 'format'"):
        build_transform({"transform": "format", "format": pattern})


def test_format_bad_input_message() -> None:
    with pytest.raises(TransformError) as caught:
        build_transform({"transform": "format", "format": "%05d"}).forward("x")
    assert str(caught.value) == (
        "format: cannot format 'x' (str) with '%05d': %d format: a real number is required, not str"
    )


# --- python ----------------------------------------------------------------------------------


@bounded
@given(value=json_values)
def test_python_with_inverse_round_trips(value: Any) -> None:
    transform = build_transform({"python": "json:dumps", "inverse": "json:loads"})
    assert not transform.lossy
    assert transform.forward(value) == json.dumps(value)
    assert round_trips(transform, value)


def test_python_without_inverse_is_one_way() -> None:
    transform = build_transform({"transform": "python", "python": "builtins:str"})
    assert transform.lossy
    assert transform.forward(5) == "5"
    with pytest.raises(TransformError, match=r"builtins:str has no inverse.*\(add inverse:"):
        transform.backward("5")
    with pytest.raises(TransformSpecError, match="cannot be declared lossy: false"):
        build_transform({"python": "builtins:str", "lossy": False})


def test_python_wraps_the_users_exceptions() -> None:
    transform = build_transform({"python": "builtins:int"})
    with pytest.raises(TransformError) as caught:
        transform.forward("x")
    assert str(caught.value) == (
        "python: builtins:int raised ValueError: invalid literal for int() with base 10: 'x' "
        "(value: 'x')"
    )
    assert isinstance(caught.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("json", "is not a reference of the form 'package.module:function'"),
        ("no_such_pkg_zz.mod:f", "cannot import 'no_such_pkg_zz.mod'.*No module named"),
        ("json:dumpz", "'json' has no attribute 'dumpz'; did you mean"),
        ("json:__name__", "is not callable"),
    ],
)
def test_python_reference_errors(reference: str, message: str) -> None:
    with pytest.raises(TransformSpecError, match=message) as caught:
        build_transform({"python": reference})
    assert caught.value.option == "python"


def test_python_import_error_has_a_hint() -> None:
    with pytest.raises(TransformSpecError) as caught:
        build_transform({"python": "no_such_pkg_zz:f"})
    assert "pythonpath" in caught.value.hint


# --- the factory -----------------------------------------------------------------------------


def test_unknown_transform_suggests_the_closest() -> None:
    with pytest.raises(TransformSpecError) as caught:
        build_transform({"transform": "iso8610"})
    assert (
        str(caught.value)
        == "option 'transform': unknown transform 'iso8610'; did you mean 'iso8601'?"
    )
    with pytest.raises(TransformSpecError, match="known transforms: bool_string, concat"):
        build_transform({"transform": "zzz"})


def test_unknown_option_suggests_the_closest() -> None:
    with pytest.raises(TransformSpecError) as caught:
        build_transform({"transform": "join", "seperator": ","})
    assert (
        str(caught.value) == "join: option 'seperator': unknown option; did you mean 'separator'?"
    )
    assert (caught.value.transform, caught.value.option) == ("join", "seperator")


def test_field_keys_are_skipped_and_direct_is_the_default() -> None:
    field = {"ours": "id", "theirs": "external_id", "type": "string", "description": "x"}
    transform = build_transform(field)
    assert (transform.name, transform.lossy, transform.forward(7)) == ("direct", False, 7)
    assert build_transform({"transform": None, "lossy": None}) == transform


@pytest.mark.parametrize(
    "spec", [["direct"], "direct", {"transform": 7}, {"lossy": "no"}, {True: "Y"}]
)
def test_malformed_specs(spec: Any) -> None:
    with pytest.raises(TransformSpecError):
        build_transform(spec)


def test_declaring_an_exact_transform_lossy_only_relabels() -> None:
    iso = build_transform({"transform": "iso8601", "lossy": True})
    assert (iso.name, iso.lossy) == ("iso8601", True)
    assert iso.forward("2026-03-01T10:00:00Z") == "2026-03-01T10:00:00+00:00"


def test_errors_pickle() -> None:
    for error in (
        TransformError("money", "bad"),
        TransformSpecError("bad", transform="money", option="currency", hint="fix it"),
    ):
        assert str(pickle.loads(pickle.dumps(error))) == str(error)
