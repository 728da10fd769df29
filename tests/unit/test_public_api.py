"""The public API is what __init__ exports; this guards it against accidental change."""

from __future__ import annotations

import harness
import harness.contract


def test_top_level_exports() -> None:
    assert set(harness.__all__) == {
        "CheckFailure",
        "Contract",
        "ContractError",
        "HarnessError",
        "Location",
        "Problem",
        "RunResult",
        "TransportError",
        "UsageError",
        "WebhookKit",
        "__version__",
        "check",
        "load_contract",
        "running_sandbox",
    }
    for name in harness.__all__:
        assert getattr(harness, name) is not None


def test_check_failure_is_an_assertion_error() -> None:
    # pytest and Allure show AssertionErrors as "failed" and anything else as "broken".
    assert issubclass(harness.CheckFailure, AssertionError)
    assert not issubclass(harness.ContractError, AssertionError)


def test_contract_package_exports_loader_and_schema() -> None:
    schema = harness.contract.format_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert callable(harness.contract.load_contract)


def test_lazy_exports_are_the_contract_packages_own() -> None:
    # harness/__init__ loads the contract package on first use (pytest imports harness in
    # every project where it is installed); the names must still be the real objects.
    assert harness.load_contract is harness.contract.load_contract
    assert harness.Contract is harness.contract.Contract


def test_the_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    assert harness.__version__ == version("harness")
