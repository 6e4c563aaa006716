"""Deploy bundles as immutable versions, per locality, and find the version a locality uses.

A deploy overlays the uploaded files on the locality's current effective bundle (its own last
deployment, or the one it inherits), parses the whole result, and stores a new version of each
process whose content changed. Identical content makes no new version. A locality that has never
deployed a process uses its parent's (克拉玛依 → 自治区本级).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import DefinitionError, NotFoundError
from ..formats.bundles import check_bundle
from ..formats.xmlsafe import parse_xml
from ..identity.localities import get_locality, lineage
from ..spiff.parsing import BPMN_NS, ParsedBundle, classify, content_hash, form_key_of
from ..store.models import Deployment, HumanTask, ProcessInstance, ProcessVersion
from .validation import ValidationReport, validate_bundle


@dataclass
class DeployResult:
    locality: str
    deployment_id: int | None
    created: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def effective_files(session: Session, locality: str) -> dict[str, str]:
    """The full bundle a locality runs on now: its own latest deployment or the nearest ancestor's."""
    for code in lineage(session, locality):
        latest = session.scalars(
            select(Deployment).where(Deployment.locality_code == code).order_by(Deployment.id.desc()).limit(1)
        ).first()
        if latest is not None:
            return dict(latest.files)
    return {}


def deploy(
    session: Session,
    files: Mapping[str, bytes],
    locality: str,
    deployed_by: str,
    comment: str = "",
) -> DeployResult:
    """Check and store; raises DefinitionError before writing anything if the bundle is refused.

    Every door deploys through here (the CLI, ``POST /api/v1/versions``, the designer's deploy and
    import, rollback), so each refuses the same bundles with the same words: the whole of
    ``validation.validate_bundle`` over the bundle the locality would then run — the uploaded files laid
    over its effective bundle — with every error listed in the refusal's ``problems``."""
    check_bundle(files)
    code = get_locality(session, locality).code
    merged = merged_bundle(session, code, files)
    report = validate_bundle(merged, scenarios=False)
    refuse_if_invalid(report)
    assert report.bundle is not None  # a report without errors holds the parsed bundle
    return store(session, code, merged, report.bundle, deployed_by, comment)


def refuse_if_invalid(report: ValidationReport) -> None:
    """Raise the refusal a door shows for a report with errors: the first, with all of them as ``problems``."""
    if not report.errors:
        return
    first = report.errors[0]
    more = len(report.errors) - 1
    suffix = f"（另有 {more} 处问题）/ ({more} more problems listed)" if more else ""
    raise DefinitionError(
        f"{first.message}{suffix}",
        file=first.file,
        element_id=first.element_id,
        problems=[p.to_dict() for p in report.errors],
    )


