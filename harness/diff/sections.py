"""The contract-section rules: what a change to the guide's own sections means for us."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from harness.contract import Contract
from harness.contract.policies import RateLimit
from harness.diff.change import Change, Severity
from harness.errors import Location

B, R, N = Severity.BREAKING, Severity.NEEDS_REVIEW, Severity.NON_BREAKING


@dataclass(frozen=True, slots=True)
class _At:
    """A section and the locations of the two versions' nodes a change is about."""

    section: str
    old: Location | None
    new: Location | None

    def change(self, kind: str, severity: Severity, subject: str, message: str, fix: str) -> Change:
        return Change(
            section=self.section,
            kind=kind,
            severity=severity,
            subject=subject,
            message=message,
            migration=fix,
            old=self.old,
            new=self.new,
        )


def diff_sections(old: Contract, new: Contract) -> list[Change]:
    """Changes in every section the contract adds to the vendor's documents."""
    found: list[Change] = []
    for rule in (
        _info,
        _config,
        _auth,
        _scopes,
        _errors,
        _retry,
        _rate_limits,
        _signature,
        _webhook_events,
        _health,
        _performance,
        _security,
    ):
        found += rule(old, new)
    return found


def _info(old: Contract, new: Contract) -> Iterator[Change]:
    if new.info.status == "deprecated" and old.info.status != "deprecated":
        at = _At("deprecations", old.info.loc, new.info.loc)
        yield at.change(
            "integration-deprecated",
            R,
            new.id,
            "the integration is marked deprecated",
            "plan its replacement",
        )


def _config(old: Contract, new: Contract) -> Iterator[Change]:
    before = {option.name: option for option in old.config}
    for option in new.config:
        was = before.get(option.name)
        if option.required and option.default is None and (was is None or not was.required):
            name = option.env or option.name
            at = _At("config", was.loc if was else None, option.loc)
            yield at.change(
                "config-required-added",
                B,
                option.name,
                f"new required setting {name}",
                f"set {name} in every environment",
            )


