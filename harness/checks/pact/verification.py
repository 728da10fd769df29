"""Family ``pact``: each interaction of each listed pact file is one check item.

The pacts of ``pacts:`` (files, or directories of ``*.json``) are verified against the
entry's ``base_url`` (our own handler, for pacts where we are the provider), else the run's
target, with pact-python's ``Verifier`` once per file and run; each item reads its own
interaction's result. A failure carries Pact's mismatch text, the contract line that lists
the pact and a curl line repeating the request. Provider states go to the entry's
``state_change_url``, else to the local sandbox's state endpoint; an interaction that needs
states where neither exists is skipped, saying so, never blamed on the target.
"""

from __future__ import annotations

import functools
from pathlib import Path

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.contract.policies import PactSource
from harness.errors import CheckFailure, UsageError
from harness.pact.states import STATE_PATH
from harness.pact.verify import PactInteraction, PactRun, read_interactions, verify_pacts
from harness.settings import Mode

FAMILY = "pact"


def plan(contract: Contract) -> list[Check]:
    if not contract.pacts:
        return [
            Check(
                family=FAMILY,
                name="pacts",
                run=_no_pacts,
                description="pact files verified against the target",
                loc=contract.loc,
            )
        ]
    return [check for source in contract.pacts for check in _source_checks(contract, source)]


def _no_pacts(context: CheckRuntime) -> Verdict:
    return inconclusive(
        "the contract lists no pacts (add `pacts: [{path: pacts/}]` to verify pact files; "
        "`harness pact export` writes ours)"
    )


def _source_checks(contract: Contract, source: PactSource) -> list[Check]:
    provider = source.provider or contract.id
    try:
        files = pact_files(contract.directory / source.path)
        interactions = [i for f in files for i in read_interactions(f) if i.provider == provider]
    except UsageError as exc:
        return [_broken(source, str(exc))]
    if not interactions:
        return [_broken(source, f"no interaction for provider '{provider}' in {source.path}")]
    return [
        Check(
            family=FAMILY,
            name=f"{interaction.pact.stem}: {interaction.description}",
            run=functools.partial(_verify, source=source, interaction=interaction),
            description=f"{interaction.consumer} expects of {provider}: {interaction.description}",
            loc=source.loc,
            mutating=True,  # provider states create resources
        )
        for interaction in interactions
    ]


def pact_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.json`` files of the directory ``path``."""
    if path.is_dir():
        return sorted(path.glob("*.json"))
    if path.is_file():
        return [path]
    raise UsageError(f"pacts: {path} does not exist")


def _broken(source: PactSource, reason: str) -> Check:
    def run(context: CheckRuntime) -> Verdict:
        raise UsageError(f"{reason} (contract {source.loc})")

    return Check(family=FAMILY, name=source.path, run=run, description=reason, loc=source.loc)


def _verify(context: CheckRuntime, *, source: PactSource, interaction: PactInteraction) -> Verdict:
    if context.settings.mode == Mode.REPLAY:
        return inconclusive(
            "a pact is verified by sending its requests; replay has no recording of them "
            "(run with --mode live)"
        )
    target = context.target
    base_url = (source.base_url or target.base_url).rstrip("/")
    local = target.controls is not None and source.base_url is None
    state_url = source.state_change_url or (base_url + STATE_PATH if local else None)
    if interaction.states and state_url is None:
        return inconclusive(
            f"needs provider states {list(interaction.states)} and {base_url} has no state "
            f"change URL harness knows; declare state_change_url for this pact (contract "
            f"{source.loc})"
        )
    provider = source.provider or context.contract.id
    key = f"pact:{interaction.pact}:{provider}:{base_url}:{state_url}"
    run: PactRun = context.shared(
        key,
        lambda: verify_pacts(
            [interaction.pact], provider=provider, base_url=base_url, state_url=state_url
        ),
    )
    result = run.result(interaction.pact, interaction.description)
    if result is None:
        raise UsageError(f"the verifier run has no result for {interaction.description!r}")
    data = {"pact": str(interaction.pact), "states": list(interaction.states)}
    if result.passed:
        return Verdict(
            message=f"{interaction.description}: verified by pact-python's Verifier against "
            f"{base_url}",
            data=data,
        )
    curl = interaction.curl(base_url)
    raise CheckFailure(
        f"{interaction.description}: "
        + "; ".join(result.mismatches)
        + f" (pact {interaction.pact.name}, listed at contract {source.loc}; the pact's "
        f"consumer relies on this answer: fix the provider or renegotiate the pact)\n"
        f"  repeat: {curl}",
        evidence=({"curl": curl, "mismatches": list(result.mismatches)},),
        data={**data, "mismatches": list(result.mismatches)},
    )
