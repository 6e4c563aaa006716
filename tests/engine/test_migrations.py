"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL, and the newest one
goes down and up again (a grant within an organization is lost going down, every other grant is kept)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from engine.compose import build_engine
from engine.identity.organizations import create_organization
from engine.identity.users import create_user, grant
from engine.store.migrate import alembic_config, upgrade
from engine.store.models import Base, RoleGrant


def test_the_migrated_schema_is_the_models_schema(database_url: str) -> None:
    db = create_engine(database_url)
    try:
        with db.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        db.dispose()


def test_organizations_migrate_down_and_up(blank_url: str) -> None:
    upgrade(blank_url)
    engine = build_engine(blank_url, deadlines=False)
    engine.ensure_localities()
    with engine.unit_of_work(write=True) as uow:
        bureau = create_organization(uow.session, "finance_bureau", "650100", "乌鲁木齐市财政局")
        person = create_user(uow.session, "reviewer", "pw", "审核人")
        grant(uow.session, person, "finance_reviewer", "650100", organization=bureau)
        grant(uow.session, person, "auditor", "650000")
        uow.commit()

    command.downgrade(alembic_config(blank_url), "0005_sessions_sign_in_limit")
    tables = inspect(engine.db).get_table_names()
    assert "organization" not in tables and "membership" not in tables
    assert "organization_id" not in {c["name"] for c in inspect(engine.db).get_columns("role_grant")}
    with engine.db.connect() as connection:
        roles = connection.execute(select(RoleGrant.__table__.c.role).order_by("role")).scalars().all()
    assert roles == ["auditor", "finance_reviewer"]

    upgrade(blank_url)
    with engine.unit_of_work() as uow:
        assert [g.organization_id for g in uow.session.scalars(select(RoleGrant))] == [None, None]
    engine.dispose()
