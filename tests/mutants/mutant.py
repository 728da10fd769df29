"""``Mutant``: one named vendor fault, as hooks that rewrite traffic at the HTTP level."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.mutants.wire import Request, Response

Memo = dict[str, Any]  # per-proxy state a mutant keeps between exchanges (tokens seen, counts)
RequestHook = Callable[[Request, Memo], Request]
ResponseHook = Callable[[Request, Response, Memo], Response]


@dataclass(frozen=True, slots=True, kw_only=True)
class Mutant:
    """A vendor fault: what changes on the wire, and which check must see it.

    ``request``/``response`` rewrite API traffic (harness → sandbox → harness);
    ``delivery``/``delivery_response`` rewrite webhook deliveries (sandbox → harness's
    receiver → sandbox). ``families`` are the families run against it (those that can see
    it), ``select`` optionally narrows them (``-k``, e.g. one operation's conformance check);
    ``expect`` is the check id (``family::name``, a prefix) that must fail.
    """

    name: str
    doc: str
    families: tuple[str, ...]
    expect: str
    request: RequestHook | None = None
    response: ResponseHook | None = None
    delivery: RequestHook | None = None
    delivery_response: ResponseHook | None = None
    select: str = ""  # a pytest -k expression narrowing the run to the checks that matter
    fast: bool = False  # part of the CI subset

    def on_request(self, request: Request, memo: Memo) -> Request:
        return self.request(request, memo) if self.request else request

    def on_response(self, request: Request, response: Response, memo: Memo) -> Response:
        return self.response(request, response, memo) if self.response else response

    def on_delivery(self, request: Request, memo: Memo) -> Request:
        return self.delivery(request, memo) if self.delivery else request

    def on_delivery_response(self, request: Request, response: Response, memo: Memo) -> Response:
        return (
            self.delivery_response(request, response, memo) if self.delivery_response else response
        )


BASELINE = Mutant(
    name="baseline",
    doc="the unmutated proxy: everything forwarded unchanged",
    families=(),
    expect="",
)
