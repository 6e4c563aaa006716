"""What the public disclosure page (信息公开) reads: the locality picker and one page of announcements.

Anyone may read it without signing in, so it reads only ``Disclosure`` rows (through
``reporting.disclosures``), never a project. One call through ``Engine.read`` per page view.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..identity.localities import locality_codes
from . import reporting


@dataclass(frozen=True)
class PublicPage:
    """Every locality's code, and the announcements found — ``None`` when the filter names no locality."""

    localities: list[str]
    found: reporting.Page | None


def public_page(session: Session, filters: reporting.DisclosureFilter, *, page: int, per_page: int) -> PublicPage:
    localities = locality_codes(session)
    if filters.locality and filters.locality not in localities:
        return PublicPage(localities, None)
    return PublicPage(localities, reporting.disclosures(session, filters, page=page, per_page=per_page))
