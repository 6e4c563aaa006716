"""What the process designer's pages read: a process to edit, a version's history, diffs and downloads.

``web/designer.py`` checks who may design for the locality and renders; each page's look-ups run here in
one read unit of work (``Engine.read``), so what it shows is one consistent state. Versions are always
looked up within the locality's lineage (``workspace.version_in_lineage``): a designer never reads another
locality's versions by guessing ids. The deploys themselves are ``workspace.checked_deploy`` run through
``Engine.write``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import definitions
from ..definitions import workspace
from ..definitions.diff import ProcessDiff, diff_process
from ..store.models import Deployment, ProcessVersion


@dataclass(frozen=True)
class Editing:
    """A deployed process opened in the modeler, with the locality's other files (forms, DMN, scenarios)."""

    version: ProcessVersion
    source: str
    files: dict[str, str]


def editing(session: Session, key: str, locality: str) -> Editing:
    """The version of ``key`` the locality runs now (NotFoundError if none)."""
    version = definitions.current_version(session, key, locality)
    return Editing(version, definitions.source_of(session, version), definitions.effective_files(session, locality))


@dataclass(frozen=True)
class History:
    """Every version of a process the locality sees, with each deployment's comment."""

    versions: list[ProcessVersion]
    comments: dict[int, str]


def history(session: Session, key: str, locality: str) -> History:
    rows = workspace.versions_of(session, key, locality)
    ids = {v.deployment_id for v in rows}
    stmt = select(Deployment.id, Deployment.comment).where(Deployment.id.in_(ids))
    comments = {deployment_id: comment for deployment_id, comment in session.execute(stmt)} if ids else {}
    return History(rows, comments)


@dataclass(frozen=True)
class Comparison:
    old: ProcessVersion
    new: ProcessVersion
    changes: ProcessDiff


def comparison(session: Session, a: int, b: int, key: str, locality: str) -> Comparison | None:
    """Versions ``a`` and ``b`` of ``key`` compared; ``None`` if either is a version of another process."""
    old = workspace.version_in_lineage(session, a, locality)
    new = workspace.version_in_lineage(session, b, locality)
    if old.process_key != key or new.process_key != key:
        return None
    changes = diff_process(
        definitions.source_of(session, old), definitions.source_of(session, new), key, old.forms, new.forms
    )
    return Comparison(old, new, changes)


def version_source(session: Session, version_id: int, locality: str) -> tuple[ProcessVersion, str]:
    """A version and its BPMN XML (the ``.bpmn`` download)."""
    version = workspace.version_in_lineage(session, version_id, locality)
    return version, definitions.source_of(session, version)


def deployment_files(session: Session, version_id: int, locality: str) -> tuple[ProcessVersion, dict[str, str]]:
    """A version and every file of the deployment that brought it (the ``.zip`` download)."""
    version = workspace.version_in_lineage(session, version_id, locality)
    return version, dict(session.get(Deployment, version.deployment_id).files)


def rollback_files(session: Session, version_id: int, locality: str) -> tuple[ProcessVersion, dict[str, bytes]]:
    """A version and the files that bring it back (deployed afresh by a checked deploy)."""
    version = workspace.version_in_lineage(session, version_id, locality)
    return version, workspace.rollback_files(session, version)