def _auth(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.auth, new.auth
    at = _At("auth", a.loc if a else None, b.loc if b else None)
    if a is None or b is None:
        if a is not b:
            yield at.change(
                "auth-changed",
                B,
                "auth",
                "auth section added or removed",
                "configure the new authentication",
            )
        return
    if a.type != b.type:
        yield at.change(
            "auth-scheme-changed",
            B,
            "auth.type",
            f"scheme changed from {a.type} to {b.type}",
            f"implement {b.type} credentials and rotate them in",
        )
    if a.token_url != b.token_url:
        yield at.change(
            "auth-token-url-changed",
            B,
            "auth.token_url",
            f"token URL changed from {a.token_url} to {b.token_url}",
            f"fetch tokens from {b.token_url}",
        )


def _scopes(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.auth, new.auth
    if a is None or b is None:
        return
    at = _At("auth", a.loc, b.loc)
    removed = [scope for scope in a.scopes if scope not in b.scopes]
    added = [scope for scope in b.scopes if scope not in a.scopes]
    if removed:
        yield at.change(
            "auth-scope-removed",
            B,
            "auth.scopes",
            f"scopes no longer granted: {', '.join(removed)}",
            f"request {', '.join(b.scopes)} and re-check every call that needed the removed scopes",
        )
    if added:
        yield at.change(
            "auth-scope-added",
            R,
            "auth.scopes",
            f"new scopes: {', '.join(added)}",
            "have the client granted them before deploying",
        )


def _errors(old: Contract, new: Contract) -> Iterator[Change]:
    after = {entry.code: entry for entry in new.errors}
    for entry in old.errors:
        other = after.get(entry.code)
        at = _At("errors", entry.loc, other.loc if other else None)
        if other is None:
            yield at.change(
                "error-code-removed",
                R,
                entry.code,
                "error code no longer documented",
                f"drop our handling of {entry.code} once the vendor confirms",
            )
            continue
        if other.status != entry.status:
            yield at.change(
                "error-status-changed",
                B,
                entry.code,
                f"status changed from {entry.status} to {other.status}",
                f"match {entry.code} on {other.status} in our error handling",
            )
        if other.retryable != entry.retryable:
            yield at.change(
                "error-retryable-changed",
                R,
                entry.code,
                f"retryable {entry.retryable} → {other.retryable}",
                f"update our retry decision for {entry.code}",
            )
    codes = {entry.code for entry in old.errors}
    for entry in new.errors:
        if entry.code not in codes:
            how = entry.resolution or "see the vendor's documentation"
            yield _At("errors", None, entry.loc).change(
                "error-code-added",
                R,
                entry.code,
                f"new error {entry.code} ({entry.status})",
                f"handle {entry.code}: {how}",
            )


def _retry(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.retry, new.retry
    if a is None or b is None:
        return
    at = _At("retry", a.loc, b.loc)
    if a.idempotency_header != b.idempotency_header:
        header = b.idempotency_header or "no idempotency header"
        yield at.change(
            "retry-idempotency-header-changed",
            B,
            "retry.idempotency_header",
            f"changed from {a.idempotency_header} to {b.idempotency_header}",
            f"send {header} on retried writes",
        )
    if b.max_attempts < a.max_attempts:
        yield at.change(
            "retry-attempts-lowered",
            R,
            "retry.max_attempts",
            f"lowered from {a.max_attempts} to {b.max_attempts}",
            "lower our client's retry count",
        )
    dropped = sorted(set(a.retry_on) - set(b.retry_on))
    if dropped:
        yield at.change(
            "retry-status-dropped",
            R,
            "retry.retry_on",
            f"no longer retryable: {dropped}",
            f"stop retrying {dropped}",
        )
    if a.honor_retry_after and not b.honor_retry_after:
        yield at.change(
            "retry-after-dropped",
            R,
            "retry.honor_retry_after",
            "Retry-After no longer honoured",
            "fall back to our backoff",
        )


def _rate_key(limit: RateLimit) -> tuple[str, str, tuple[str, ...]]:
    kind = "concurrent" if limit.concurrent is not None else "rate"
    return kind, limit.scope, limit.operations


def _rate_limits(old: Contract, new: Contract) -> Iterator[Change]:
    after = {_rate_key(limit): limit for limit in new.rate_limits}
    for limit in old.rate_limits:
        other = after.get(_rate_key(limit))
        subject = f"rate limit ({limit.scope})"
        at = _At("rate_limits", limit.loc, other.loc if other else None)
        if other is None:
            yield at.change(
                "rate-limit-removed",
                R,
                subject,
                "limit no longer documented",
                "ask the vendor what limits now apply",
            )
            continue
        before, now = _per_second(limit), _per_second(other)
        if before is not None and now is not None and now < before:
            yield at.change(
                "rate-limit-lowered",
                B,
                subject,
                f"lowered from {_describe(limit)} to {_describe(other)}",
                f"throttle our client to {_describe(other)} and re-size sync batches",
            )
        if limit.headers != other.headers:
            yield at.change(
                "rate-limit-headers-changed",
                B,
                subject,
                f"headers {limit.headers} → {other.headers}",
                f"read {other.headers} headers for the remaining quota",
            )


def _per_second(limit: RateLimit) -> float | None:
    if limit.concurrent is not None:
        return float(limit.concurrent)
    window = limit.window_s
    return limit.limit / window if limit.limit is not None and window else None


def _describe(limit: RateLimit) -> str:
    if limit.concurrent is not None:
        return f"{limit.concurrent} concurrent"
    return f"{limit.limit}/{limit.window}"


def _signature(old: Contract, new: Contract) -> Iterator[Change]:
    a = old.webhooks.signature if old.webhooks else None
    b = new.webhooks.signature if new.webhooks else None
    if a is None or b is None:
        return
    at = _At("webhooks", a.loc, b.loc)
    if a.scheme != b.scheme:
        yield at.change(
            "webhook-signature-scheme-changed",
            B,
            "webhooks.signature",
            f"scheme changed from {a.scheme} to {b.scheme}",
            f"verify deliveries with {b.scheme} (keep {a.scheme} during the switch)",
        )
    if a.tolerance_s and b.tolerance_s and b.tolerance_s < a.tolerance_s:
        yield at.change(
            "webhook-tolerance-lowered",
            R,
            "webhooks.signature",
            f"tolerance lowered from {a.tolerance_s}s to {b.tolerance_s}s",
            "check our clock sync and queueing delay",
        )


def _webhook_events(old: Contract, new: Contract) -> Iterator[Change]:
    before = old.webhooks.events if old.webhooks else {}
    after = new.webhooks.events if new.webhooks else {}
    for name, event in before.items():
        if name not in after:
            yield _At("webhooks", event.loc, None).change(
                "webhook-event-removed",
                B,
                name,
                "event no longer sent",
                f"stop waiting for {name}; poll or use the replacement event",
            )
    for name, event in after.items():
        if name not in before:
            yield _At("webhooks", None, event.loc).change(
                "webhook-event-added", N, name, "new event", "subscribe if we need it"
            )


def _health(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.health, new.health
    if a is None or b is None:
        return
    at = _At("health", a.loc, b.loc)
    if a.operation != b.operation or a.expect_status != b.expect_status:
        yield at.change(
            "health-check-changed",
            B,
            "health",
            f"{a.operation} → {a.expect_status} became {b.operation} → {b.expect_status}",
            f"point our monitor at {b.operation} and expect {b.expect_status}",
        )
    if a.max_latency_ms and b.max_latency_ms and b.max_latency_ms != a.max_latency_ms:
        yield at.change(
            "health-latency-changed",
            R,
            "health.max_latency_ms",
            f"{a.max_latency_ms} → {b.max_latency_ms} ms",
            "update our alert threshold",
        )


def _performance(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.performance, new.performance
    if a is None or b is None:
        return
    at = _At("performance", a.loc, b.loc)
    for name in ("avg_ms", "p95_ms", "p99_ms", "throughput_rps"):
        before, after = getattr(a, name), getattr(b, name)
        if before is None or after is None or before == after:
            continue
        # the vendor's promise: slower latency or less throughput is weaker
        weaker = after < before if name == "throughput_rps" else after > before
        kind = f"performance-{'weakened' if weaker else 'improved'}"
        fix = (
            f"size our timeouts and capacity for {name} {after:g}"
            if weaker
            else "nothing to do: the vendor promises more"
        )
        yield at.change(
            kind, B if weaker else N, f"performance.{name}", f"{name} {before:g} → {after:g}", fix
        )


def _security(old: Contract, new: Contract) -> Iterator[Change]:
    a, b = old.security, new.security
    if a is None or b is None:
        return
    at = _At("security", a.loc, b.loc)
    for field in b.pii:
        if field not in a.pii:
            yield at.change(
                "pii-field-added",
                B,
                field,
                "new PII field",
                f"scrub {field} from logs and cassettes; add it to our records of processing",
            )
    if a.retention_days and b.retention_days and b.retention_days < a.retention_days:
        yield at.change(
            "retention-shortened",
            B,
            "security.retention_days",
            f"{a.retention_days} → {b.retention_days} days",
            f"delete data after {b.retention_days} days",
        )
    for framework in b.compliance:
        if framework not in a.compliance:
            yield at.change(
                "compliance-added",
                R,
                framework,
                "new compliance framework",
                f"review our handling against {framework}",
            )
