"""What the public disclosure page (信息公开) reads: the locality picker and one page of announcements.

Anyone may read it without signing in, so it reads only ``Disclosure`` rows (through
``reporting.disclosures``), never a project's data, and the blacklist entries in force today (name, credit
code, reason and period — what 政府采购严重违法失信行为记录名单 publish). Of a project it reads only which
form versions it is bound to, to show a published choice as its form labels it (公开招标, not
``open_tender``). One call through ``Engine.read`` per page view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..identity.localities import locality_codes
from ..registry.directory import PublicBan, public_bans
from ..store.models import ProcessInstance
from . import reporting
from .option_labels import OptionLabels, labels_by_instance


@dataclass(frozen=True)
class PublicPage:
    """Every locality's code, the announcements found — ``None`` when the filter names no locality — and
    the bans in force today (of the chosen locality's providers, when one is chosen)."""

    localities: list[str]
    found: reporting.Page | None
    bans: list[PublicBan]
    labels: dict[int, OptionLabels] = field(default_factory=dict)  # by project (``Disclosure.instance_id``)


def public_page(
    session: Session, filters: reporting.DisclosureFilter, today: date, *, page: int, per_page: int
) -> PublicPage:
    localities = locality_codes(session)
    if filters.locality and filters.locality not in localities:
        return PublicPage(localities, None, [])
    found = reporting.disclosures(session, filters, page=page, per_page=per_page)
    ids = {d.instance_id for d in found.items}
    projects = session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))) if ids else []
    return PublicPage(
        localities, found, public_bans(session, today, filters.locality), labels_by_instance(session, projects)
    )
