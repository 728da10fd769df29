"""The named vendor faults: each one rewrites Acme CRM's traffic in one realistic way.

Every mutant says what changes on the wire (``doc``), which families can see it
(``families``, the only ones run against it) and which check must fail (``expect``, a prefix
of ``family::name``). Mutants are written against the acme-crm contract (its paths, fields,
error codes and webhook scheme); they rewrite HTTP only, so they survive refactors of harness.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from tests.mutants.mutant import BASELINE, Memo, Mutant
from tests.mutants.wire import Request, Response

Json = Any
SECRET_KEY = "webhook_secret"  # the memo entry holding the sandbox's webhook secret


# --- matching --------------------------------------------------------------------------------


def _contact_path(request: Request) -> bool:
    return request.path == "/contacts" or request.path.startswith("/contacts/")


def _deal_path(request: Request) -> bool:
    return request.path == "/deals" or request.path.startswith("/deals/")


def _each_record(document: Json, change: Callable[[dict[str, Any]], None]) -> Json:
    """Apply ``change`` to a record, or to each record of a page (``data``)."""
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        for item in document["data"]:
            if isinstance(item, dict):
                change(item)
    elif isinstance(document, dict):
        change(document)
    return document


def _records(select: Callable[[Request], bool], change: Callable[[dict[str, Any]], None]) -> Any:
    """A response hook that edits every successful JSON record on matching paths."""

    def hook(request: Request, response: Response, memo: Memo) -> Response:
        document = response.json()
        if not select(request) or response.status >= 300 or document is None:
            return response
        return response.with_json(_each_record(document, change))

    return hook


def _problems(
    change: Callable[[Request, dict[str, Any]], None], *, statuses: range = range(400, 600)
) -> Any:
    """A response hook that edits every problem+json error body."""

    def hook(request: Request, response: Response, memo: Memo) -> Response:
        document = response.json()
        if response.status not in statuses or not isinstance(document, dict):
            return response
        change(request, document)
        return response.with_json(document)

    return hook


def _status(method: str, path: str, old: int, new: int, *, body: bytes | None = None) -> Any:
    def hook(request: Request, response: Response, memo: Memo) -> Response:
        if response.status != old or not request.is_(method, path):
            return response
        changed = response.with_status(new)
        return changed if body is None else dataclasses.replace(changed, body=body)

    return hook


def _drop_header(name: str, *, statuses: range = range(100, 600)) -> Any:
    def hook(request: Request, response: Response, memo: Memo) -> Response:
        return response.without_header(name) if response.status in statuses else response

    return hook


def _set_header(name: str, value: str, *, statuses: range = range(100, 600)) -> Any:
    def hook(request: Request, response: Response, memo: Memo) -> Response:
        return response.with_header(name, value) if response.status in statuses else response

    return hook


def _pop(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.pop(field, None)


def _put(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.update({field: value})


def _reformat(field: str, convert: Callable[[str], str]) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        if isinstance(record.get(field), str):
            record[field] = convert(record[field])

    return change


def _european_datetime(value: str) -> str:
    """2026-12-02T07:15:52Z → 02/12/2026 07:15:52"""
    date, _, time = value.partition("T")
    year, month, day = date.split("-")
    return f"{day}/{month}/{year} {time.rstrip('Z')}"


def _european_date(value: str) -> str:
    """2026-12-31 → 31/12/2026"""
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


# --- auth: remember what the sandbox accepted, replay it for what it should refuse -------------


def _learn_tokens(request: Request, response: Response, memo: Memo) -> Response:
    """Remember issued tokens and the token request that earned one."""
    if request.is_("POST", "/oauth/token") and response.status == 200:
        token = (response.json() or {}).get("access_token")
        if token:
            memo.setdefault("issued", []).append(token)
            if request.form().get("grant_type") == "client_credentials":
                memo["good_token_request"] = request
    return response


def _grant_missing_token(request: Request, memo: Memo) -> Request:
    """A request without credentials is sent on with the latest valid token."""
    issued = memo.get("issued")
    if request.header("authorization") or not issued or request.path == "/oauth/token":
        return request
    return request.with_header("Authorization", f"Bearer {issued[-1]}")


def _grant_wrong_token(request: Request, memo: Memo) -> Request:
    """A request with a token the sandbox never issued is sent on with the latest valid one."""
    issued = memo.get("issued")
    given = request.header("authorization") or ""
    if not issued or not given.startswith("Bearer ") or given[7:] in issued:
        return request
    return request.with_header("Authorization", f"Bearer {issued[-1]}")


def _accept_any_secret(request: Request, memo: Memo) -> Request:
    """A token request with other credentials is replaced by the one that worked before."""
    good: Request | None = memo.get("good_token_request")
    if good is None or not request.is_("POST", "/oauth/token"):
        return request
    if request.body == good.body and request.header("authorization") == good.header(
        "authorization"
    ):
        return request
    if request.form().get("grant_type") != "client_credentials":
        return request  # refresh grants are judged elsewhere
    return good


# --- webhooks: Standard Webhooks re-signing, so one fault does not hide behind another ---------


def _sign(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _resigned(request: Request, memo: Memo, **changes: Any) -> Request:
    """The delivery with ``body``/``msg_id``/``timestamp`` changed and signed again."""
    secret = memo.get(SECRET_KEY)
    body: bytes = changes.get("body", request.body)
    msg_id: str = changes.get("msg_id", request.header("webhook-id") or "")
    stamp: str = changes.get("timestamp", request.header("webhook-timestamp") or "")
    changed = dataclasses.replace(request, body=body)
    changed = changed.with_header("webhook-id", msg_id).with_header("webhook-timestamp", stamp)
    if secret:
        changed = changed.with_header("webhook-signature", _sign(secret, msg_id, stamp, body))
    return changed


def _bad_signature(request: Request, memo: Memo) -> Request:
    signature = request.header("webhook-signature") or "v1,AAAA"
    version, _, value = signature.partition(",")
    flipped = ("B" if value[:1] != "B" else "C") + value[1:]
    return request.with_header("webhook-signature", f"{version},{flipped}")


def _new_id_on_retry(request: Request, memo: Memo) -> Request:
    seen: dict[bytes, int] = memo.setdefault("deliveries", {})
    attempt = seen[request.body] = seen.get(request.body, 0) + 1
    if attempt < 2:
        return request
    return _resigned(request, memo, msg_id=f"msg_retry{attempt}x{len(seen)}")


def _stale_timestamp(request: Request, memo: Memo) -> Request:
    stamp = int(request.header("webhook-timestamp") or "0") - 3600
    return _resigned(request, memo, timestamp=str(stamp))


def _payload_without_email(request: Request, memo: Memo) -> Request:
    document = request.json()
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document["data"].pop("email", None)
        return _resigned(request, memo, body=Request(method="", path="").with_json(document).body)
    return request


def _swallow_failure(request: Request, response: Response, memo: Memo) -> Response:
    """The receiver's 500 is reported to the sandbox as 200: the delivery is never retried."""
    return response.with_status(200) if response.status >= 500 else response


