"""One command, one transaction.

``with UnitOfWork(factory, write=True) as uow: …; uow.commit()`` — anything that leaves the block
without ``commit()`` is rolled back, so a crash or an exception never leaves half a step behind.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from .db import WRITE_OPTION


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
