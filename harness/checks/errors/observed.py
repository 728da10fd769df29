"""``errors::observed_errors_declared``: every error response the run saw maps to a declared code.

It reads the exchanges the run recorded before it and reports each error response that is
none of the declared codes, with the request that produced it (token endpoint, the
sandbox's admin API and undeclared HTTP-level refusals excluded: ``table``).

Order: the family registry marks ``errors`` as reading the run's exchanges, so every other
family runs before it, and this is the family's last check. Scope: exchanges are kept per
process, so under pytest-xdist it judges only its own worker's; its message and data say how
many exchanges it judged and whose. With none at all it is skipped, never passed.
"""

from __future__ import annotations

import os
from typing import Any

from harness.checks.base import CheckRuntime, Verdict, inconclusive
from harness.checks.errors.codes import PROVOKED_KEY
from harness.checks.errors.table import ErrorTable, describe_exchange, observed_code
from harness.errors import CheckFailure

#: How many undeclared errors the check lists in its message (all go into its data).
SHOWN = 10


def check_observed(context: CheckRuntime) -> Verdict:
    table = ErrorTable.of(context.contract)
    provoked: set[str] = set(context.shared(PROVOKED_KEY, set[str]))
    exchanges = context.exchanges()
    scope = _scope()
    if not exchanges:
        return inconclusive(f"no exchange to judge ({scope})", data={"scope": scope})
    undeclared: list[dict[str, Any]] = []
    seen = 0
    for exchange in exchanges:
        if not table.judged(exchange):
            continue
        seen += 1
        code = observed_code(table, exchange)
        if code is not None:
            provoked.add(code)
        else:
            undeclared.append(describe_exchange(table, exchange, context.secrets()))
    data = {
        "declared": [e.code for e in context.contract.errors],
        "provoked": sorted(provoked),
        "untriggerable": {
            e.code: e.untriggerable for e in context.contract.errors if e.untriggerable
        },
        "judged_exchanges": len(exchanges),
        "scope": scope,
        "observed_errors": seen,
        "observed_undeclared": undeclared,
    }
    if undeclared:
        lines = [f"  {item['request']} -> {item['found']}" for item in undeclared[:SHOWN]]
        more = f"\n  … and {len(undeclared) - SHOWN} more" if len(undeclared) > SHOWN else ""
        raise CheckFailure(
            f"{len(undeclared)} error response(s) map to no declared code (errors table, "
            f"contract {context.contract.errors[0].loc}; {len(exchanges)} exchange(s) "
            f"judged, {scope}):\n"
            + "\n".join(lines)
            + more
            + "\nDeclare each code in `errors:` (status and match), or fix the server",
            data=data,
        )
    return Verdict(
        message=f"{seen} error response(s) among {len(exchanges)} exchange(s) judged, all "
        f"declared ({scope}); provoked {len(provoked)} of {len(context.contract.errors)} codes",
        data=data,
    )


def _scope() -> str:
    """Whose exchanges are judged: the contract's whole run, or (under xdist) one worker's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        return (
            f"only those of this process, xdist worker {worker}: the other workers' "
            "requests are not seen here"
        )
    return "every exchange this contract's run recorded before this check"
