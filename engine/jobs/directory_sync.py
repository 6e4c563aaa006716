"""Stop the accounts of people the directory no longer has, without waiting for them to sign in again.

Signing in applies the directory's word at once, but an API token or an open session of someone who left
or was disabled would still work until that person tried to sign in. The scheduler therefore asks the
directory, every ``every`` (ten minutes by default), about each active account that came from it, and marks
the ones it no longer knows or has disabled inactive (``identity.external.mark_disabled``): their sessions
and tokens are refused from then on. A directory that cannot be asked changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..identity import external
from ..identity.ldap_directory import SOURCE, DirectoryUnavailable, LdapSettings, still_there
from ..service import Engine

log = logging.getLogger(__name__)


class DirectorySync:
    """One scheduler's periodic check of its directory's accounts."""

    def __init__(self, engine: Engine, settings: LdapSettings, every: timedelta = timedelta(minutes=10)) -> None:
        self.engine = engine
        self.settings = settings
        self.every = every
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        return self._last is None or now - self._last >= self.every

    def run(self) -> int:
        """Mark the accounts the directory no longer has inactive; returns how many."""
        self._last = self.engine.clock()
        names = self.engine.read(external.directory_accounts, SOURCE)
        try:
            present = still_there(self.settings, names)
        except DirectoryUnavailable as error:
            log.warning("directory sync skipped: %s", error)
            return 0
        gone = [name for name, there in present.items() if not there]
        for name in gone:
            self.engine.write(external.mark_disabled, SOURCE, name)
        if gone:
            log.info("directory sync: %d accounts stopped (%s)", len(gone), ", ".join(gone))
        return len(gone)
