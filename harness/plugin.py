"""The pytest plugin: collects ``integration.yaml`` files into one item per contract claim.

Registered through the ``pytest11`` entry point. Hooks only wire stages: the contract
loader, the check families (``harness.checks``), the runner and the results writer.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness import __version__
from harness.discovery import is_contract
from harness.errors import CheckFailure, ContractError, HarnessError, UsageError
from harness.options import OPTIONS, budget_from, harness_requested, settings_from
from harness.results import CheckResult, Outcome
from harness.results_writer import RESULT_KEY, ResultsWriter

if TYPE_CHECKING:
    from harness.checks.base import Check
    from harness.contract import Contract
    from harness.retry import RetryVerdict
    from harness.runner import ContractRun
    from harness.settings import RunSettings
    from harness.transports.breaker import RunClock
    from harness.webhooks.kit import WebhookKit

# What makes pytest slow to start (Schemathesis, Hypothesis, the checks, the sandbox) is
# imported when harness is first used, never by the hooks every pytest run calls: pytest
# loads this plugin in every project where harness is installed.

SETTINGS = pytest.StashKey["RunSettings"]()
FRESH_SEED = pytest.StashKey[int]()
CHOSEN = pytest.StashKey[tuple[Path, ...]]()
RUNS = pytest.StashKey[dict[str, "ContractRun"]]()
HEADER_SHOWN = pytest.StashKey[bool]()
INCOMPLETE = (
    'harness: the run stopped before its end: results.json is marked "complete": false '
    "and no report was made from part of a run"
)
CLOCK: pytest.StashKey[RunClock] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "harness: integration contract checks")
    for option in OPTIONS:
        option.register(group, parser)
    parser.addini("harness_contract", help="contract folder for the harness_* fixtures")
    parser.addini("harness_history", help="run history file (default: <report dir>/history.sqlite)")
    parser.addini(
        "harness_contracts",
        type="paths",
        help="contract folders or files to collect even without a top-level 'harness:' key",
    )


def pytest_configure(config: pytest.Config) -> None:
    from harness.checks.registry import families  # noqa: PLC0415 - imports no family

    for name, family in families().items():
        config.addinivalue_line("markers", f"harness_{name}: {family.description}")
    config.addinivalue_line("markers", "harness_contract(path): contract for harness_* fixtures")
    config.stash[FRESH_SEED] = random.SystemRandom().randrange(2**31)
    config.stash[RUNS] = {}
    config.stash[CHOSEN] = _chosen_paths(config)
    if harness_requested(config):  # a bad --harness-* value: a usage error before collection
        run_settings(config)
    if getattr(config, "workerinput", None) is None:
        history = config.getini("harness_history") or None
        writer = ResultsWriter(lambda: run_settings(config), history=history, root=config.rootpath)
        config.pluginmanager.register(writer, "harness-results")


def run_settings(config: pytest.Config) -> RunSettings:
    """The run's settings, built on first use (it imports the checks: about a second)."""
    if SETTINGS not in config.stash:
        worker = getattr(config, "workerinput", None)
        seed = worker.get("harness_seed") if worker else None
        try:
            settings = settings_from(config, seed=seed, fresh_seed=config.stash[FRESH_SEED])
            budget = budget_from(config)
        except UsageError as exc:  # pytest's usage message, no traceback
            raise pytest.UsageError(str(exc)) from None
        from harness.transports.breaker import RunClock  # noqa: PLC0415 - lazy, see the top

        config.stash[CLOCK] = RunClock(budget)  # one deadline for every contract of the run
        config.stash[SETTINGS] = settings
    return config.stash[SETTINGS]


def _chosen_paths(config: pytest.Config) -> tuple[Path, ...]:
    """Files named on the command line, and the ``harness_contracts`` ini paths."""
    named = (config.invocation_params.dir / arg.split("::")[0] for arg in config.args)
    files = [path.resolve() for path in named if _is_file(path)]
    configured = [Path(path).resolve() for path in config.getini("harness_contracts")]
    return (*files, *configured)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system: not a file of ours
        return False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A check whose target cannot be opened errors in setup with the message, no traceback."""
    report = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(item, CheckItem) and call.when == "setup" and isinstance(error, HarnessError):
        report.longrepr = str(error)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On the controller: health, compliance, summary and HTML reports; Allure's extra files."""
    config = session.config
    if getattr(config, "workerinput", None) is not None:
        return
    writer = config.pluginmanager.get_plugin("harness-results")
    if isinstance(writer, ResultsWriter) and writer.results:
        stopped = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
        complete = not (stopped or session.shouldfail or session.shouldstop)
        writer.finish(complete=complete)
        if not complete:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line(INCOMPLETE, yellow=True)
        alluredir = config.getoption("allure_report_dir", None)
        if alluredir:
            from harness.reporting.allure_files import write_allure_files  # noqa: PLC0415

            write_allure_files(Path(alluredir), writer.environment_properties())


