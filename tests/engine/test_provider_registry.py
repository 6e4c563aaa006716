"""The provider registry's rules: a ban covers both its first and its last day and nothing outside them, a
lifted ban bars nobody, overlapping bans report the one ending last; a project's credit record is one entry
replaced on re-evaluation; only providers are in the registry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.demo.seed import seed_users
from engine.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from engine.identity import organizations, users
from engine.identity.users import Principal
from engine.registry import credit
from engine.service import Engine
from engine.store.models import BlacklistEntry, CreditRecord, Organization

NOW = datetime(2026, 3, 1, 4, tzinfo=UTC)
BOGEDA = "新疆博格达检验检测有限公司"


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    seed_users(engine)
    with engine.unit_of_work(write=True) as uow:
        yield uow.session


def _principal(session: Session, username: str) -> Principal:
    return users.principal(session, users.get_user(session, username))


def _provider(session: Session) -> Organization:
    return organizations.get_organization(session, "650100", BOGEDA)


def _ban(session: Session, starts: date, ends: date, reason: str = "围标") -> BlacklistEntry:
    return credit.add_ban(session, _principal(session, "finance_reviewer_urumqi"), _provider(session).id,
                          reason=reason, source="", starts_on=starts, ends_on=ends, now=NOW)  # fmt: skip


def test_a_ban_covers_its_first_and_last_day_only(session: Session) -> None:
    _ban(session, date(2026, 3, 1), date(2026, 3, 31))
    provider = _provider(session).id
    assert credit.active_ban(session, provider, date(2026, 2, 28)) is None
    assert credit.active_ban(session, provider, date(2026, 3, 1)) is not None
    assert credit.active_ban(session, provider, date(2026, 3, 31)) is not None
    assert credit.active_ban(session, provider, date(2026, 4, 1)) is None


def test_overlapping_bans_report_the_one_ending_last_and_a_lifted_ban_bars_nobody(session: Session) -> None:
    short = _ban(session, date(2026, 1, 1), date(2026, 6, 30), "first")
    long = _ban(session, date(2026, 3, 1), date(2027, 2, 28), "second")
    provider = _provider(session).id
    found = credit.active_ban(session, provider, date(2026, 4, 1))
    assert found is not None and found.id == long.id
    assert "2027-02-28" in credit.ban_message(found) and "second" in credit.ban_message(found)
    credit.lift_ban(session, _principal(session, "manager_urumqi"), long.id, reason="复议撤销", now=NOW)
    found = credit.active_ban(session, provider, date(2026, 4, 1))
    assert found is not None and found.id == short.id
    assert credit.active_ban(session, provider, date(2026, 8, 1)) is None


def test_a_re_evaluation_replaces_the_projects_credit_entry(session: Session) -> None:
    provider = _provider(session).id
    for grade, score in (("合格", 72.0), ("良", 85.5)):
        credit.record_credit(session, organization_id=provider, instance_id=41, grade=grade, score=score,
                             source="evaluate", recorded_by="evaluator_urumqi", now=NOW)  # fmt: skip
    credit.record_credit(session, organization_id=provider, instance_id=42, grade="优", score=None,
                         source="evaluate", recorded_by="evaluator_urumqi", now=NOW)  # fmt: skip
    rows = session.scalars(select(CreditRecord).where(CreditRecord.organization_id == provider)).all()
    assert sorted((r.instance_id, r.grade, r.score) for r in rows) == [(41, "良", 85.5), (42, "优", None)]


def test_only_providers_are_in_the_registry_and_only_keepers_write_it(session: Session) -> None:
    agent = organizations.get_organization(session, "650100", "乌鲁木齐市诚信招标代理有限公司")
    with pytest.raises(NotFoundError):
        credit.add_ban(session, _principal(session, "manager_urumqi"), agent.id, reason="x", source="",
                       starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2), now=NOW)  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        credit.add_qualification(session, _principal(session, "agent_urumqi"), _provider(session).id,
                                 name="检验检测机构资质认定证书", now=NOW)  # fmt: skip
    with pytest.raises(InvalidDataError) as refused:
        credit.add_qualification(session, _principal(session, "manager_region"), _provider(session).id, name="CMA",
                                 valid_from="2026-05-01", valid_until="2026-04-30", now=NOW)  # fmt: skip
    assert set(refused.value.errors) == {"valid_until"}
