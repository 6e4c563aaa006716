"""Stop the accounts of people an OpenID provider no longer lets in, without waiting for them to sign in.

The OpenID twin of ``directory_sync``: every ``every`` (ten minutes by default) the scheduler spends each
kept refresh token at its provider (``identity.openid.refresh``). ``invalid_grant`` — the account disabled,
the grant revoked or expired there — stops the person's servflow account, sessions and API tokens
included, until a new sign-in through the provider; a provider that cannot be reached changes nothing
(a warning, and ``servflow_oidc_access_checks_total{outcome="unavailable"}``). Grants are leased while
being checked, so several schedulers never spend the same token at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from ..identity import openid
from ..observability import metrics
from ..service import Engine

log = logging.getLogger(__name__)


class OpenIdAccessCheck:
    """One scheduler's periodic check of the grants its OpenID providers gave."""

    def __init__(
        self,
        engine: Engine,
        providers: dict[str, openid.ProviderSettings],
        secret_key: str,
        every: timedelta = timedelta(minutes=10),
        batch: int = 200,
    ) -> None:
        self.engine = engine
        self.providers = providers
        self.secret_key = secret_key
        self.every = every
        self.batch = batch
        self._last: datetime | None = None

    def due(self, now: datetime) -> bool:
        return self._last is None or now - self._last >= self.every

    def run(self) -> int:
        """Check the grants not checked for ``every``; returns how many accounts were stopped."""
        now = self._last = self.engine.clock()
        lease = timedelta(seconds=openid.TIMEOUT_SECONDS * 4)
        due = self.engine.write(openid.claim_due, now, self.every, lease, self.batch)
        endpoints: dict[str, str | None] = {}
        stopped = []
        for grant in due:
            outcome = self._check(grant, endpoints)
            metrics.OIDC_ACCESS_CHECKS.labels(grant.provider, outcome).inc()
            if outcome == "withdrawn":
                stopped.append(grant.username)
        if stopped:
            log.info("OpenID access check: %d accounts stopped (%s)", len(stopped), ", ".join(stopped))
        return len(stopped)

    def _check(self, grant: openid.DueGrant, endpoints: dict[str, Any]) -> str:
        """``ok``, ``withdrawn`` (the account stopped), ``unavailable`` or ``unreadable`` (sealed with another
        secret key, or its provider no longer configured): only ``withdrawn`` changes anyone's access."""
        provider = self.providers.get(grant.provider)
        token = openid.unseal(self.secret_key, grant.sealed)
        if provider is None or token is None:
            log.warning(
                "OpenID access of %s not checked: %s", grant.username,
                "provider not configured" if provider is None else "token sealed with another secret key",
            )  # fmt: skip
            self.engine.write(openid.grant_unchecked, grant.grant_id)
            return "unreadable"
        try:
            if grant.provider not in endpoints:
                endpoints[grant.provider] = str(openid.discovery(provider)["token_endpoint"])
            kept = openid.refresh(provider, endpoints[grant.provider], token)
        except (openid.ProviderUnavailable, KeyError) as error:
            log.warning("OpenID provider %s unavailable, %s not checked: %s", grant.provider, grant.username, error)
            self.engine.write(openid.grant_unchecked, grant.grant_id)
            return "unavailable"
        except openid.AccessWithdrawn as error:
            log.info("OpenID provider %s withdrew %s's access: %s", grant.provider, grant.username, error)
            self.engine.write(openid.access_withdrawn, grant.grant_id)
            return "withdrawn"
        resealed = openid.seal(self.secret_key, kept) if kept != token else None  # the provider rotated it
        self.engine.write(openid.grant_checked, grant.grant_id, resealed, self.engine.clock())
        return "ok"
