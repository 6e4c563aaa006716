"""One command, one transaction.

``with UnitOfWork(factory, write=True) as uow: …; uow.commit()`` — anything that leaves the block
without ``commit()`` is rolled back, so a crash or an exception never leaves half a step behind.

A read unit on PostgreSQL runs in a ``READ ONLY`` transaction and, when it ends normally with nothing
pending, ends it with ``COMMIT``: the database has refused any write in it, so that is the rollback's
effect, without its cost — psycopg forgets every prepared statement of a connection on ``ROLLBACK`` (it may
have undone the objects they name), so each read would send the next requests on that connection back to
parsing and planning their statements afresh (bench/RESULTS.md §7).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import ConflictError
from .db import READ_ONLY_OPTIONS, WRITE_OPTION, is_sqlite


@contextmanager
def conflicts_reported(what: str = "this") -> Iterator[None]:
    """A concurrent change found while writing (flush or commit) is a conflict to retry, never a crash."""
    try:
        yield
    except StaleDataError:
        raise ConflictError(f"someone else changed {what} at the same time; reload and retry") from None
    except IntegrityError as exc:
        raise ConflictError(f"conflicting change: {exc.orig}") from None


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker, *, write: bool = False) -> None:
        self._factory = session_factory
        self._write = write
        self._read_only = False
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        if self._write:
            self.session.connection(execution_options={WRITE_OPTION: True})
        elif not is_sqlite(self.session.get_bind()):
            self.session.connection(execution_options=READ_ONLY_OPTIONS)
            self._read_only = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        if exc_type is None and self._read_only and not (session.new or session.dirty or session.deleted):
            session.commit()
        # close() rolls back whatever was not committed without expiring loaded objects, so the
        # rows a query returned stay readable after the block.
        session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