# --- other request and response faults --------------------------------------------------------


def _server_error(request: Request) -> Response:
    """A well-formed 500 (the documented 5XX Problem), so only the status is at fault."""
    problem = {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "instance": request.path,
        "error": {"code": "ERR_500", "message": "Internal server error"},
    }
    headers = (("content-type", "application/problem+json"),)
    return Response(status=500, headers=headers).with_json(problem)


def _non_ascii_500(request: Request, response: Response, memo: Memo) -> Response:
    if request.method in ("POST", "PUT", "PATCH") and any(byte > 127 for byte in request.body):
        return _server_error(request)
    return response


def _deal_500(request: Request, response: Response, memo: Memo) -> Response:
    if request.is_("GET", "/deals/") and response.status == 200:
        return _server_error(request)
    return response


def _drop_second_list(request: Request, response: Response, memo: Memo) -> Response:
    if not request.is_("GET", "/contacts"):
        return response
    memo["lists"] = memo.get("lists", 0) + 1
    return dataclasses.replace(response, truncate=True) if memo["lists"] == 2 else response


def _pii_in_errors(request: Request, response: Response, memo: Memo) -> Response:
    document = request.json()
    email = document.get("email") if isinstance(document, dict) else None
    if response.status < 400 or not email or not _contact_path(request):
        return response
    problem = response.json()
    if not isinstance(problem, dict):
        return response
    problem["detail"] = f"{problem.get('detail', '')} (contact {email})"
    return response.with_json(problem)


