"""The contract loader: the acme-crm example, locations, variables, secrets, frozen model."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import ContractError, load_contract
from harness.contract.source import Positions, parse_yaml
from harness.contract.validation import PATTERNS, format_schema
from harness.contract.variables import Resolver

REPO = Path(__file__).resolve().parents[2]
ACME = REPO / "contracts" / "acme-crm"
ACME_TEXT = (ACME / "integration.yaml").read_text(encoding="utf-8")
SECRET = "s3cret-value-never-shown"
SECTIONS = [
    "pattern", "config", "auth", "api", "workflows", "mappings", "errors", "retry",
    "rate_limits", "webhooks", "health", "performance", "security", "maintenance", "support",
    "costs", "migration", "changelog",
]  # fmt: skip
MINIMAL = (
    'harness: 1\ninfo: {id: mini, name: Mini, version: "1.0"}\ntype: [rest]\nenvironments: {}\n'
)


def position_of(needle: str, text: str = ACME_TEXT) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle``."""
    index = text.index(needle)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def write_contract(folder: Path, text: str) -> Path:
    (folder / "integration.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def acme() -> Any:
    return load_contract(ACME, environ={"ACME_CLIENT_SECRET": SECRET})


def test_acme_loads_with_every_section(acme: Any) -> None:
    assert acme.id == "acme-crm"
    assert acme.format_version == 1
    assert [str(kind) for kind in acme.type] == ["rest", "webhook"]
    assert set(acme.environments) == {"local", "sandbox", "production"}
    for name in SECTIONS:
        assert getattr(acme, name), f"section {name} is empty"
    assert acme.document is not None
    assert "createContact" in acme.document.operations
    assert acme.arazzo is not None
    assert acme.arazzo["workflows"]


def test_nodes_carry_their_line_and_column(acme: Any) -> None:
    def at(loc: Any) -> tuple[int, int]:
        return loc.line, loc.column

    assert at(acme.info.loc) == position_of("id: acme-crm")
    assert at(acme.errors[1].loc) == position_of("code: ERR_002")
    assert acme.errors[1].loc.path == "$.errors[1]"
    assert at(acme.errors[0].trigger.loc) == position_of("{operation: createContact, body")
    assert at(acme.health.loc) == position_of("operation: getHealth")
    assert acme.mappings["deal"].loc.path == "$.mappings.deal"
    assert acme.mappings["deal"].loc.file.endswith("integration.yaml")


def test_variables_resolve_from_environ_or_default(acme: Any) -> None:
    assert acme.environments["sandbox"].base_url == "https://sandbox-api.acme.example/v1"
    assert acme.auth.client_id == "harness-local"
    assert acme.auth.client_secret.reveal() == SECRET

    overridden = load_contract(ACME, environ={"ACME_SANDBOX_URL": "https://sb.example"})
    assert overridden.environments["sandbox"].base_url == "https://sb.example"


def test_variables_inside_text_and_unset_ones() -> None:
    data = {"environments": {"s": {"base_url": "http://${HOST:-localhost}:${PORT}/v1"}}}
    positions = Positions("f.yaml", marks={(): (1, 1)})

    assert Resolver({"PORT": "8080"}, positions).resolve(data) == {
        "environments": {"s": {"base_url": "http://localhost:8080/v1"}}
    }
    resolver = Resolver({}, positions)
    assert resolver.resolve(data)["environments"]["s"]["base_url"] is None
    assert [(use.name, use.is_set) for use in resolver.uses] == [("HOST", True), ("PORT", False)]


def test_sandbox_needs_its_variables_and_names_them() -> None:
    with pytest.raises(ContractError) as caught:
        load_contract(ACME, environ={}, environment="sandbox")

    [problem] = [p for p in caught.value.problems if "ACME_CLIENT_SECRET" in p.message]
    where = (problem.location.line, problem.location.column)
    assert where == position_of('"${ACME_CLIENT_SECRET}"')
    assert problem.location.path == "$.auth.client_secret"
    assert "export ACME_CLIENT_SECRET=" in problem.hint


def test_local_needs_no_variables() -> None:
    contract = load_contract(ACME, environ={}, environment="local")

    assert not contract.auth.client_secret.is_set


def test_unknown_environment_is_an_error() -> None:
    with pytest.raises(ContractError, match="no environment 'staging'"):
        load_contract(ACME, environ={}, environment="staging")


def test_secret_value_is_never_shown(acme: Any) -> None:
    secret = acme.auth.client_secret

    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)
    assert SECRET not in repr(acme)
    assert str(secret) == "${ACME_CLIENT_SECRET}"


