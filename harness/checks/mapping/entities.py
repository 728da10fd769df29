"""Family ``mapping``: each entity mapping of the guide, checked property by property.

Per entity: ``forward`` (our generated entities map to a payload their request schema accepts),
``backward`` (their generated and real records map to entities our schema accepts),
``round_trip`` (ours → theirs → ours and theirs → ours → theirs keep every exact field),
``coverage`` (required fields filled, unmapped fields listed, types agree), ``validation``
(the guide's field rules enforced by ours and accepted by theirs) and ``stored`` (a record
created through the contract reads back as sent; see ``stored.py``). A failure names the
minimal counterexample, both field paths, the transform, expected vs received and the
contract line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from harness.checks.base import Check, CheckRuntime, Verdict, inconclusive
from harness.checks.mapping.examples import (
    Counterexample,
    NoExamples,
    real_objects,
    run_property,
)
from harness.checks.mapping.rules import coverage, rule_problems
from harness.checks.mapping.stored import check_stored
from harness.contract import Contract
from harness.contract.model import EntityMapping
from harness.errors import CheckFailure
from harness.mapping.entity import (
    Direction,
    EntityPlan,
    FieldMappingError,
    FieldPlan,
    difference,
    entity_spec_problems,
    map_entity,
    plan_entity,
    read_paths,
    same_value,
)
from harness.mapping.entity_schema import EntitySchemas, entity_schemas, validator
from harness.mapping.errors import TransformSpecError, show

Claim = Callable[[CheckRuntime, EntityPlan, EntitySchemas], Verdict]


def plan(contract: Contract) -> list[Check]:
    """Six checks per entity mapping (``stored`` only where a create operation is named)."""
    claims: dict[str, tuple[Claim, str]] = {
        "forward": (check_forward, "ours → theirs payloads are valid against their schema"),
        "backward": (check_backward, "theirs → ours entities are valid against our schema"),
        "round_trip": (check_round_trip, "exact fields survive ours → theirs → ours and back"),
        "coverage": (check_coverage, "required fields are filled and types agree"),
        "validation": (check_validation, "field validation rules hold on both sides"),
        "stored": (check_stored, "a created record reads back as sent, changed only as declared"),
    }
    return [
        Check(
            family="mapping",
            name=f"{entity.name}.{claim}",
            run=partial(_run, entity=entity, claim=function),
            description=f"{entity.name}: {text}",
            loc=entity.loc,
            mutating=claim == "stored",
        )
        for entity in contract.mappings.values()
        for claim, (function, text) in claims.items()
        if claim != "stored" or entity.operation
    ]


def _run(context: CheckRuntime, *, entity: EntityMapping, claim: Claim) -> Verdict:
    try:
        entity_plan = plan_entity(entity)
    except TransformSpecError:
        problems = entity_spec_problems(entity)
        raise CheckFailure(
            "; ".join(f"{p.message} (contract {p.location}); {p.hint}" for p in problems)
        ) from None
    schemas = context.shared(
        f"mapping.schemas.{entity.name}", partial(entity_schemas, context.contract, entity)
    )
    try:
        return claim(context, entity_plan, schemas)
    except NoExamples as exc:
        return inconclusive(f"{entity.name}: {exc}; check the schema's constraints")


def _label(plan: EntityPlan, field: FieldPlan, direction: Direction) -> str:
    ours, theirs = f"{plan.name}.{field.ours_text}", field.theirs_text
    arrow = f"{ours} → {theirs}" if direction is Direction.FORWARD else f"{theirs} → {ours}"
    return f"{arrow} ({field.transform.name})"


def _field_failure(plan: EntityPlan, error: FieldMappingError) -> Counterexample:
    field = error.field
    return Counterexample(
        f"{_label(plan, field, error.direction)}: {show(error.value)} cannot be mapped: "
        f"{error.reason} (contract {field.mapping.loc})"
    )


def _table(plan: EntityPlan, direction: str, checked: int, status: str) -> list[dict[str, Any]]:
    return [
        {
            "field": f"{field.ours_text} ↔ {field.theirs_text}",
            "direction": direction,
            "transform": field.transform.name,
            "checked": checked,
            "status": status if direction != "round_trip" or field.exact else "lossy: not demanded",
        }
        for field in plan.fields
    ]


def _verdict(plan: EntityPlan, direction: str, checked: int, note: str = "") -> Verdict:
    message = f"{plan.name}: {direction} held for {checked} example(s){note}"
    return Verdict(
        message=message,
        data={"entity": plan.name, "table": _table(plan, direction, checked, "passed")},
    )


def _fail(plan: EntityPlan, direction: str, exc: AssertionError) -> CheckFailure:
    data: dict[str, object] = {"entity": plan.name, "table": _table(plan, direction, 0, "failed")}
    return CheckFailure(str(exc).split("\n")[0], data=data)


def _validate(plan: EntityPlan, judge: Any, payload: Any, label: str, mapped_from: Any) -> None:
    errors = sorted(judge.iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "/".join(str(part) for part in error.absolute_path) or "(the object)"
        raise Counterexample(
            f"{plan.name}: {show(mapped_from)} maps to a payload {label} rejects at {where}: "
            f"{error.message} (contract {plan.loc})"
        )


def request_payload(theirs: dict[str, Any], schemas: EntitySchemas) -> dict[str, Any]:
    """What is sent: vendor-set (readOnly) fields and nulls (ours 'unknown') left out."""
    read_only = schemas.read_only()
    return {k: v for k, v in theirs.items() if k not in read_only and v is not None}


def check_forward(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    judge = validator(schemas.request)

    def claim(ours: Any) -> None:
        try:
            theirs = map_entity(plan, ours, Direction.FORWARD)
        except FieldMappingError as error:
            raise _field_failure(plan, error) from None
        _validate(plan, judge, request_payload(theirs, schemas), schemas.request_label, ours)

    try:
        checked = run_property(
            schemas.ours, examples=context.settings.examples, seed=context.seed, claim=claim
        )
    except Counterexample as exc:
        raise _fail(plan, "forward", exc) from None
    return _verdict(plan, "forward", checked)


def check_backward(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    rejected: list[str] = []
    judge = validator(schemas.ours)

    def claim(theirs: Any, *, real: bool = False) -> None:
        try:
            ours = map_entity(plan, theirs, Direction.BACKWARD)
        except FieldMappingError as error:
            if real:
                raise _field_failure(plan, error) from None
            rejected.append(str(_field_failure(plan, error)))  # refused loudly, not corrupted
            return
        _validate(plan, judge, ours, "our schema", theirs)

    try:
        real = real_objects(context, plan.mapping)
        for record in real.records:
            claim(record, real=True)
        checked = run_property(
            schemas.theirs, examples=context.settings.examples, seed=context.seed, claim=claim
        )
    except Counterexample as exc:
        raise _fail(plan, "backward", exc) from None
    note = f" and {len(real.records)} real record(s)"
    if not real.asked:  # no operation lists them: the generated records are all there is
        note = f" (no GET without path parameters lists {plan.name} records)"
    if rejected:
        note += f"; {len(rejected)} generated record(s) refused with an error, e.g. {rejected[0]}"
    if real.asked and not real.records:
        asked = "; ".join(real.asked)
        return inconclusive(
            f"{plan.name}: backward held for {checked} generated example(s), but no real "
            f"{plan.name} record of the vendor was seen ({asked}); its own data was not judged",
            data={"entity": plan.name, "generated": checked, "asked": list(real.asked)},
        )
    return _verdict(plan, "backward", checked + len(real.records), note)


def _compared_fields(plan: EntityPlan) -> list[FieldPlan]:
    """The fields a round trip must keep: exact and mapped both ways."""
    return [field for field in plan.fields if field.exact and not field.one_way]


def _round_trip_claim(
    plan: EntityPlan, start: Direction, compared: list[int]
) -> Callable[[Any], None]:
    back = Direction.BACKWARD if start is Direction.FORWARD else Direction.FORWARD

    def claim(original: Any) -> None:
        try:
            there = map_entity(plan, original, start)
            again = map_entity(plan, there, back)
        except FieldMappingError:
            return  # forward/backward validity report values that do not map
        compared[0] += 1
        for field in _compared_fields(plan):
            sources = field.paths(start)[0]
            expected, received = read_paths(original, sources), read_paths(again, sources)
            if not same_value(expected, received, amounts=field.transform.name == "money"):
                raise Counterexample(
                    f"{_label(plan, field, Direction.FORWARD)}: {show(expected)} came back as "
                    f"{show(received)}: {difference(expected, received)} "
                    f"(contract {field.mapping.loc})"
                )

    return claim


def check_round_trip(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    if not _compared_fields(plan):
        return inconclusive(
            f"{plan.name}: no field is exact and mapped both ways; a round trip keeps nothing"
        )
    checked, compared = 0, [0]
    try:
        for schema, start in (
            (schemas.ours, Direction.FORWARD),
            (schemas.theirs, Direction.BACKWARD),
        ):
            checked += run_property(
                schema,
                examples=context.settings.examples,
                seed=context.seed,
                claim=_round_trip_claim(plan, start, compared),
            )
    except Counterexample as exc:
        raise _fail(plan, "round_trip", exc) from None
    if not compared[0]:
        return inconclusive(
            f"{plan.name}: none of the {checked} generated example(s) mapped both ways "
            "(each was refused by a transform); nothing was compared"
        )
    return _verdict(plan, "round_trip", min(compared[0], checked))


def check_coverage(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    found = coverage(plan, schemas)
    data: dict[str, object] = {
        "entity": plan.name,
        "unmapped_ours": list(found.unmapped_ours),
        "unmapped_theirs": list(found.unmapped_theirs),
        "table": _table(plan, "coverage", 0, "failed" if found.problems else "passed"),
    }
    if found.problems:
        raise CheckFailure("; ".join(found.problems), data=data)
    unmapped = ", ".join(found.unmapped_ours + found.unmapped_theirs) or "none"
    return Verdict(
        message=f"{plan.name}: every required field is mapped; unmapped: {unmapped}", data=data
    )


def check_validation(context: CheckRuntime, plan: EntityPlan, schemas: EntitySchemas) -> Verdict:
    problems = [p for field in plan.fields for p in rule_problems(plan.name, field, schemas)]
    ruled = sum(field.mapping.validate is not None for field in plan.fields)
    data: dict[str, object] = {
        "entity": plan.name,
        "table": _table(plan, "validation", ruled, "failed" if problems else "passed"),
    }
    if problems:
        raise CheckFailure("; ".join(problems), data=data)
    if not ruled:
        return inconclusive(
            f"{plan.name}: no field mapping declares a validate rule; nothing to compare",
            data=data,
        )
    return Verdict(message=f"{plan.name}: {ruled} field rule(s) hold on both sides", data=data)
