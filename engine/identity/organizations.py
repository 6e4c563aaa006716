"""Organizations — the parties behind the roles — and the people who work for them.

Six kinds: the finance bureau (财政部门) that reviews and pays, purchasing departments (采购单位) that buy,
procurement agents (采购代理机构), providers (承接主体), third-party evaluators (第三方评价机构) and supervisors
(监督部门). Each belongs to the locality where it is registered; a name is used once per locality and a
统一社会信用代码 once in all (``credit_code``), and providers and procurement agents must have one.

Every write is checked here and refused with ``InvalidDataError`` naming the field (``kind``, ``locality``,
``name``, ``credit_code``); an import of many rows (``import_organizations``, e.g. from a sheet read by
``engine.formats.organization_sheet``) writes all its rows or, if any is wrong, none, and names every wrong
row's fields (``"row 3: credit_code"``). Kinds may be given by code or by their Chinese or English label,
localities by code or name, so a sheet filled in by hand imports as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ConflictError, InvalidDataError, NotFoundError
from ..formats.credit_code import credit_code_problems, normalize
from ..formats.sheets import repeats_row, row_number
from ..store.models import OPEN, HumanTask, Membership, Organization, User
from ..store.unit_of_work import conflicts_reported
from .kinds import KINDS, kind_of
from .localities import get_locality

MAX_NAME = 200


REQUIRED = "必填 / Required"
WRONG_NAME = f"名称应为1至{MAX_NAME}个字符 / The name must have 1 to {MAX_NAME} characters"
NAME_TAKEN = "本地区已有同名机构 / This locality already has an organization of this name"
CODE_NEEDED = (
    "采购代理机构和承接主体须填写统一社会信用代码 / "
    "A procurement agent or provider needs its unified social credit code"
)


def unknown_kind(text: str) -> str:
    return (
        f"未知的机构类型「{text}」，应为{'、'.join(k.zh for k in KINDS)}之一 / "
        f"Unknown organization kind {text!r}; one of {', '.join(k.code for k in KINDS)}"
    )


def unknown_locality(text: str) -> str:
    return f"未知的地区「{text}」 / Unknown locality {text!r}"


def code_taken(holder: str) -> str:
    return f"该统一社会信用代码已登记为「{holder}」 / This unified social credit code is already registered to {holder}"


@dataclass(frozen=True)
class _Checked:
    kind: str
    locality_code: str
    name: str
    credit_code: str | None


def create_organization(
    session: Session, kind: str, locality: str, name: str, credit_code: str | None = None
) -> Organization:
    """A new organization, after every check; ``InvalidDataError`` names each wrong field."""
    errors, checked = _check(session, kind, locality, name, credit_code)
    if checked is not None:
        errors.update(_taken(session, checked))
    if errors:
        raise InvalidDataError("机构信息有误 / The organization's details are not valid", errors)
    assert checked is not None
    organization = _add(session, checked)
    with conflicts_reported("the organizations"):
        session.flush()
    return organization


def import_organizations(session: Session, rows: Iterable[Mapping[str, Any]]) -> list[Organization]:
    """Create one organization per row (``kind``, ``locality``, ``name``, ``credit_code``), all or none.

    A row is named by its ``row`` entry (the line of the sheet it came from) or else by its place counting
    a header as row 1 (the first row is "row 2"). Every wrong row is reported, including rows that repeat
    a name or credit code of an earlier row, and nothing is written unless every row is right.
    """
    errors: dict[str, list[str]] = {}
    accepted: list[_Checked] = []
    names: dict[tuple[str, str], int] = {}
    codes: dict[str, int] = {}
    count = 0
    for position, row in enumerate(rows, start=2):
        count += 1
        number = row_number(row, position)
        problems, checked = _check(
            session, row.get("kind"), row.get("locality"), row.get("name"), row.get("credit_code")
        )
        if checked is not None:
            problems.update(_taken(session, checked))
            earlier = names.get((checked.locality_code, checked.name))
            if earlier is not None:
                problems.setdefault("name", []).append(repeats_row(earlier))
            if checked.credit_code is not None and (earlier := codes.get(checked.credit_code)) is not None:
                problems.setdefault("credit_code", []).append(repeats_row(earlier))
            names.setdefault((checked.locality_code, checked.name), number)
            if checked.credit_code is not None:
                codes.setdefault(checked.credit_code, number)
        if problems:
            errors.update({f"row {number}: {field}": messages for field, messages in problems.items()})
        elif checked is not None:
            accepted.append(checked)
    if errors:
        bad_rows = len({key.split(":")[0] for key in errors})
        raise InvalidDataError(
            f"{count}行中{bad_rows}行有误，未导入任何机构 / {bad_rows} of {count} rows are wrong; nothing was imported",
            errors,
        )
    created = [_add(session, checked) for checked in accepted]
    with conflicts_reported("the organizations"):
        session.flush()
    return created


def add_member(session: Session, organization: Organization, user: User) -> Membership:
    """Make ``user`` a member of ``organization`` (once: a second call returns the same membership)."""
    existing = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == organization.id)
    ).first()
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, organization_id=organization.id)
    session.add(membership)
    with conflicts_reported("the memberships"):
        session.flush()
    return membership


def remove_member(session: Session, organization: Organization, user: User) -> None:
    """Take a person out of an organization — refused while they hold one of its open tasks, which would
    otherwise stay with someone who may no longer see it."""
    held = _open_task_ids(session, HumanTask.organization_id == organization.id, HumanTask.assignee == user.username)
    if held:
        raise ConflictError(holds_tasks(f"{user.username}", held), tasks=held)
    membership = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.organization_id == organization.id)
    )
    if membership is None:
        message = f"{user.username}不是该机构的成员 / {user.username} is not a member of {organization.name}"
        raise InvalidDataError(message, {"username": [message]})
    session.delete(membership)
    session.flush()


def deactivate_organization(session: Session, organization: Organization) -> None:
    """Take an organization off the register (kept, for the projects and records that name it) — refused
    while it holds open tasks: they must be finished or their projects moved to another party first."""
    held = _open_task_ids(session, HumanTask.organization_id == organization.id)
    if held:
        raise ConflictError(holds_tasks(organization.name, held), tasks=held)
    organization.is_active = False
    session.flush()


def holds_tasks(who: str, task_ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in task_ids[:10]) + (" …" if len(task_ids) > 10 else "")
    return (
        f"{who}还有{len(task_ids)}项未办结的任务（{shown}），请先办结或转交 / "
        f"{who} still holds {len(task_ids)} open tasks ({shown}); finish or hand them over first"
    )


def _open_task_ids(session: Session, *conditions: Any) -> list[int]:
    query = select(HumanTask.id).where(HumanTask.state == OPEN, *conditions).order_by(HumanTask.id)
    return list(session.scalars(query.limit(101)))


def organizations_of(session: Session, user: User) -> list[Organization]:
    """The organizations ``user`` is a member of, by name."""
    return list(
        session.scalars(
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user.id)
            .order_by(Organization.name, Organization.id)
        )
    )


def members_of(session: Session, organization: Organization) -> list[User]:
    """The people of ``organization``, by username."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == organization.id)
            .order_by(User.username)
        )
    )


