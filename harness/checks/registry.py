"""The family registry: the one place a check family is declared.

A family is a name, a ``plan(contract) -> list[Check]``, and the traits reports and the run
order need: its Allure severity, whether the compliance report lists it as a requirement,
whether its requests provoke errors on purpose (latency metrics leave them out), and whether
it reads the exchanges of the checks before it (then it runs after every other family).

Built-in families are listed in ``BUILTIN`` and imported only when planned. A project adds its
own without forking through the ``harness.families`` entry point group: the entry point names
a ``Family`` object (or a callable returning one)::

    [project.entry-points."harness.families"]
    sla = "my_project.harness_sla:FAMILY"

Adding a built-in family is one ``Family(...)`` line in ``BUILTIN``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Literal

from harness.errors import UsageError

if TYPE_CHECKING:
    from harness.checks.base import Check
    from harness.contract import Contract

Plan = Callable[["Contract"], "list[Check]"]
Severity = Literal["blocker", "critical", "normal", "minor", "trivial"]
ENTRY_POINT_GROUP = "harness.families"


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """A check family: its name, its plan, and what reports and the run order need to know."""

    name: str
    plan: Plan
    description: str
    severity: Severity = "normal"  # Allure severity of its checks
    requirement: bool = False  # the compliance report lists its checks as requirements
    provoking: bool = False  # provokes errors/429s on purpose: latency metrics leave it out
    reads_exchanges: bool = False  # judges the exchanges of earlier checks: runs last


def _lazy(module: str) -> Plan:
    """``module.plan``, imported on first call (planning one family imports only that one)."""

    def plan(contract: Contract) -> list[Check]:
        found: Plan = importlib.import_module(module).plan
        return found(contract)

    return plan


def _builtin(name: str, description: str, **traits: object) -> Family:
    return Family(
        name=name,
        plan=_lazy(f"harness.checks.{name}"),
        description=description,
        **traits,  # type: ignore[arg-type]
    )


BUILTIN: tuple[Family, ...] = (
    _builtin(
        "config", "declared options present and well-typed", severity="minor", requirement=True
    ),
    _builtin("auth", "credentials obtained, reused, refreshed and refused", severity="blocker"),
    _builtin("health", "the health operation answers as declared, in time", severity="critical"),
    _builtin("conformance", "property-based requests per operation and stateful links"),
    _builtin("workflows", "Arazzo workflows run step by step on generated inputs"),
    _builtin("security", "secrets, PII and TLS", severity="critical", requirement=True),
    _builtin(
        "compliance",
        "the guide's promises (sections, versions, maintenance)",
        severity="minor",
        requirement=True,
    ),
    _builtin("mapping", "entity mappings, property by property"),
    _builtin("webhooks", "events signed, well-formed and retried", severity="critical"),
    _builtin("performance", "declared latency and throughput under a bounded load probe"),
    _builtin("ratelimit", "limits announced and enforced", provoking=True),
    _builtin("retry", "Retry-After and the client's retry policy", provoking=True),
    _builtin("pact", "pact files verified against the target, interaction by interaction"),
    _builtin("errors", "every declared error code, and no other", reads_exchanges=True),
)


@cache
def families() -> dict[str, Family]:
    """Every family by name, in run order: built-ins, then plugins; exchange readers last."""
    found = {family.name: family for family in BUILTIN}
    for family in _plugins():
        if family.name in found:
            raise UsageError(
                f"the harness.families entry point '{family.name}' names a family that "
                "already exists; give the plugin's family another name"
            )
        found[family.name] = family
    ordered = sorted(found.values(), key=lambda family: family.reads_exchanges)  # stable
    return {family.name: family for family in ordered}


def _plugins() -> Iterable[Family]:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = point.load()
        except Exception as exc:  # a broken plugin: say which, never a traceback
            raise UsageError(
                f"the harness.families entry point '{point.name}' ({point.value}) could not "
                f"be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        family = loaded() if callable(loaded) and not isinstance(loaded, Family) else loaded
        if not isinstance(family, Family):
            raise UsageError(
                f"the harness.families entry point '{point.name}' ({point.value}) must name a "
                f"harness.checks.registry.Family, not {type(family).__name__}"
            )
        yield family


def family(name: str) -> Family:
    """The family called ``name`` (a ``UsageError`` naming the known ones otherwise)."""
    known = families()
    if name not in known:
        raise UsageError(f"unknown check family '{name}'; known: {', '.join(known)}")
    return known[name]


def plan_checks(contract: Contract, names: Collection[str] = ()) -> list[Check]:
    """Every check of the contract, in family order; ``names`` filters (empty: all)."""
    return [
        check
        for name, spec in families().items()
        if not names or name in names
        for check in spec.plan(contract)
    ]
