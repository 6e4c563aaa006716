"""Which bundle settings (``engine.formats.settings``) apply: a project's are those of the deployment it
was started on; a locality's are those of the deployment it runs on now (its own or the nearest
ancestor's). A bundle without a settings file runs on the shipped one's (``processes/``). Deployments
never change, so parsed settings are cached by the deployment's content hash — two databases with equal
bundles share an entry, and a redeploy is a new hash.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..formats.settings import SETTINGS_FILE, BundleSettings, load_settings, settings_of
from ..identity.localities import lineage
from ..store.models import Deployment, Locality, ProcessInstance, ProcessVersion
from .shipped import SHIPPED_ROOT

_CACHE: dict[str, BundleSettings] = {}
_CACHE_SIZE = 256
SHIPPED_SETTINGS = SHIPPED_ROOT / "processes" / SETTINGS_FILE


@cache
def shipped_settings() -> BundleSettings:
    """The settings servflow ships: what a bundle without its own settings file runs on."""
    return load_settings(SHIPPED_SETTINGS.read_bytes(), source=f"processes/{SETTINGS_FILE}")


def deployment_settings(session: Session, deployment_id: int | None) -> BundleSettings:
    if deployment_id is None:
        return shipped_settings()
    content_hash = session.scalar(select(Deployment.content_hash).where(Deployment.id == deployment_id))
    if content_hash is None:
        return shipped_settings()
    found = _CACHE.get(content_hash)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        own = settings_of(session.get(Deployment, deployment_id).files)
        found = _CACHE[content_hash] = own if own is not None else shipped_settings()
    return found


def instance_settings(session: Session, instance: ProcessInstance) -> BundleSettings:
    """The settings of the deployment the project's process version came from."""
    return version_settings(session, instance.process_version_id)


def version_settings(session: Session, version_id: int) -> BundleSettings:
    """The settings of the deployment a process version came from."""
    deployment_id = session.scalar(select(ProcessVersion.deployment_id).where(ProcessVersion.id == version_id))
    return deployment_settings(session, deployment_id)


def locality_settings(session: Session, locality: str | None = None) -> BundleSettings:
    """The settings a locality runs on now; ``None`` is the region (the locality above all others)."""
    if locality is None:
        locality = session.scalar(select(Locality.code).where(Locality.parent_code.is_(None)).order_by(Locality.code))
        if locality is None:
            return shipped_settings()
    for code in lineage(session, locality):
        latest = session.scalar(
            select(Deployment.id).where(Deployment.locality_code == code).order_by(Deployment.id.desc()).limit(1)
        )
        if latest is not None:
            return deployment_settings(session, latest)
    return shipped_settings()