def list_organizations(
    session: Session, locality: str | None = None, kind: str | None = None, *, include_inactive: bool = False
) -> list[Organization]:
    """The organizations of a locality (code or name) and/or of a kind (code or label), by locality and name."""
    query = select(Organization).order_by(Organization.locality_code, Organization.name, Organization.id)
    if locality is not None:
        query = query.where(Organization.locality_code == get_locality(session, locality).code)
    if kind is not None:
        found = kind_of(kind)
        if found is None:
            raise InvalidDataError(unknown_kind(kind), {"kind": [unknown_kind(kind)]})
        query = query.where(Organization.kind == found.code)
    if not include_inactive:
        query = query.where(Organization.is_active.is_(True))
    return list(session.scalars(query))


def get_organization(session: Session, locality: str, name: str) -> Organization:
    """The organization called ``name`` in ``locality`` (code or name)."""
    code = get_locality(session, locality).code
    found = session.scalars(
        select(Organization).where(Organization.locality_code == code, Organization.name == name.strip())
    ).first()
    if found is None:
        raise NotFoundError(f"no organization {name!r} in locality {code}")
    return found


# --------------------------------------------------------------------------- checks


def _check(
    session: Session, kind: Any, locality: Any, name: Any, credit_code: Any
) -> tuple[dict[str, list[str]], _Checked | None]:
    """What is wrong with one organization's fields on their own, and the cleaned fields when nothing is."""
    errors: dict[str, list[str]] = {}
    kind_text, locality_text, name_text, code_text = (_text(v) for v in (kind, locality, name, credit_code))

    found_kind = kind_of(kind_text) if kind_text else None
    if not kind_text:
        errors["kind"] = [REQUIRED]
    elif found_kind is None:
        errors["kind"] = [unknown_kind(kind_text)]

    locality_code = None
    if not locality_text:
        errors["locality"] = [REQUIRED]
    else:
        try:
            locality_code = get_locality(session, locality_text).code
        except NotFoundError:
            errors["locality"] = [unknown_locality(locality_text)]

    if not 1 <= len(name_text) <= MAX_NAME:
        errors["name"] = [WRONG_NAME]

    code = normalize(code_text) or None
    if code is None:
        if found_kind is not None and found_kind.needs_credit_code:
            errors["credit_code"] = [CODE_NEEDED]
    elif problems := credit_code_problems(code):
        errors["credit_code"] = problems

    if errors or found_kind is None or locality_code is None:
        return errors, None
    return errors, _Checked(found_kind.code, locality_code, name_text, code)


def _taken(session: Session, checked: _Checked) -> dict[str, list[str]]:
    """The fields of ``checked`` that an existing organization already has."""
    errors: dict[str, list[str]] = {}
    same_name = select(Organization.id).where(
        Organization.locality_code == checked.locality_code, Organization.name == checked.name
    )
    if session.scalars(same_name).first() is not None:
        errors["name"] = [NAME_TAKEN]
    if checked.credit_code is not None:
        holder = session.scalars(
            select(Organization.name).where(Organization.credit_code == checked.credit_code)
        ).first()
        if holder is not None:
            errors["credit_code"] = [code_taken(holder)]
    return errors


def _add(session: Session, checked: _Checked) -> Organization:
    organization = Organization(
        kind=checked.kind,
        locality_code=checked.locality_code,
        name=checked.name,
        credit_code=checked.credit_code,
    )
    session.add(organization)
    return organization


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()