def _echo_token_in_401(request: Request, response: Response, memo: Memo) -> Response:
    problem = response.json()
    if response.status != 401 or not isinstance(problem, dict):
        return response
    problem["detail"] = f"rejected credentials: {request.header('authorization') or '(none)'}"
    return response.with_json(problem)


def _frozen_remaining(request: Request, response: Response, memo: Memo) -> Response:
    limit = response.header("x-ratelimit-limit")
    return response.with_header("x-ratelimit-remaining", limit) if limit else response


def _next_page_loops(request: Request, response: Response, memo: Memo) -> Response:
    document = response.json()
    if not request.is_("GET", "/contacts") or not isinstance(document, dict):
        return response
    document["next_page"] = document.get("page", 1)
    return response.with_json(document)


def _wrong_location(request: Request, response: Response, memo: Memo) -> Response:
    if response.status == 201 and request.is_("POST", "/contacts"):
        return response.with_header("Location", "/contacts/ct_00000000000000000000000000")
    return response


def _health(change: Callable[[dict[str, Any]], None]) -> Any:
    return _records(lambda request: request.is_("GET", "/health"), change)


def _slow_health(request: Request, response: Response, memo: Memo) -> Response:
    if request.is_("GET", "/health"):
        return dataclasses.replace(response, delay_s=0.8)
    return response


def _error_code(old: str, new: str) -> Callable[[Request, dict[str, Any]], None]:
    def change(request: Request, problem: dict[str, Any]) -> None:
        error = problem.get("error")
        if isinstance(error, dict) and error.get("code") == old:
            error["code"] = new

    return change


def _status_as_string(request: Request, problem: dict[str, Any]) -> None:
    if isinstance(problem.get("status"), int):
        problem["status"] = str(problem["status"])


def _drop_idempotency_key(request: Request, memo: Memo) -> Request:
    return request.without_header("Idempotency-Key")


def _pages_as_items(request: Request, response: Response, memo: Memo) -> Response:
    document = response.json()
    if request.is_("GET", "/contacts") and isinstance(document, dict) and "data" in document:
        document["items"] = document.pop("data")
        return response.with_json(document)
    return response


# --- the catalogue ------------------------------------------------------------------------------

CONFORMANCE = ("conformance",)

