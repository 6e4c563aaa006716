"""Database engines and sessions, tuned per backend.

SQLite is the zero-setup default: WAL so readers never wait for the writer, and write commands open
their transaction with ``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way.
PostgreSQL is production: write commands lock the instance row with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import sessionmaker

#: What a database that is down, restarting or refusing connections raises (the web app answers 503).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

WRITE_OPTION = "servflow_write"
#: A PostgreSQL transaction that refuses writes (psycopg begins it ``BEGIN READ ONLY``, no round trip more).
READ_ONLY_OPTIONS = {"postgresql_readonly": True}


def make_engine(database_url: str, **kwargs: Any) -> SAEngine:
    """Create a SQLAlchemy engine; for SQLite also the folder of its file."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(database_url, **kwargs)


def _sqlite_engine(database_url: str, **kwargs: Any) -> SAEngine:
    url = make_url(database_url)
    if url.database and url.database != ":memory:":
        from pathlib import Path

        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
    engine = create_engine(database_url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_session_factory(engine: SAEngine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def is_sqlite(engine: SAEngine) -> bool:
    return engine.dialect.name == "sqlite"
