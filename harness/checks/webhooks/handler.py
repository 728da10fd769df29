"""Family ``webhooks``, our side: the handler matrix, one check per case.

``webhooks::handler[valid]`` … ``handler[rotated_secret]``: harness signs deliveries with
the contract's scheme and secret and sends them to our handler — ``handler.app``
(``module:attr``, an ASGI or WSGI app run in-process; the path is that of ``handler.url``)
or else ``handler.url``. The matrix runs once per run; each check reads its case.

The handler's secret: the contract's ``signature.secret`` when its variable is set. When it
is not, an in-process app still runs: harness uses the run's webhook secret (on ``local``,
the sandbox's invented one) and sets the contract's variable (``${VAR}``) to it while the
matrix runs — so an app must read its secret from that variable per request. A URL handler
is another process: with the variable unset the matrix is skipped, naming the variable.
A declared handler that does not answer is an error of the run, not a skip.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from harness.checks.base import Check, CheckRuntime, Verdict
from harness.contract import Contract
from harness.errors import CheckFailure, UsageError
from harness.results import Outcome
from harness.webhooks.configured import configured_scheme
from harness.webhooks.kit import WebhookKit, load_app
from harness.webhooks.sender import WHAT, Case, CaseOutcome, plan_matrix

_PLACEHOLDER_SECRET = "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"  # a shape, no secret


def plan(contract: Contract) -> list[Check]:
    webhooks = contract.webhooks
    if webhooks is None or webhooks.signature is None or webhooks.handler is None:
        return []
    handler = webhooks.handler
    if not handler.app and not handler.url:
        return []
    cases = [
        planned.case
        for planned in plan_matrix(
            configured_scheme(webhooks.signature), _PLACEHOLDER_SECRET, lambda: b"{}"
        )
    ]
    return [
        Check(
            family="webhooks",
            name=f"handler[{case}]",
            run=partial(check_handler_case, case=case),
            description=f"our handler answers {_expected(case)} to {WHAT[case]}",
            loc=handler.loc,
        )
        for case in cases
    ]


def _expected(case: Case) -> str:
    return "2xx" if case in (Case.VALID, Case.ROTATED_SECRET) else "a rejection"


def check_handler_case(context: CheckRuntime, *, case: Case) -> Verdict:
    result = context.shared("webhooks-handler-matrix", partial(run_matrix, context))
    if isinstance(result, str):
        return Verdict(outcome=Outcome.SKIPPED, message=result)
    outcome = next((o for o in result if o.case is case), None)
    if outcome is None:
        return Verdict(outcome=Outcome.SKIPPED, message=f"{case}: not expressible in this scheme")
    handler = context.contract.webhooks.handler if context.contract.webhooks else None
    where = f" (contract {handler.loc})" if handler else ""
    data = outcome.to_json()
    if not outcome.passed:
        raise CheckFailure(outcome.message + where, data=data)
    return Verdict(message=outcome.message, data=data)


def run_matrix(context: CheckRuntime) -> list[CaseOutcome] | str:
    """The matrix's outcomes, or why it cannot run (a skip reason)."""
    contract = context.contract
    webhooks = contract.webhooks
    assert webhooks is not None
    assert webhooks.signature is not None
    assert webhooks.handler is not None
    declared = webhooks.signature.secret
    handler = webhooks.handler
    secret = declared.reveal() if declared.is_set else None
    if secret is None and handler.app:
        run_secret = context.target.credentials.webhook_secret
        secret = run_secret.reveal() if run_secret is not None and run_secret.is_set else None
    if secret is None:
        return (
            f"{declared} is not set: our handler at {handler.url} would not know the "
            f"secret; set {declared} for both the handler and harness"
        )
    kit = WebhookKit(contract, secret=secret)
    if handler.app:
        search = (Path.cwd(), contract.directory.resolve().parent.parent)
        try:
            app = load_app(handler.app, search=search)
        except UsageError as exc:  # e.g. the repo's suites package, absent where installed
            if not isinstance(exc.__cause__, ModuleNotFoundError):
                raise
            return f"not run here: {exc}; run from the project that holds it, or use handler.url"
        return kit.matrix(app)
    assert handler.url is not None  # planned only with an app or a URL
    return kit.matrix(handler.url)


__all__ = ["check_handler_case", "plan", "run_matrix"]
