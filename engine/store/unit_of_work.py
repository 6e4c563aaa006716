"""One command, one transaction.

``with UnitOfWork(factory, write=True) as uow: …; uow.commit()`` — anything that leaves the block
without ``commit()`` is rolled back, so a crash or an exception never leaves half a step behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import ConflictError
from .db import WRITE_OPTION


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
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        if self._write:
            self.session.connection(execution_options={WRITE_OPTION: True})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed without expiring loaded objects, so the
        # rows a query returned stay readable after the block.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
