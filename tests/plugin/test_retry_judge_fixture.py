"""``harness_retry_judge``: users judge *their* client's retries against the declared policy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ACME = Path(__file__).parents[2] / "contracts" / "acme-crm"

USER_TESTS = '''
import time

import httpx
import pytest

pytestmark = pytest.mark.harness_contract("contracts/acme-crm")


def polite_client(base_url, pauses):
    """A user's client: retries 503 after the given pauses."""
    for pause in [*pauses, None]:
        response = httpx.get(base_url + "/health")
        if response.status_code != 503 or pause is None:
            return response
        time.sleep(pause)


def test_compliant(harness_retry_judge, harness_sandbox):
    verdict = harness_retry_judge(
        lambda: polite_client(harness_sandbox.base_url, [0.05, 0.1]), operation="getHealth"
    )
    assert verdict, verdict.message
    assert verdict.attempts == 3


def test_impatient(harness_retry_judge, harness_sandbox):
    verdict = harness_retry_judge(
        lambda: polite_client(harness_sandbox.base_url, [0.0, 0.0, 0.0]),
        operation="getHealth",
        faults=(503, 503, 503),
    )
    assert not verdict
    print("VERDICT:", verdict.message)


def test_retry_after_ignored(harness_retry_judge, harness_sandbox):
    verdict = harness_retry_judge(
        lambda: polite_client(harness_sandbox.base_url, [0.0]),
        operation="getHealth",
        faults=(503,),
        retry_after_s=1,
    )
    assert not verdict
    print("VERDICT:", verdict.message)
'''


def test_the_fixture_judges_a_users_client(pytester: pytest.Pytester) -> None:
    shutil.copytree(ACME, pytester.path / "contracts" / "acme-crm")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("test_user.py", "-s")
    result.assert_outcomes(passed=3)
    output = result.stdout.str()
    assert "made 4 attempts; policy allows at most 3" in output
    assert "policy requires >= 1 s (Retry-After: 1 s)" in output
