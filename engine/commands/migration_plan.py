"""A migration plan — which projects move from which versions to which — checked before anything moves.

A plan is refused as a whole (422, nothing written) when it cannot mean anything: an unknown version,
sources of another process than the target, a mapping naming an element that does not exist on either
side. Which projects it matches is decided here too, so a dry run and the batch after it see the same ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import InvalidDataError, NotFoundError
from ..spiff.repoint import element_ids
from ..spiff.runtime import build_spec_set
from ..store.models import ProcessInstance, ProcessVersion
from .instances import CANCELLED, COMPLETED, RUNNING, SUSPENDED

STATUSES = (RUNNING, SUSPENDED, COMPLETED, CANCELLED)


@dataclass(frozen=True)
class Plan:
    """Source versions, the target, old element id → new id, and the filters on the projects."""

    sources: tuple[int, ...]
    target: int
    mapping: Mapping[str, str] = field(default_factory=dict)
    locality: str | None = None
    stage: str | None = None
    statuses: tuple[str, ...] = (RUNNING, SUSPENDED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": list(self.sources),
            "to": self.target,
            "mapping": dict(self.mapping),
            "locality": self.locality,
            "stage": self.stage,
            "status": list(self.statuses),
        }


@dataclass(frozen=True)
class CheckedPlan:
    """A plan whose versions exist and agree, with the process they are versions of."""

    plan: Plan
    process_key: str
    target: ProcessVersion


def check(session: Session, plan: Plan) -> CheckedPlan:
    target = session.get(ProcessVersion, plan.target)
    if target is None:
        raise NotFoundError(f"version {plan.target} does not exist")
    if not plan.sources:
        raise _refused("from", "name at least one version to move projects from")
    sources = [session.get(ProcessVersion, vid) for vid in plan.sources]
    for vid, source in zip(plan.sources, sources, strict=True):
        if source is None:
            raise NotFoundError(f"version {vid} does not exist")
        if source.process_key != target.process_key:
            raise _refused("from", f"version {vid} is of {source.process_key}, not of {target.process_key}")
        if vid == plan.target:
            raise _refused("from", f"version {vid} is the target itself")
    unknown = sorted(set(plan.statuses) - set(STATUSES))
    if unknown:
        raise _refused("status", f"unknown status {', '.join(unknown)}")
    _check_mapping(plan.mapping, [s for s in sources if s is not None], target)
    return CheckedPlan(plan, target.process_key, target)


def matching(session: Session, checked: CheckedPlan, localities: set[str] | None) -> list[int]:
    """Ids of the projects the plan names, oldest first; ``localities`` (None: any) is where the caller
    may migrate. Only ids, locality and bindings are read: the states are loaded one by one later."""
    plan = checked.plan
    query = select(ProcessInstance.id, ProcessInstance.bound_versions, ProcessInstance.locality_code).where(
        ProcessInstance.status.in_(plan.statuses)
    )
    if plan.locality:
        query = query.where(ProcessInstance.locality_code == plan.locality)
    if plan.stage:
        query = query.where(ProcessInstance.stage == plan.stage)
    sources = set(plan.sources)
    return [
        row.id
        for row in session.execute(query.order_by(ProcessInstance.id))
        if (row.bound_versions or {}).get(checked.process_key) in sources
        and (localities is None or row.locality_code in localities)
    ]


def _check_mapping(mapping: Mapping[str, str], sources: Sequence[ProcessVersion], target: ProcessVersion) -> None:
    new_ids = _elements(target)
    old_ids = set().union(*(_elements(source) for source in sources))
    errors: dict[str, list[str]] = {}
    for old, new in mapping.items():
        if old not in old_ids:
            errors.setdefault(old, []).append(f"{old} is not an element of the source versions")
        if new not in new_ids:
            errors.setdefault(old, []).append(f"{new} is not an element of version {target.id}")
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidDataError(f"mapping: {first}", errors={f"mapping.{k}": v for k, v in errors.items()})


def _elements(version: ProcessVersion) -> set[str]:
    specs = build_spec_set(version.process_key, {version.process_key: (version.id, version.spec)})
    return set().union(element_ids(specs.spec), *(element_ids(s) for s in specs.subprocess_specs.values()))


def _refused(field_name: str, message: str) -> InvalidDataError:
    return InvalidDataError(f"{field_name}: {message}", errors={field_name: [message]})
