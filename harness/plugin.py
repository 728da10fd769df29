"""The pytest plugin: collects ``integration.yaml`` files into one item per contract claim.

Registered through the ``pytest11`` entry point. Hooks only wire stages: the contract
loader, the check families (``harness.checks``), the runner and the results writer.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness import __version__
from harness.checks import plan_checks
from harness.checks.base import Check, Mode, RunSettings
from harness.contract import CONTRACT_FILE, Contract, load_contract
from harness.errors import CheckFailure, ContractError, HarnessError
from harness.options import OPTIONS, settings_from
from harness.results import CheckResult, Family, Outcome
from harness.results_writer import ResultsWriter
from harness.runner import ContractRun, run_check
from harness.sandbox import running_sandbox
from harness.transports.client import HarnessClient

SETTINGS = pytest.StashKey[RunSettings]()
RUNS = pytest.StashKey[dict[str, ContractRun]]()
RESULT_KEY = "harness_result"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "harness: integration contract checks")
    for option in OPTIONS:
        option.register(group, parser)
    parser.addini("harness_contract", help="contract folder for the harness_* fixtures")


def pytest_configure(config: pytest.Config) -> None:
    for family in Family:
        config.addinivalue_line("markers", f"harness_{family}: harness checks of family {family}")
    config.addinivalue_line("markers", "harness_contract(path): contract for harness_* fixtures")
    worker = getattr(config, "workerinput", None)
    seed = worker.get("harness_seed") if worker else None
    settings = settings_from(config, seed=seed, fresh_seed=random.SystemRandom().randrange(2**31))
    config.stash[SETTINGS] = settings
    config.stash[RUNS] = {}
    if worker is None:
        config.pluginmanager.register(ResultsWriter(settings), "harness-results")


def pytest_report_header(config: pytest.Config) -> str:
    settings = config.stash[SETTINGS]
    families = ", ".join(sorted(settings.families)) or "all"
    return (
        f"harness {__version__}: env={settings.environment} mode={settings.mode} "
        f"families={families} examples={settings.examples} seed={settings.seed}"
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker generates from the controller's seed."""
    node.workerinput["harness_seed"] = node.config.stash[SETTINGS].seed


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name == CONTRACT_FILE:
        return ContractFile.from_parent(parent, path=file_path)
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    for run in config.stash.get(RUNS, {}).values():
        run.close()


@pytest.fixture
def harness_contract(request: pytest.FixtureRequest) -> Contract:
    """The contract named by ``@pytest.mark.harness_contract("contracts/x")`` or the ini key."""
    marker = request.node.get_closest_marker("harness_contract")
    folder = marker.args[0] if marker and marker.args else request.config.getini("harness_contract")
    if not folder:
        pytest.fail(
            "harness_contract: mark the test with @pytest.mark.harness_contract('contracts/<id>') "
            "or set harness_contract in the ini file",
            pytrace=False,
        )
    root = request.config.rootpath
    try:
        return load_contract(root / str(folder), environment="local")
    except ContractError as exc:
        pytest.fail(f"harness_contract: invalid contract:\n{exc}", pytrace=False)


@pytest.fixture
def harness_sandbox(harness_contract: Contract) -> Iterator[Any]:
    """A running local sandbox of the contract (fresh state; faults via ``.controls``)."""
    seed = 0
    with running_sandbox(harness_contract, seed=seed) as sandbox:
        yield sandbox


@pytest.fixture
def harness_client(harness_contract: Contract, harness_sandbox: Any) -> Iterator[Any]:
    """The contract-driven httpx client (auth, headers, retries) aimed at the sandbox."""
    client = HarnessClient(
        harness_contract,
        base_url=harness_sandbox.base_url,
        credentials=harness_sandbox.credentials,
        throttle=False,
    )
    with client:
        yield client


class ContractFile(pytest.File):
    """One contract: its families are the children, their checks the grandchildren."""

    def collect(self) -> Iterator[pytest.Collector]:
        settings = self.config.stash[SETTINGS]
        try:
            contract = load_contract(self.path, environment=settings.environment)
        except ContractError as exc:
            raise self.CollectError(f"invalid contract:\n{exc}") from None
        run = ContractRun(contract, settings)
        self.config.stash[RUNS][str(self.path)] = run
        by_family: dict[str, list[Check]] = {}
        for check in plan_checks(contract, settings.families):
            by_family.setdefault(str(check.family), []).append(check)
        for family, checks in by_family.items():
            yield FamilyNode.from_parent(self, name=family, run=run, checks=checks)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, self.CollectError):
            return str(excinfo.value.args[0])
        return str(super().repr_failure(excinfo))


class FamilyNode(pytest.Collector):
    def __init__(self, *, run: ContractRun, checks: list[Check], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.checks = checks
        self.add_marker(f"harness_{self.name}")

    def collect(self) -> Iterator[pytest.Item]:
        for check in self.checks:
            yield CheckItem.from_parent(self, name=check.name, run=self.run, check=check)


class CheckItem(pytest.Item):
    """One claim of the contract, run against the target."""

    def __init__(self, *, run: ContractRun, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.check = check

    @property
    def contract(self) -> Contract:
        return self.run.contract

    def setup(self) -> None:
        try:
            target = self.run.target()  # a target that is down errors here, not "failed"
        except HarnessError as exc:
            self._keep(self._result(Outcome.ERROR, str(exc)))
            pytest.fail(f"harness could not open the target: {exc}", pytrace=False)
        refusal = self.check.refusal(target, allow_protected=self.run.settings.allow_protected)
        if refusal:
            self._keep(self._result(Outcome.SKIPPED, f"not run: {refusal}"))
            pytest.skip(f"not run: {refusal}")

    def runtest(self) -> None:
        result = run_check(self.run, self.check, self.nodeid)
        self._keep(result)
        if result.outcome is Outcome.FAILED:
            raise CheckFailure(result.message)
        if result.outcome is Outcome.ERROR:
            raise HarnessError(result.message)
        if result.outcome is Outcome.SKIPPED:
            pytest.skip(result.message)

    def _result(self, outcome: Outcome, message: str) -> CheckResult:
        return CheckResult(
            id=self.nodeid,
            integration=self.contract.id,
            family=str(self.check.family),
            name=self.check.name,
            outcome=outcome,
            message=message,
            contract_line=str(self.check.loc),
        )

    def _keep(self, result: CheckResult) -> None:
        self.user_properties.append((RESULT_KEY, json.dumps(result.to_json(), default=str)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        error = excinfo.value
        if isinstance(error, CheckFailure):
            return f"{self.check.description}\n{error.message}"
        if isinstance(error, HarnessError):
            return f"harness could not run this check: {error}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, max(self.check.loc.line - 1, 0), f"{self.check.family}::{self.name}"


__all__ = ["RESULT_KEY", "CheckItem", "ContractFile", "FamilyNode", "Mode"]
