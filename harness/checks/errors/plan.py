"""The checks of the ``errors`` family, planned from the contract's error table.

- ``provoked[CODE]`` (``codes``): each declared code, provoked by its ``trigger``, is
  answered with its status and match; a code without a trigger must say why
  (``untriggerable``);
- ``retryable_agrees_with_retry_policy`` (``codes``): ``retryable`` agrees with the retry
  policy's ``retry_on``;
- ``observed_errors_declared`` (``observed``): every error response the run recorded maps
  to a declared code.
"""

from __future__ import annotations

from functools import partial

from harness.checks.base import Check
from harness.checks.errors.codes import check_provoked, check_retryable
from harness.checks.errors.observed import check_observed
from harness.contract import Contract
from harness.contract.contract import SAFE_METHODS
from harness.contract.model import ErrorCode


def plan(contract: Contract) -> list[Check]:
    if not contract.errors:
        return []
    checks = [_provoke_check(contract, error) for error in contract.errors]
    checks.append(
        Check(
            family="errors",
            name="retryable_agrees_with_retry_policy",
            run=check_retryable,
            description="every code marked retryable is one the retry policy retries, and back",
            loc=contract.retry.loc if contract.retry else contract.errors[0].loc,
        )
    )
    checks.append(
        Check(
            family="errors",
            name="observed_errors_declared",
            run=check_observed,
            description="every error response seen in the run maps to a declared code",
            loc=contract.errors[0].loc,
        )
    )
    return checks


def _provoke_check(contract: Contract, error: ErrorCode) -> Check:
    mutating = False
    if error.trigger is not None and contract.document is not None:
        operation = contract.document.operations.get(error.trigger.operation)
        mutating = operation is None or operation.method not in SAFE_METHODS
    return Check(
        family="errors",
        name=f"provoked[{error.code}]",
        run=partial(check_provoked, code=error.code),
        description=f"{error.code} is answered with {error.status} when provoked",
        loc=error.trigger.loc if error.trigger else error.loc,
        mutating=mutating,
    )
