"""Driving a shipped 乌鲁木齐 project to a stage the way its people would, for tests that start there."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.demo.driver import Driver
from engine.demo.seed import party_actor
from engine.service import Engine
from engine.store.models import Organization


def registered(session: Session, kind: str) -> Organization:
    """The first registered organization of ``kind`` in 乌鲁木齐 (the demo registers a few of each)."""
    stmt = select(Organization).where(Organization.kind == kind, Organization.locality_code == "650100")
    return session.scalars(stmt.order_by(Organization.id)).first()


def award_answers(engine: Engine, application: dict[str, Any], award: float = 760_000) -> dict[str, Any]:
    """Answers from the application to the award: a registered agent, three bids, a registered provider
    ranked first and confirmed."""
    agent, provider = (engine.read(registered, kind) for kind in ("procurement_agent", "provider"))
    return {
        "submit_application": application,
        "publish_notice": {"agent_name": agent.name, "agent_credit_code": agent.credit_code},
        "record_bids": {"bid_count": 3},
        "evaluate_bids": {"candidates": [{"candidate_rank": 1, "supplier_name": provider.name,
                                          "credit_code": provider.credit_code, "bid_amount": award, "score": 91.5}]},
        "confirm_winner": {"winner_name": provider.name, "winner_credit_code": provider.credit_code,
                           "award_amount": award},
    }  # fmt: skip


def drive(engine: Engine, instance_id: int, answers: dict[str, Any], stop_at: Collection[str]) -> None:
    Driver(engine, actor=party_actor(engine)).run(instance_id, answers, stop_at=set(stop_at))
