"""Read units of work: what they read stays readable, what they change is never kept, and on PostgreSQL
they end without costing the connection its prepared statements (psycopg forgets them on ROLLBACK)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from engine.service import Engine
from engine.store.models import Locality


def test_a_change_made_in_a_read_unit_is_not_kept(engine: Engine) -> None:
    with engine.unit_of_work() as uow:
        uow.session.add(Locality(code="659999", name_zh="测试市", name_en="Test City", parent_code="650000"))
        region = uow.session.get_one(Locality, "650000")
        region.name_zh = "改过的名字"
    assert region.name_zh == "改过的名字"  # still readable after the block, not expired
    with engine.unit_of_work() as uow:
        assert uow.session.get(Locality, "659999") is None
        assert uow.session.get_one(Locality, "650000").name_zh == "自治区本级"


def test_on_postgresql_a_read_unit_refuses_a_write(engine: Engine) -> None:
    if engine.db.dialect.name != "postgresql":
        pytest.skip("SQLite has no read-only transactions; its read units roll back")
    with pytest.raises(DBAPIError, match="read-only transaction"), engine.unit_of_work() as uow:
        uow.session.execute(update(Locality).where(Locality.code == "650000").values(name_zh="改过的名字"))
    with engine.unit_of_work() as uow:
        assert uow.session.get_one(Locality, "650000").name_zh == "自治区本级"


def test_on_postgresql_reads_keep_the_connections_prepared_statements(engine: Engine) -> None:
    """A statement run often is prepared by psycopg (after five runs); a read that ended with ROLLBACK made
    it forget them all, so pages and worker fetches kept parsing and planning their statements afresh."""
    if engine.db.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements")
    for _ in range(8):
        with engine.unit_of_work() as uow:
            assert uow.session.scalars(select(Locality.code).where(Locality.parent_code == "650000")).all()
    with engine.unit_of_work() as uow:
        prepared = uow.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert any("locality.parent_code" in statement for statement in prepared), prepared