def merged_bundle(session: Session, locality: str, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The bundle a deploy of ``files`` would store: the locality's effective bundle with ``files`` laid over
    it (a file replaces one of the same name or defining the same process, decision or form)."""
    uploaded = {name: _text(name, content) for name, content in files.items()}
    merged = _overlay(effective_files(session, locality), uploaded)
    return {name: text.encode("utf-8") for name, text in merged.items()}


def store(
    session: Session,
    locality: str,
    merged: Mapping[str, bytes],
    parsed: ParsedBundle,
    deployed_by: str,
    comment: str = "",
) -> DeployResult:
    """Write a checked bundle: one deployment, a new version of each process whose content changed."""
    result = DeployResult(locality=locality, deployment_id=None)
    changed = []
    for key, process in sorted(parsed.processes.items()):
        current = current_version(session, key, locality, required=False)
        if current is not None and current.content_hash == process.content_hash:
            result.unchanged.append(key)
        else:
            changed.append(process)
    if not changed:
        return result
    texts = {name: content.decode("utf-8") for name, content in merged.items()}
    deployment = Deployment(
        locality_code=locality,
        content_hash=content_hash(texts),
        files=texts,
        deployed_by=deployed_by,
        comment=comment,
    )
    session.add(deployment)
    session.flush()
    for process in changed:
        number = (
            session.scalar(
                select(func.max(ProcessVersion.version)).where(
                    ProcessVersion.process_key == process.key, ProcessVersion.locality_code == locality
                )
            )
            or 0
        ) + 1
        session.add(
            ProcessVersion(
                process_key=process.key,
                locality_code=locality,
                version=number,
                name=process.name,
                deployment_id=deployment.id,
                content_hash=process.content_hash,
                source_file=process.source_file,
                spec=process.spec,
                calls=process.calls,
                forms=process.forms,
                task_config=process.task_config,
                deployed_by=deployed_by,
            )
        )
        result.created.append((process.key, number))
    session.flush()
    result.deployment_id = deployment.id
    return result


def current_version(session: Session, key: str, locality: str, *, required: bool = True) -> ProcessVersion | None:
    """The newest version of ``key`` deployed for the locality, else for the nearest ancestor."""
    row = _newest_in_lineage(session, key, locality, ProcessVersion, required=required)
    return row[0] if row is not None else None


def current_version_calls(session: Session, key: str, locality: str) -> tuple[int, list[str]]:
    """Id and called processes of the version ``current_version`` would return, without loading its spec."""
    row = _newest_in_lineage(session, key, locality, ProcessVersion.id, ProcessVersion.calls, required=True)
    assert row is not None  # required=True raises instead
    return row.id, list(row.calls)


def _newest_in_lineage(session: Session, key: str, locality: str, *columns: Any, required: bool) -> Any:
    """The requested columns of the newest version of ``key`` along the locality's lineage, nearest first."""
    for code in lineage(session, locality):
        row = session.execute(
            select(*columns)
            .where(ProcessVersion.process_key == key, ProcessVersion.locality_code == code)
            .order_by(ProcessVersion.version.desc())
            .limit(1)
        ).first()
        if row is not None:
            return row
    if required:
        raise NotFoundError(f"process {key!r} is not deployed for locality {locality}")
    return None


def list_versions(session: Session, *, locality: str | None = None, key: str | None = None) -> list[ProcessVersion]:
    query = select(ProcessVersion).order_by(
        ProcessVersion.process_key, ProcessVersion.locality_code, ProcessVersion.version
    )
    if locality is not None:
        query = query.where(ProcessVersion.locality_code == locality)
    if key is not None:
        query = query.where(ProcessVersion.process_key == key)
    return list(session.scalars(query))


def source_of(session: Session, version: ProcessVersion) -> str:
    """The BPMN XML a version was deployed from (for diagrams and downloads)."""
    deployment = session.get(Deployment, version.deployment_id)
    return deployment.files[version.source_file]


def _text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DefinitionError("file is not UTF-8 text", file=name) from None


def _overlay(base: dict[str, str], uploaded: dict[str, str]) -> dict[str, str]:
    """Uploaded files replace base files of the same name or defining the same process/decision/form."""
    incoming_ids = set().union(*(_defined_ids(n, t) for n, t in uploaded.items())) if uploaded else set()
    merged = {
        name: text
        for name, text in base.items()
        if name not in uploaded and not (_defined_ids(name, text) & incoming_ids)
    }
    merged.update(uploaded)
    return merged


def _defined_ids(name: str, text: str) -> set[str]:
    if classify(name, text.encode("utf-8")) == "form":
        return {"form:" + form_key_of(name)}
    root = parse_xml(text, name).getroot()
    if etree.QName(root).namespace == BPMN_NS:
        return {"process:" + p.get("id", "") for p in root.iterfind(f"{{{BPMN_NS}}}process")}
    return {"decision:" + d.get("id", "") for d in root.iter("{*}decision")}


def owning_version(session: Session, instance: ProcessInstance, task: HumanTask) -> ProcessVersion | None:
    """The version of the task's stage this project is bound to (not the newest deployed one)."""
    return session.get(ProcessVersion, instance.bound_versions.get(task.process_key) or instance.process_version_id)


def task_form(session: Session, task: HumanTask) -> dict[str, Any] | None:
    """The form definition the task is rendered and validated with, or None for a task without a form."""
    instance = session.get(ProcessInstance, task.instance_id)
    if instance is None or not task.form_key:
        return None
    version = owning_version(session, instance, task)
    return version.forms.get(task.form_key) if version is not None else None