def pytest_report_header(config: pytest.Config) -> str | None:
    if SETTINGS not in config.stash:  # harness not in use (yet): see pytest_collection_finish
        return None
    config.stash[HEADER_SHOWN] = True
    return _header(config.stash[SETTINGS])


def pytest_collection_finish(session: pytest.Session) -> None:
    """The header, once contracts were collected without any --harness-* option."""
    config = session.config
    shown = config.stash.get(HEADER_SHOWN, False)
    if shown or SETTINGS not in config.stash or config.option.verbose < 0:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and any(isinstance(item, CheckItem) for item in session.items):
        reporter.write_line(_header(config.stash[SETTINGS]))


def _header(settings: RunSettings) -> str:
    families = ", ".join(sorted(settings.families)) or "all"
    return (
        f"harness {__version__}: env={settings.environment} mode={settings.mode} "
        f"families={families} examples={settings.examples} seed={settings.seed}"
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker generates from the controller's seed."""
    config = node.config
    settings = config.stash.get(SETTINGS, None)
    seed = settings.seed if settings is not None else config.stash[FRESH_SEED]
    node.workerinput["harness_seed"] = seed


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    chosen: tuple[Path, ...] = parent.config.stash[CHOSEN]
    if is_contract(file_path, chosen):
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
    from harness.contract import load_contract  # noqa: PLC0415 - lazy, see the top

    root = request.config.rootpath
    try:
        return load_contract(root / str(folder), environment="local")
    except ContractError as exc:
        pytest.fail(f"harness_contract: invalid contract:\n{exc}", pytrace=False)


@pytest.fixture
def harness_sandbox(harness_contract: Contract) -> Iterator[Any]:
    """A running local sandbox of the contract (fresh state; faults via ``.controls``)."""
    from harness.sandbox import running_sandbox  # noqa: PLC0415 - lazy, see the top

    seed = 0
    with running_sandbox(harness_contract, seed=seed) as sandbox:
        yield sandbox


@pytest.fixture
def harness_client(harness_contract: Contract, harness_sandbox: Any) -> Iterator[Any]:
    """The contract-driven httpx client (auth, headers, retries) aimed at the sandbox."""
    from harness.transports.client import HarnessClient  # noqa: PLC0415 - lazy, see the top

    client = HarnessClient(
        harness_contract,
        base_url=harness_sandbox.base_url,
        credentials=harness_sandbox.credentials,
        throttle=False,
    )
    with client:
        yield client


@pytest.fixture
def harness_webhooks(harness_contract: Contract) -> WebhookKit:
    """Signed, tampered and forged deliveries for a handler (``.matrix(app_or_url)``,
    ``.send``), and a receiver to verify a sandbox's deliveries (``.receiver()``, ``.verify``)."""
    from harness.webhooks.kit import WebhookKit  # noqa: PLC0415 - lazy, see the top

    return WebhookKit(harness_contract)


@pytest.fixture
def harness_retry_judge(harness_contract: Contract, harness_sandbox: Any) -> Any:
    """Judge *your* client's retries against the contract's policy, on the sandbox.

    ``verdict = harness_retry_judge(lambda: my_client.list_contacts(), operation="listContacts",
    faults=(503, 503))`` answers the next requests to ``operation`` with ``faults`` in turn
    (``retry_after_s`` adds ``Retry-After``), runs your call, and judges the times the
    sandbox recorded: ``assert verdict, verdict.message``.
    """
    from harness.retry import judge_recorded  # noqa: PLC0415 - lazy, see the top
    from harness.sandbox import Fault  # noqa: PLC0415 - lazy, see the top
    from harness.transports.client import retry_policy_for  # noqa: PLC0415 - lazy, see the top

    policy = retry_policy_for(harness_contract.retry)
    controls = harness_sandbox.controls

    def judge(
        call: Callable[[], object],
        *,
        operation: str,
        faults: Sequence[int] = (503, 503),
        retry_after_s: int | None = None,
        tolerance_s: float = 0.1,
    ) -> RetryVerdict:
        controls.clear_requests()
        for status in faults:
            fault = Fault.burst(status, 1, retry_after_s=retry_after_s, operation=operation)
            controls.inject(fault)
        try:
            call()
        finally:
            controls.clear_faults()
        recorded = [r for r in controls.requests if r.operation_id == operation]
        return judge_recorded(
            policy, recorded, faults, retry_after_s=retry_after_s, tolerance_s=tolerance_s
        )

    return judge


class ContractFile(pytest.File):
    """One contract: its families are the children, their checks the grandchildren."""

    def collect(self) -> Iterator[pytest.Collector]:
        from harness.checks.registry import plan_checks  # noqa: PLC0415 - lazy, see the top
        from harness.contract import load_contract  # noqa: PLC0415 - lazy, see the top
        from harness.runner import ContractRun  # noqa: PLC0415 - lazy, see the top
        from harness.shards import in_shard  # noqa: PLC0415 - lazy, see the top

        settings = run_settings(self.config)
        try:
            contract = load_contract(self.path, environment=settings.environment)
        except ContractError as exc:
            raise self.CollectError(f"invalid contract:\n{exc}") from None
        run = ContractRun(contract, settings, clock=self.config.stash[CLOCK])
        self.config.stash[RUNS][str(self.path)] = run
        by_family: dict[str, list[Check]] = {}
        planned = plan_checks(contract, settings.families)
        for check in in_shard(contract.id, planned, settings.shard):  # --shard K/N
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
        except HarnessError as exc:  # not pytest.fail: Allure shows it broken, not failed
            self._keep(self._result(Outcome.ERROR, str(exc)))
            raise HarnessError(f"harness could not open the target: {exc}") from None
        refusal = self.check.refusal(target, allow_protected=self.run.settings.allow_protected)
        if refusal:
            self._keep(self._result(Outcome.SKIPPED, f"not run: {refusal}"))
            pytest.skip(f"not run: {refusal}")

    def runtest(self) -> None:
        from harness.runner import run_item  # noqa: PLC0415 - lazy, see the top

        result, exchanges = run_item(self.run, self.check, self.nodeid)
        self._keep(result)
        if self.config.getoption("allure_report_dir", None):
            self._describe_for_allure(exchanges)
        if result.outcome is Outcome.FAILED:
            raise CheckFailure(result.message)
        if result.outcome is Outcome.ERROR:
            raise HarnessError(result.message)
        if result.outcome is Outcome.SKIPPED:
            pytest.skip(result.message)

    def _describe_for_allure(self, exchanges: list[Any]) -> None:
        import allure  # noqa: PLC0415 - lazy, see the top

        from harness.checks.registry import family  # noqa: PLC0415 - lazy, see the top
        from harness.reporting.allure_files import attachments, labels  # noqa: PLC0415 - lazy, see the top

        names = labels(
            self.contract.id,
            self.check.family,
            self.check.name,
            severity=family(self.check.family).severity,
            subject=self.check.subject,
        )
        dynamic: Any = allure.dynamic  # allure-pytest ships no type hints
        dynamic.epic(names["epic"])
        dynamic.feature(names["feature"])
        dynamic.story(names["story"])
        dynamic.parameter("check", self.check.name)  # keeps historyIds of name[...] checks apart
        dynamic.severity(allure.severity_level(names["severity"]))
        dynamic.description(self.check.description + f"\n\nContract: {self.check.loc}")
        for item in attachments(exchanges, self.run.secrets()):
            kind = (
                allure.attachment_type.JSON if item.kind == "json" else allure.attachment_type.TEXT
            )
            allure.attach(item.body, name=item.name, attachment_type=kind)

    def _result(self, outcome: Outcome, message: str) -> CheckResult:
        from harness.runner import with_family_traits  # noqa: PLC0415 - lazy, see the top

        return with_family_traits(
            CheckResult(
                id=self.nodeid,
                integration=self.contract.id,
                family=str(self.check.family),
                name=self.check.name,
                outcome=outcome,
                message=message,
                contract_line=str(self.check.loc),
            )
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


__all__ = ["RESULT_KEY", "CheckItem", "ContractFile", "FamilyNode", "run_settings"]