@pytest.mark.parametrize("written", ["hunter2-inline", "8675309"])
def test_secret_written_inline_is_not_echoed(tmp_path: Path, written: str) -> None:
    auth = f"auth: {{type: api-key, header: X-Key, key: {written}}}\n"

    with pytest.raises(ContractError) as caught:
        load_contract(write_contract(tmp_path, MINIMAL + auth), environ={})

    assert caught.value.problems[0].location.path == "$.auth.key"
    assert written not in str(caught.value)


def test_model_is_frozen(acme: Any) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        acme.info = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        acme.info.name = "Other"
    with pytest.raises(TypeError):
        acme.mappings["other"] = acme.mappings["contact"]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    text = MINIMAL.replace("type: [rest]", "type: [rest, webhok]") + "retry: {max_attempts: 0}\n"

    with pytest.raises(ContractError) as caught:
        load_contract(write_contract(tmp_path, text), environ={})

    assert [p.location.path for p in caught.value.problems] == ["$.type[1]", "$.retry.max_attempts"]


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    with pytest.raises(ContractError, match="nested more than 100 levels"):
        parse_yaml("a: " + "[" * 150 + "]" * 150 + "\n", "deep.yaml")


def test_lenient_parse_still_finds_positions() -> None:
    text = "paths:\n  /a: {get: 1}\n  /a: {get: 2}\n"
    with pytest.raises(ContractError, match="duplicate key '/a'"):
        parse_yaml(text, "openapi.yaml")

    positions = parse_yaml(text, "openapi.yaml", strict=False).positions

    assert positions.locate(("paths", "/a", "get")).line == 2


def test_every_schema_pattern_is_explained_in_words() -> None:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(format_schema())
    assert found <= set(PATTERNS), f"add to validation.PATTERNS: {found - set(PATTERNS)}"


YAML_ISH = st.text(
    alphabet=list(" \n\t:-?[]{},&*!|>'\"#%@`~.0123456789abcNOyes\\<=+x"), max_size=60
)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=200), YAML_ISH))
def test_parser_raises_only_contract_errors(text: str) -> None:
    try:
        source = parse_yaml(text, "fuzz.yaml")
    except ContractError as exc:
        problems = exc.problems
    else:
        json.dumps(source.data)  # what YAML gives is JSON data: no dates, no bytes, str keys
        return
    assert all(p.location.file == "fuzz.yaml" and p.message and p.hint for p in problems)


# Keys YAML 1.1 would not read as strings are the subject of other tests.
_NOT_STRINGS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda k: k not in _NOT_STRINGS)
TREES = st.recursive(
    st.integers(0, 999),
    lambda children: st.dictionaries(KEYS, children, min_size=1, max_size=4),
    max_leaves=20,
).filter(lambda tree: isinstance(tree, dict))

Where = dict[tuple[str | int, ...], tuple[int, int]]


def emit(tree: dict[str, Any], indent: int, lines: list[str], where: Where, path: tuple) -> None:
    """Block-style YAML, recording where each value starts (the oracle for positions)."""
    for key, value in tree.items():
        if isinstance(value, dict):
            lines.append(f"{' ' * indent}{key}:")
            where[(*path, key)] = (len(lines) + 1, indent + 3)  # its first key, next line
            emit(value, indent + 2, lines, where, (*path, key))
        else:
            lines.append(f"{' ' * indent}{key}: {value}")
            where[(*path, key)] = (len(lines), indent + len(key) + 3)


@settings(max_examples=100, deadline=None)
@given(TREES)
def test_positions_of_nested_mappings(tree: dict[str, Any]) -> None:
    lines: list[str] = []
    where: Where = {(): (1, 1)}
    emit(tree, 0, lines, where, ())

    source = parse_yaml("\n".join(lines) + "\n", "tree.yaml")

    assert source.data == tree
    assert source.positions.marks == where
