"""The parties of a purchase-of-services project, and how a BPMN lane names one.

A lane may carry the role's code (``finance_reviewer``) or its Chinese label (``财政部门``); both map to
the code stored on human tasks. Any other lane name is kept as a locality-specific role of that name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    zh: str
    en: str


ROLES: tuple[Role, ...] = (
    Role("purchaser", "购买主体", "Purchaser"),
    Role("finance_reviewer", "财政部门", "Finance reviewer"),
    Role("agent", "采购代理机构", "Procurement agent"),
    Role("panel", "评审专家", "Evaluation panel"),
    Role("provider", "承接主体", "Provider"),
    Role("recipient", "服务对象", "Service recipient"),
    Role("evaluator", "第三方评价机构", "Third-party evaluator"),
    Role("auditor", "审计监督", "Auditor"),
    Role("manager", "分管领导", "Manager"),
    Role("designer", "流程设计", "Process designer"),
    Role("worker", "外部系统", "External system worker"),
)

BY_CODE = {role.code: role for role in ROLES}
_BY_LABEL = {role.zh: role for role in ROLES} | {role.en.lower(): role for role in ROLES}


def role_for_lane(lane: str | None) -> str | None:
    """The role code a lane stands for; unknown names are returned stripped, as custom roles."""
    if lane is None or not lane.strip():
        return None
    name = lane.strip()
    if name in BY_CODE:
        return name
    role = _BY_LABEL.get(name) or _BY_LABEL.get(name.lower())
    return role.code if role else name


def is_known_role(code: str | None) -> bool:
    return code in BY_CODE
