"""The process designer's workspace: what a locality can edit, checked deploys, and roll back.

Every deploy from the designer goes through :func:`checked_deploy`: the uploaded files are overlaid on
the locality's effective bundle exactly as ``versions.deploy`` will do, the result is validated
(all problems plus scenario checks), and only a clean bundle is deployed — in the same transaction,
so what was checked is what gets stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import DefinitionError, NotFoundError
from ..formats.xmlsafe import parse_xml
from ..identity.localities import lineage
from ..spiff.parsing import BPMN_NS, classify, form_key_of, scenario_process_key
from ..store.models import Deployment, ProcessVersion
from . import versions
from .validation import ValidationReport, validate_bundle


@dataclass(frozen=True)
class VisibleProcess:
    """A process a locality runs: its own newest version, or the one it inherits from an ancestor."""

    version: ProcessVersion
    inherited: bool
    comment: str


def visible_processes(session: Session, locality: str) -> list[VisibleProcess]:
    chain = lineage(session, locality)
    keys = sorted(
        set(session.scalars(select(ProcessVersion.process_key).where(ProcessVersion.locality_code.in_(chain))))
    )
    result = []
    for key in keys:
        version = versions.current_version(session, key, locality)
        deployment = session.get(Deployment, version.deployment_id)
        result.append(
            VisibleProcess(version, version.locality_code != chain[0], deployment.comment if deployment else "")
        )
    return result


def version_in_lineage(session: Session, version_id: int, locality: str) -> ProcessVersion:
    """A version the locality may see (its own or an ancestor's); NotFoundError otherwise — never another's."""
    version = session.get(ProcessVersion, version_id)
    if version is None or version.locality_code not in lineage(session, locality):
        raise NotFoundError(f"version {version_id} does not exist here")
    return version


def versions_of(session: Session, key: str, locality: str) -> list[ProcessVersion]:
    """Every version of ``key`` the locality can see, its own first, newest first."""
    chain = lineage(session, locality)
    rows = session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_key == key, ProcessVersion.locality_code.in_(chain))
    )
    return sorted(rows, key=lambda v: (chain.index(v.locality_code), -v.version))


def check(session: Session, locality: str, files: Mapping[str, bytes]) -> ValidationReport:
    """Validate what deploying ``files`` for the locality would produce — the check every door's deploy
    runs (``versions.deploy``), and the scenario checks besides; writes nothing."""
    try:
        bundle = versions.merged_bundle(session, locality, files)
    except DefinitionError:
        bundle = dict(files)  # an upload too broken to overlay: report on it alone
    report = validate_bundle(bundle)
    report.changed = changed_processes(files)
    return report


def changed_processes(files: Mapping[str, bytes]) -> frozenset[str]:
    """The processes an upload defines (its BPMN files) or re-tests (its scenario files)."""
    keys = set()
    for name, content in files.items():
        scenario_key = scenario_process_key(name)
        if scenario_key is not None:
            keys.add(scenario_key)
        elif classify(name, content) == "bpmn":
            try:
                root = parse_xml(content, name).getroot()
            except DefinitionError:
                continue  # reported by the validation itself
            keys.update(p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("id"))
    return frozenset(keys)


@dataclass
class CheckedDeploy:
    report: ValidationReport
    result: versions.DeployResult | None = None

    @property
    def needs_acknowledgement(self) -> bool:
        return self.result is None and self.report.deployable and bool(self.report.scenario_warnings)


def checked_deploy(
    session: Session,
    locality: str,
    files: Mapping[str, bytes],
    deployed_by: str,
    comment: str = "",
    *,
    acknowledged: bool = False,
) -> CheckedDeploy:
    """Deploy only if the merged bundle has no errors and the changed processes' scenarios pass (caller
    commits). Failing scenarios of other processes hold the deploy until the designer acknowledges them;
    then they are recorded in the deployment's comment, so the history says what was knowingly broken."""
    report = check(session, locality, files)
    if not report.deployable or (report.scenario_warnings and not acknowledged):
        return CheckedDeploy(report)
    if report.scenario_warnings:
        names = "；".join(f"{s.process} · {s.name}" for s in report.scenario_warnings)
        comment = f"{comment}\n[已确认的场景警告 / acknowledged scenario warnings: {names}]".strip()
    merged = versions.merged_bundle(session, locality, files)
    assert report.bundle is not None  # a deployable report holds the parsed bundle
    return CheckedDeploy(report, versions.store(session, locality, merged, report.bundle, deployed_by, comment))


def rollback_files(session: Session, version: ProcessVersion) -> dict[str, bytes]:
    """The files that bring ``version`` back: its BPMN file, the forms it used, its scenarios."""
    deployment = session.get(Deployment, version.deployment_id)
    files = {version.source_file: deployment.files[version.source_file]}
    files.update({name: text for name, text in deployment.files.items() if _belongs_to(name, text, version)})
    return {name: text.encode("utf-8") for name, text in files.items()}


def _belongs_to(name: str, text: str, version: ProcessVersion) -> bool:
    scenario_key = scenario_process_key(name)
    if scenario_key is not None:
        return scenario_key == version.process_key
    return classify(name, text.encode("utf-8")) == "form" and form_key_of(name) in version.forms
