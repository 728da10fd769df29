"""Which error responses the errors family judges against the contract's error table."""

from __future__ import annotations

from harness.checks.errors.table import ErrorTable
from harness.contract.model import ErrorCode, ErrorMatch
from harness.transports.exchange import Exchange, ExchangeRequest, ExchangeResponse

ERR_404 = ErrorCode(code="ERR_404", status=404, match=ErrorMatch(body="error.code"))


def _exchange(method: str, status: int) -> Exchange:
    return Exchange(
        request=ExchangeRequest(method=method, url="http://h/contacts"),
        response=ExchangeResponse(status=status),
        started_at=0.0,
        elapsed_s=0.01,
        operation_id=None,
    )


def test_protocol_refusals_are_not_judged_unless_declared() -> None:
    table = ErrorTable(codes=(ERR_404,))
    assert not table.judged(_exchange("TRACE", 405))
    assert not table.judged(_exchange("QUERY", 501))
    assert table.judged(_exchange("GET", 404))
    declared = ErrorTable(codes=(ERR_404, ErrorCode(code="NO_METHOD", status=405)))
    assert declared.judged(_exchange("TRACE", 405))