MUTANTS: tuple[Mutant, ...] = (
    # conformance: statuses, bodies, headers, content types
    Mutant(
        name="create_contact_200",
        doc="POST /contacts answers 200 instead of the documented 201",
        families=CONFORMANCE,
        select="createContact and not negative",
        expect="conformance::createContact",
        response=_status("POST", "/contacts", 201, 200),
        fast=True,
    ),
    Mutant(
        name="contact_required_field_dropped",
        doc="contact records lose their required 'email' field",
        families=CONFORMANCE,
        select="(createContact or getContact or listContacts) and not negative",
        expect="conformance::",
        response=_records(_contact_path, _pop("email")),
    ),
    Mutant(
        name="contact_undeclared_field",
        doc="contact records gain an undeclared 'internal_score' (additionalProperties: false)",
        families=("security", "conformance"),
        select="security or (createContact and not negative)",
        expect="security::no_undeclared_fields[contact]",
        response=_records(_contact_path, _put("internal_score", 0.93)),
    ),
    Mutant(
        name="list_wrong_content_type",
        doc="GET /contacts answers its JSON page as text/plain",
        families=CONFORMANCE,
        select="listContacts and not negative",
        expect="conformance::listContacts",
        response=lambda request, response, memo: (
            response.with_header("content-type", "text/plain")
            if request.is_("GET", "/contacts")
            else response
        ),
    ),
    Mutant(
        name="delete_200_no_body",
        doc="DELETE /contacts/{id} answers 200 with an empty body instead of the documented 204",
        families=CONFORMANCE,
        select="deleteContact and not negative",
        expect="conformance::deleteContact",
        response=_status("DELETE", "/contacts/", 204, 200),
    ),
    Mutant(
        name="location_missing",
        doc="POST /contacts 201 comes without its required Location header",
        families=CONFORMANCE,
        select="createContact and not negative",
        expect="conformance::createContact",
        response=lambda request, response, memo: (
            response.without_header("location") if request.is_("POST", "/contacts") else response
        ),
    ),
    Mutant(
        name="location_wrong",
        doc="POST /contacts 201 carries a Location naming a contact that does not exist",
        families=("conformance", "workflows"),
        select="stateful or workflows or (createContact and not negative)",
        expect="conformance::createContact",  # follows the 201's Location
        response=_wrong_location,
    ),
    Mutant(
        name="deal_status_outside_enum",
        doc="deal records carry status 'PENDING', outside the DealStatus enum",
        families=("conformance", "mapping"),
        select="mapping or ((createDeal or getDeal or listDeals) and not negative)",
        expect="conformance::",
        response=_records(_deal_path, _put("status", "PENDING")),
    ),
    Mutant(
        name="problem_status_as_string",
        doc='error bodies carry "status": "400" (a string) where the Problem schema says integer',
        families=("conformance", "errors"),
        select="errors or createContact",
        expect="conformance::",
        response=_problems(_status_as_string),
    ),
    Mutant(
        name="page_items_renamed",
        doc="GET /contacts pages put their records under 'items' instead of 'data'",
        families=("conformance", "mapping"),
        select="listContacts and not negative",
        expect="conformance::listContacts",
        response=_pages_as_items,
    ),
    Mutant(
        name="next_page_loops",
        doc="GET /contacts pages always say next_page = this page (pagination never ends)",
        families=("conformance", "workflows"),
        select="stateful or workflows or (listContacts and not negative)",
        expect="conformance::listContacts",
        response=_next_page_loops,
    ),
    Mutant(
        name="server_error_on_get_deal",
        doc="GET /deals/{id} answers 500 (the documented 5XX) for every deal",
        families=CONFORMANCE,
        select="getDeal",
        expect="conformance::getDeal",
        response=_deal_500,
    ),
    Mutant(
        name="non_ascii_500",
        doc="any POST/PUT/PATCH whose body has a non-ASCII byte answers 500",
        families=CONFORMANCE,
        select="(createContact or updateContact or patchContact or createDeal) and not negative",
        expect="conformance::",
        response=_non_ascii_500,
    ),
    Mutant(
        name="dropped_connection_once",
        doc="the second GET /contacts response is cut off mid-body (connection dropped)",
        families=CONFORMANCE,
        select="listContacts and not negative",
        expect="conformance::listContacts",
        response=_drop_second_list,
    ),
    # mapping: values our transforms must read back
    Mutant(
        name="created_date_reformatted",
        doc="contact created_date comes as '02/12/2026 07:15:52' instead of ISO 8601",
        families=("mapping", "conformance"),
        select="mapping or (createContact and not negative)",
        expect="mapping::contact",
        response=_records(_contact_path, _reformat("created_date", _european_datetime)),
    ),
    Mutant(
        name="close_date_reformatted",
        doc="deal close_date comes as '31/12/2026' instead of an ISO date",
        families=("mapping", "conformance"),
        select="mapping or ((createDeal or getDeal) and not negative)",
        expect="mapping::deal",
        response=_records(_deal_path, _reformat("close_date", _european_date)),
    ),
    Mutant(
        name="email_uppercased",
        doc="contact email comes back upper-cased (the mapping says lower)",
        families=("mapping",),
        expect="mapping::contact",
        response=_records(_contact_path, _reformat("email", str.upper)),
    ),
    # errors: the documented codes and statuses
    Mutant(
        name="error_code_renamed",
        doc="ERR_001 is sent as ERR_01 in error.code",
        families=("errors",),
        expect="errors::provoked[ERR_001]",
        response=_problems(_error_code("ERR_001", "ERR_01")),
        fast=True,
    ),
    Mutant(
        name="conflict_as_400",
        doc="a duplicate contact (ERR_002) answers 400 instead of 409",
        families=("errors",),
        expect="errors::provoked[ERR_002]",
        response=_status("POST", "/contacts", 409, 400),
    ),
    Mutant(
        name="problem_as_plain_json",
        doc="error bodies are sent as application/json instead of application/problem+json",
        families=("conformance", "errors"),
        select="errors or createContact or getContact",
        expect="conformance::",
        response=lambda request, response, memo: (
            response.with_header("content-type", "application/json")
            if response.status >= 400
            else response
        ),
    ),
    Mutant(
        name="unknown_contact_200",
        doc="GET /contacts/{unknown id} answers 200 {} instead of 404 ERR_404",
        families=("errors",),
        expect="errors::provoked[ERR_404]",
        response=_status("GET", "/contacts/", 404, 200, body=b"{}"),
    ),
    Mutant(
        name="missing_token_403",
        doc="a request without a token answers 403 instead of 401 ERR_401",
        families=("errors",),
        expect="errors::provoked[ERR_401]",
        response=lambda request, response, memo: (
            response.with_status(403) if response.status == 401 else response
        ),
    ),
    # auth
    Mutant(
        name="auth_bypass_missing_token",
        doc="requests without Authorization are served (the proxy adds the last issued token)",
        families=("auth",),
        expect="auth::no_bypass",
        request=_grant_missing_token,
        response=_learn_tokens,
        fast=True,
    ),
    Mutant(
        name="auth_bypass_wrong_token",
        doc="requests with a token never issued are served (the proxy swaps in a valid one)",
        families=("auth",),
        expect="auth::no_bypass",
        request=_grant_wrong_token,
        response=_learn_tokens,
    ),
    Mutant(
        name="token_wrong_secret_accepted",
        doc="POST /oauth/token with a wrong client secret issues a token",
        families=("auth",),
        expect="auth::wrong_credentials_rejected",
        request=_accept_any_secret,
        response=_learn_tokens,
    ),
    Mutant(
        name="token_without_expires_in",
        doc="the token response omits its required expires_in",
        families=("auth", "conformance"),
        select="auth or getToken",
        expect="auth::token_issued",
        response=_records(lambda request: request.path == "/oauth/token", _pop("expires_in")),
    ),
    Mutant(
        name="token_type_lowercase",
        doc="the token response says token_type 'bearer' (the schema's enum is 'Bearer')",
        families=("auth", "conformance"),
        select="auth or getToken",
        expect="conformance::getToken",
        response=_records(
            lambda request: request.path == "/oauth/token", _put("token_type", "bearer")
        ),
    ),
    # security
    Mutant(
        name="pii_in_error_body",
        doc="contact error bodies echo the email the request carried",
        families=("security",),
        expect="security::pii_not_exposed[contact]",
        response=_pii_in_errors,
    ),
    Mutant(
        name="token_echoed_in_401",
        doc="401 bodies echo the Authorization header they refused",
        families=("security", "errors", "auth"),
        expect="security::",
        response=_echo_token_in_401,
    ),
    # ratelimit and retry
    Mutant(
        name="ratelimit_remaining_dropped",
        doc="X-RateLimit-Remaining is never sent",
        families=("ratelimit",),
        expect="ratelimit::headers",
        response=_drop_header("x-ratelimit-remaining"),
        fast=True,
    ),
    Mutant(
        name="ratelimit_reset_dropped",
        doc="X-RateLimit-Reset is never sent",
        families=("ratelimit",),
        expect="ratelimit::headers",
        response=_drop_header("x-ratelimit-reset"),
    ),
    Mutant(
        name="ratelimit_remaining_frozen",
        doc="X-RateLimit-Remaining always equals the limit (never decreases)",
        families=("ratelimit",),
        expect="ratelimit::headers",
        response=_frozen_remaining,
    ),
    Mutant(
        name="ratelimit_limit_inflated",
        doc="X-RateLimit-Limit says 600 (the contract declares 60 per minute)",
        families=("ratelimit",),
        expect="ratelimit::headers",
        response=lambda request, response, memo: (
            response.with_header("x-ratelimit-limit", "600")
            if response.header("x-ratelimit-limit")
            else response
        ),
    ),
    Mutant(
        name="retry_after_missing_on_429",
        doc="429 responses come without Retry-After",
        families=("ratelimit", "retry"),
        expect="retry::retry_after_sent",
        response=_drop_header("retry-after", statuses=range(429, 430)),
    ),
    Mutant(
        name="retry_after_not_a_number",
        doc="429 responses say Retry-After: soon",
        families=("ratelimit", "retry"),
        expect="retry::retry_after_sent",
        response=_set_header("Retry-After", "soon", statuses=range(429, 430)),
    ),
    Mutant(
        name="retry_after_a_day",
        doc="429 responses say Retry-After: 86400 for a 1-minute window",
        families=("ratelimit", "retry"),
        expect="ratelimit::enforced",
        response=_set_header("Retry-After", "86400", statuses=range(429, 430)),
    ),
    Mutant(
        name="retry_after_zero",
        doc="429 responses say Retry-After: 0 while the window is still exhausted",
        families=("ratelimit", "retry"),
        expect="ratelimit::enforced",
        response=_set_header("Retry-After", "0", statuses=range(429, 430)),
    ),
    Mutant(
        name="idempotency_key_ignored",
        doc="the Idempotency-Key header is stripped: a retried POST creates a duplicate",
        families=("retry",),
        expect="retry::",
        request=_drop_idempotency_key,
    ),
    # health and compliance
    Mutant(
        name="health_slow",
        doc="GET /health takes 800 ms (max_latency_ms is 500)",
        families=("health",),
        expect="health::getHealth",
        response=_slow_health,
        fast=True,
    ),
    Mutant(
        name="health_503",
        doc="GET /health answers 503 (expect_status 200)",
        families=("health",),
        expect="health::getHealth",
        response=_status("GET", "/health", 200, 503),
    ),
    Mutant(
        name="health_degraded",
        doc="GET /health reports status 'degraded'",
        families=("health",),
        expect="health::getHealth",
        response=_health(_put("status", "degraded")),
    ),
    Mutant(
        name="health_version_drift",
        doc="GET /health reports version 1.1.0 (the contract is 1.2.0)",
        families=("health", "compliance"),
        expect="compliance::api_version_matches",
        response=_health(_put("version", "1.1.0")),
    ),
    Mutant(
        name="api_version_header_drift",
        doc="every response carries X-API-Version: 0.9 (the contract is 1.2.0, headers 1.0)",
        families=("compliance",),
        expect="compliance::api_version_matches",
        response=_set_header("X-API-Version", "0.9"),
    ),
    Mutant(
        name="everything_slow",
        doc="every response is held 300 ms (performance declares avg 200 ms, p95 500 ms)",
        families=("health", "performance"),
        expect="performance::",  # the family that should judge avg_ms/p95_ms
        response=lambda request, response, memo: dataclasses.replace(response, delay_s=0.3),
    ),
    # webhooks: the deliveries the sandbox sends to harness's receiver
    Mutant(
        name="webhook_bad_signature",
        doc="webhook-signature is corrupted (one base64 character changed)",
        families=("webhooks",),
        expect="webhooks::event",
        delivery=_bad_signature,
        fast=True,
    ),
    Mutant(
        name="webhook_unsigned",
        doc="deliveries come without webhook-signature",
        families=("webhooks",),
        expect="webhooks::event",
        delivery=lambda request, memo: request.without_header("webhook-signature"),
    ),
    Mutant(
        name="webhook_new_id_on_retry",
        doc="the retry of a delivery carries a new webhook-id (re-signed, so only the id is wrong)",
        families=("webhooks",),
        expect="webhooks::event",
        delivery=_new_id_on_retry,
    ),
    Mutant(
        name="webhook_not_retried",
        doc="the receiver's 500 is reported to the sandbox as 200, so nothing is retried",
        families=("webhooks",),
        expect="webhooks::event",
        delivery_response=_swallow_failure,
    ),
    Mutant(
        name="webhook_stale_timestamp",
        doc="webhook-timestamp is an hour old (re-signed; tolerance_s is 300)",
        families=("webhooks",),
        expect="webhooks::event",
        delivery=_stale_timestamp,
    ),
    Mutant(
        name="webhook_payload_missing_email",
        doc="contact event payloads lose data.email (re-signed, so only the schema is wrong)",
        families=("webhooks",),
        expect="webhooks::event[contact",
        delivery=_payload_without_email,
    ),
)

_BY_NAME = {mutant.name: mutant for mutant in (BASELINE, *MUTANTS)}


def mutant_named(name: str) -> Mutant:
    """The mutant called ``name`` (or the baseline), with a helpful error for a typo."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ValueError(f"no mutant named {name!r}; known: {known}") from None
