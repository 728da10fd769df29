"""What conformance reached (Reached) and where known-good ids come from (resources)."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from harness.checks.conformance.reached import Reached
from harness.checks.conformance.resources import Creator, creators_for, extract

TARGETS = Path(__file__).parents[1] / "targets" / "auth_schemes"


def test_a_tally_says_how_often_success_was_reached() -> None:
    reached = Reached()
    for status in (200, 404, 404, None):
        reached.add(status)
    assert reached.summary() == "reached 2xx in 1/4 examples (1x 200, 2x 404, 1x dropped)"
    assert reached.data()["statuses"] == {"200": 1, "404": 2, "dropped": 1}


def test_credentials_that_broke_after_a_success() -> None:
    reached = Reached()
    for status in (200, 201, 401, 401, 401):
        reached.add(status)
    assert reached.auth_broke()
    assert not reached.only_refusals()
    refused = Reached(statuses=[401, 403])
    assert refused.only_refusals()
    assert not refused.auth_broke()


def test_a_link_from_a_creator_fills_the_path_parameter() -> None:
    raw = yaml.safe_load((TARGETS / "openapi.yaml").read_text())
    found = creators_for(raw, "getWidget", ["widget_id"])
    assert found == [
        Creator(operation_id="createWidget", parameters=(("widget_id", "$response.body#/id"),))
    ]
    assert creators_for(raw, "listWidgets", []) == []


def test_values_are_read_from_the_creators_answer() -> None:
    creator = Creator(operation_id="c", parameters=(("widget_id", "$response.body#/id"),))
    assert extract(creator, httpx.Response(201, json={"id": "w7"})) == {"widget_id": "w7"}
    assert extract(creator, httpx.Response(201, json={"name": "no id"})) == {}
    assert extract(creator, httpx.Response(201, text="not json")) == {}
