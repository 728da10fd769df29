"""Claims on what the contract configures: HTTPS for production, a signature for webhooks.

Both read the contract (and the run's variables), not the wire: a production base URL over
plain HTTP, or webhooks nobody can verify, are insecure before the first request is sent.
"""

from __future__ import annotations

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.contract import Contract
from harness.errors import CheckFailure


def checks(contract: Contract) -> list[Check]:
    """``https_in_production`` always; ``webhook_verification_configured`` with webhooks."""
    found = [
        Check(
            family="security",
            name="https_in_production",
            run=check_https_in_production,
            description="protected (production) environments use HTTPS base URLs",
            loc=contract.security.loc if contract.security else contract.loc,
        )
    ]
    if contract.webhooks is not None and contract.webhooks.events:
        found.append(
            Check(
                family="security",
                name="webhook_verification_configured",
                run=check_webhook_verification,
                description="declared webhooks have a signature scheme and a secret",
                loc=contract.webhooks.loc,
            )
        )
    return found


def check_https_in_production(context: CheckRuntime) -> Verdict:
    problems = []
    checked = 0
    for env in context.contract.environments.values():
        if not (env.protected or env.name == "production") or not env.base_url:
            continue
        checked += 1
        if not env.base_url.lower().startswith("https://"):
            problems.append(
                f"environment '{env.name}' ({env.loc}) uses {env.base_url!r}; expected https://"
            )
    if problems:
        raise CheckFailure(
            "\n".join(problems) + "\nFix: use the HTTPS base URL of the provider.",
            data={"environments_checked": checked},
        )
    if not checked:
        return inconclusive("no protected or production environment with a base_url to inspect")
    return Verdict(message=f"{checked} protected environment(s) use HTTPS")


def check_webhook_verification(context: CheckRuntime) -> Verdict:
    webhooks = context.contract.webhooks
    assert webhooks is not None  # planned only when declared
    signature = webhooks.signature
    if signature is None:
        raise CheckFailure(
            f"webhooks are declared ({webhooks.loc}) but no signature scheme verifies them; "
            "add webhooks.signature {scheme, secret: ${WEBHOOK_SECRET}}"
        )
    target_secret = context.target.credentials.webhook_secret
    held = signature.secret.is_set or (target_secret is not None and target_secret.is_set)
    if not held:
        raise CheckFailure(
            f"webhooks.signature ({signature.loc}) uses ${{{signature.secret.var}}}, which is not "
            f"set for environment '{context.target.environment.name}'; export it"
        )
    return Verdict(message=f"verified with {signature.scheme}")
