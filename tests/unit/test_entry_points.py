"""A project adds a signature scheme and a transform through entry points, without a fork.

Each test installs a tiny plugin the way pip would leave it: a module and a
``*.dist-info`` directory with ``entry_points.txt``, on ``sys.path`` (``importlib.metadata``
finds it there). Nothing is registered by hand and nothing needs resetting afterwards.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from harness.contract import load_contract
from harness.errors import ContractError, UsageError
from harness.mapping import build_transform
from harness.mapping.entity import spec_problems
from harness.webhooks import get_scheme, sign, verify

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"

PLUGIN = '''
"""An example plugin: a signature scheme and a transform a project keeps in its own package."""

import hashlib
import hmac
from dataclasses import dataclass

from harness.webhooks.base import VerificationError, VerificationReason, text_key


@dataclass(frozen=True)
class AcmeScheme:
    header: str = "X-Acme-Signature"
    name: str = "acme-v1"

    def sign(self, secret, body, *, msg_id, timestamp):
        digest = hmac.new(text_key(secret), body, hashlib.sha256).hexdigest()
        return {self.header: "v1=" + digest}

    def verify(self, secret, headers, body, *, now, tolerance_s):
        expected = self.sign(secret, body, msg_id="", timestamp=0)[self.header]
        if not hmac.compare_digest(headers.require(self.header), expected):
            raise VerificationError(VerificationReason.BAD_SIGNATURE, "no match", scheme=self.name)


@dataclass(frozen=True)
class Cents:
    """Whole units (ours) to cents (theirs); the options come from the field mapping."""

    exponent: int = 2
    name: str = "acme_cents"
    lossy: bool = False

    def forward(self, value):
        return round(value * 10**self.exponent)

    def backward(self, value):
        return value / 10**self.exponent


def broken_factory():
    raise RuntimeError("the plugin has a bug")


not_a_factory = 42
'''


def install(root: Path, monkeypatch: pytest.MonkeyPatch, entry_points: str) -> None:
    """Install the example plugin under ``root`` with ``entry_points`` as its metadata."""
    (root / "acme_hooks_plugin.py").write_text(PLUGIN)
    info = root / "acme_hooks_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-hooks-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delitem(sys.modules, "acme_hooks_plugin", raising=False)


GOOD = """
    [harness.signature_schemes]
    acme-v1 = acme_hooks_plugin:AcmeScheme

    [harness.transforms]
    acme_cents = acme_hooks_plugin:Cents
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "site").mkdir()
    install(tmp_path / "site", monkeypatch, GOOD)
    return tmp_path


def test_a_plugin_scheme_signs_and_verifies_by_name(plugin: Path) -> None:
    headers = sign("acme-v1", "s3cret", b'{"id": 1}')
    assert headers["X-Acme-Signature"].startswith("v1=")
    verify("acme-v1", "s3cret", headers, b'{"id": 1}')
    assert get_scheme("acme-v1", header="X-Other").sign("k", b"", msg_id="", timestamp=0)


def test_a_plugin_scheme_gets_option_checking_like_a_builtin(plugin: Path) -> None:
    with pytest.raises(UsageError, match=r"no option 'heder'.*did you mean 'header'"):
        get_scheme("acme-v1", heder="X")


def test_a_plugin_transform_is_built_by_name_with_its_options(plugin: Path) -> None:
    transform = build_transform({"transform": "acme_cents", "exponent": 3})
    assert transform.forward(1.5) == 1500
    assert transform.backward(1500) == 1.5


def test_an_unknown_name_lists_the_plugins_among_the_known(plugin: Path) -> None:
    with pytest.raises(UsageError, match=r"known schemes: .*acme-v1"):
        get_scheme("acme-v9")


def _acme_with(tmp_path: Path, scheme: str, transform: str) -> Path:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy)
    contract = copy / "integration.yaml"
    text = contract.read_text()
    text = text.replace("scheme: standard-webhooks", f"scheme: {scheme}")
    text = text.replace("theirs: email, transform: lower", f"theirs: email, transform: {transform}")
    contract.write_text(text)
    return contract


def test_a_contract_naming_plugins_loads_and_builds(plugin: Path) -> None:
    contract = load_contract(_acme_with(plugin, "acme-v1", "acme_cents"), environ={})
    assert contract.webhooks is not None
    assert contract.webhooks.signature is not None
    assert contract.webhooks.signature.scheme == "acme-v1"
    assert spec_problems(contract) == []


def test_without_the_plugin_the_same_contract_is_rejected_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as caught:
        load_contract(_acme_with(tmp_path, "acme-v1", "acme_cents"), environ={})
    text = str(caught.value)
    assert "acme-v1" in text
    assert "acme_cents" in text


@pytest.mark.parametrize(
    ("entry_point", "call", "expected"),
    [
        (
            "[harness.signature_schemes]\nacme-v1 = acme_hooks_plugin:Missing",
            lambda: get_scheme("acme-v1"),
            r"entry point 'acme-v1' = 'acme_hooks_plugin:Missing' \(harness.signature_schemes "
            r"from acme-hooks-plugin\) failed to load: AttributeError",
        ),
        (
            "[harness.signature_schemes]\nacme-v1 = no_such_module_anywhere:Scheme",
            lambda: get_scheme("acme-v1"),
            r"entry point 'acme-v1' .* failed to load: ModuleNotFoundError",
        ),
        (
            "[harness.signature_schemes]\nacme-v1 = acme_hooks_plugin:not_a_factory",
            lambda: get_scheme("acme-v1"),
            r"entry point 'acme-v1' .*: expected a SignatureScheme factory, got int",
        ),
        (
            "[harness.signature_schemes]\nacme-v1 = acme_hooks_plugin:broken_factory",
            lambda: get_scheme("acme-v1"),
            r"entry point 'acme-v1' .*: raised RuntimeError: the plugin has a bug",
        ),
        (
            "[harness.signature_schemes]\nacme-v1 = acme_hooks_plugin:Cents",
            lambda: get_scheme("acme-v1"),
            r"entry point 'acme-v1' .*: returned Cents, not a SignatureScheme",
        ),
        (
            "[harness.transforms]\nacme_cents = acme_hooks_plugin:broken_factory",
            lambda: build_transform({"transform": "acme_cents"}),
            r"entry point 'acme_cents' .*: raised RuntimeError: the plugin has a bug",
        ),
        (
            "[harness.transforms]\nacme_cents = acme_hooks_plugin:AcmeScheme",
            lambda: build_transform({"transform": "acme_cents"}),
            r"entry point 'acme_cents' .*: returned AcmeScheme\(.*\), not a Transform",
        ),
        (
            "[harness.transforms]\nacme_cents = acme_hooks_plugin:Nowhere",
            lambda: build_transform({"transform": "acme_cents"}),
            r"entry point 'acme_cents' .* failed to load: AttributeError",
        ),
    ],
    ids=[
        "scheme-missing-attribute",
        "scheme-missing-module",
        "scheme-not-callable",
        "scheme-factory-raises",
        "scheme-wrong-type",
        "transform-factory-raises",
        "transform-wrong-type",
        "transform-missing-attribute",
    ],
)
def test_a_bad_plugin_is_a_usage_error_naming_its_entry_point(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry_point: str,
    call: object,
    expected: str,
) -> None:
    (tmp_path / "site").mkdir()
    install(tmp_path / "site", monkeypatch, entry_point)
    assert callable(call)
    with pytest.raises(UsageError, match=expected) as caught:
        call()
    error = caught.value  # the plugin's own traceback is not chained onto the message
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
