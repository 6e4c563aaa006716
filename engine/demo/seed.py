"""Demo users, organizations and projects for ``make run``: every role in three localities, projects in every stage.

All demo users share the password ``DEMO_PASSWORD``; ``seed_users`` is idempotent. It also registers each
demo locality's organizations (``DEMO_ORGANIZATIONS``: the finance bureau, the purchasing departments the demo
projects name, a procurement agent, providers, an evaluator and a supervisor, each with a valid 统一社会信用代码)
and makes the demo users members of theirs (``demo_organization``); one more provider (``BANNED``) is on the
blacklist, so the registry and the public page show a ban.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendars import calendar_store
from ..calendars.deadlines import local_date
from ..definitions.shipped import shipped_bundle
from ..errors import CalendarError, ConflictError
from ..formats.credit_code import compose_credit_code
from ..identity import access
from ..identity.localities import REGION
from ..identity.organizations import add_member, create_organization
from ..identity.roles import ROLES
from ..identity.users import create_user, get_user, grant, hash_password, principal
from ..registry import credit
from ..service import Engine
from ..store.models import BlacklistEntry, CalendarYear, HumanTask, Organization, User
from .catalogue import seed_catalogue
from .driver import Driver, Scenario

DEMO_PASSWORD = "demo123"
UNVERIFIED = "演示数据：仅按周一至周五计，未含节假日与调休，请核实 / demo only: Mon-Fri rule, holidays not entered"
DEMO_LOCALITIES = (("650000", "region", "自治区"), ("650100", "urumqi", "乌鲁木齐"), ("650200", "karamay", "克拉玛依"))
DEPARTMENTS = {"650000": "自治区文化和旅游厅", "650100": "乌鲁木齐市民政局", "650200": "克拉玛依市社保局"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    locality: str
    display_name: str
    #: Which of the role's organizations in the locality the account works for (a second department …).
    rank: int = 0


def demo_logins() -> list[DemoLogin]:
    logins = []
    for code, suffix, place in DEMO_LOCALITIES:
        for role in ROLES:
            logins.append(DemoLogin(f"{role.code}_{suffix}", role.code, code, f"{place}{role.zh}"))
        logins.append(DemoLogin(f"finance_reviewer2_{suffix}", "finance_reviewer", code, f"{place}财政部门（二）"))
        logins.append(DemoLogin(f"purchaser2_{suffix}", "purchaser", code, f"{place}购买主体（二）", rank=1))
        logins.append(DemoLogin(f"provider2_{suffix}", "provider", code, f"{place}承接主体（二）", rank=1))
    return logins


def seed_calendars(engine: Engine, today: date | None = None) -> list[str]:
    """Working-day data for last, this and next year at region level, so demo deadlines can be computed.

    Years the holiday package knows are seeded from it. A year it does not know yet (holidays are
    announced each winter) is marked covered with the plain Mon–Fri rule and labelled unverified — in
    demo data only, and reported back so ``servflow seed`` prints it; production enters the year by hand.
    """
    today = today or date.today()
    warnings = []
    with engine.unit_of_work(write=True) as uow:
        covered = set(uow.session.scalars(select(CalendarYear.year).where(CalendarYear.locality_code == REGION)))
        for year in range(today.year - 1, today.year + 2):
            if year in covered:
                continue
            try:
                calendar_store.seed_years(uow.session, [year], REGION)
            except CalendarError:
                calendar_store.cover_year(uow.session, REGION, year, UNVERIFIED)
                warnings.append(f"{year}: {UNVERIFIED}")
        uow.commit()
    return warnings


def seed_users(engine: Engine) -> list[DemoLogin]:
    """The demo accounts (each once), the demo organizations, and the accounts' memberships."""
    logins = demo_logins()
    with engine.unit_of_work(write=True) as uow:
        existing = set(uow.session.scalars(select(User.username)))
        shared_hash = hash_password(DEMO_PASSWORD)  # one slow hash for all demo accounts
        if "admin" not in existing:
            create_user(uow.session, "admin", None, "系统管理员", password_hash=shared_hash, is_admin=True)
        for login in logins:
            if login.username in existing:
                continue
            user = create_user(
                uow.session,
                login.username,
                None,
                login.display_name,
                password_hash=shared_hash,
                email=f"{login.username}@example.test",
                department=demo_organization(login) if login.role == "purchaser" else None,
            )
            grant(uow.session, user, login.role, login.locality, is_lead=login.role in ("finance_reviewer", "manager"))
        _seed_organizations(uow.session, logins)
        _seed_ban(uow.session, engine.clock())
        uow.commit()
    return logins


# --------------------------------------------------------------------------- demo organizations


@dataclass(frozen=True)
class DemoOrganization:
    kind: str
    locality: str
    name: str
    # Characters 1-2 of the credit code: 11 government organ, 52 social service organization (民政), 91 company.
    registration: str = "91"

    @property
    def credit_code(self) -> str:
        """A valid code made from the name (the same every run): division of the locality, a serial from
        the name's CRC, both check characters computed."""
        serial = zlib.crc32(self.name.encode())
        body = {"1": f"{serial % 10**8:08d}", "5": f"MJ{serial % 10**6:06d}"}.get(
            self.registration[0], f"MA{serial % 10**6:06d}"
        )
        return compose_credit_code(self.registration + self.locality, body)


_FINANCE = {"650000": "自治区财政厅", "650100": "乌鲁木齐市财政局", "650200": "克拉玛依市财政局"}
_OTHERS: dict[str, tuple[tuple[str, str, str], ...]] = {  # kind, name, registration
    "650000": (
        ("procurement_agent", "新疆天诚招标代理有限公司", "91"),
        ("provider", "新疆天山社会工作服务中心", "52"),
        ("provider", "新疆丝路智慧科技有限公司", "91"),
        ("provider", "新疆昆仑法务咨询有限公司", "91"),
        ("evaluator", "新疆正衡绩效评价咨询有限公司", "91"),
        ("supervisor", "自治区审计厅", "11"),
    ),
    "650100": (
        ("procurement_agent", "乌鲁木齐市诚信招标代理有限公司", "91"),
        ("provider", "乌鲁木齐市爱心养老服务有限公司", "91"),
        ("provider", "新疆博格达检验检测有限公司", "91"),
        ("provider", "新疆绿洲职业技能培训学校", "52"),
        ("evaluator", "乌鲁木齐市公信第三方评估中心", "52"),
        ("supervisor", "乌鲁木齐市审计局", "11"),
    ),
    "650200": (
        ("procurement_agent", "克拉玛依市恒信工程咨询有限公司", "91"),
        ("provider", "克拉玛依市油城物业服务有限公司", "91"),
        ("provider", "克拉玛依市金龙社会工作服务中心", "52"),
        ("provider", "克拉玛依市碧水环境检测有限公司", "91"),
        ("evaluator", "克拉玛依市明鉴绩效评价有限公司", "91"),
        ("supervisor", "克拉玛依市审计局", "11"),
    ),
}


#: A provider on the blacklist (so the registry and the public page show one): registered, never awarded.
BANNED = DemoOrganization("provider", "650100", "乌鲁木齐市速洁保洁服务有限公司", "91")
BAN_REASON = "提供虚假材料谋取中标（乌财采处〔2026〕3号）"


def _demo_departments(code: str) -> list[DemoOrganization]:
    """The locality's purchasing departments: the demo purchaser's first, then those its projects name."""
    names = dict.fromkeys([DEPARTMENTS[code], *(p.department for p in DEMO_PROJECTS[code])])
    return [
        DemoOrganization("purchasing_department", code, name, "11")
        for name in names
        if name != _FINANCE[code]  # 克拉玛依市财政局 buys a service too: it stays the finance bureau
    ]


def _demo_organizations() -> tuple[DemoOrganization, ...]:
    """Per demo locality: its finance bureau, a purchasing department for every department its demo projects
    name (and the demo purchaser's), then its agent, providers, evaluator and supervisor."""
    found: list[DemoOrganization] = []
    for code, _suffix, _place in DEMO_LOCALITIES:
        found.append(DemoOrganization("finance_bureau", code, _FINANCE[code], "11"))
        found.extend(_demo_departments(code))
        found.extend(DemoOrganization(kind, code, name, registration) for kind, name, registration in _OTHERS[code])
    return tuple(found)


def _of_kind(kind: str) -> Callable[[str], list[str]]:
    return lambda code: [name for of, name, _ in _OTHERS[code] if of == kind]


#: The organizations whose members hold each role (panel experts, service recipients and designers join none).
_ROLE_ORGANIZATIONS: dict[str, Callable[[str], list[str]]] = {
    "purchaser": lambda code: [o.name for o in _demo_departments(code)],
    "finance_reviewer": lambda code: [_FINANCE[code]],
    "manager": lambda code: [_FINANCE[code]],  # 分管领导 approves out-of-catalogue purchases for the finance bureau
    "agent": _of_kind("procurement_agent"),
    "provider": _of_kind("provider"),
    "evaluator": _of_kind("evaluator"),
    "auditor": _of_kind("supervisor"),
}


def demo_organization(login: DemoLogin) -> str | None:
    """The name of the organization (in the login's locality) a demo account is a member of, if any."""
    pick = _ROLE_ORGANIZATIONS.get(login.role)
    return pick(login.locality)[login.rank] if pick else None


def demo_providers(code: str) -> list[str]:
    """The providers registered in a demo locality; its demo projects are awarded to them in turn."""
    return _of_kind("provider")(code)


def _seed_organizations(session: Session, logins: list[DemoLogin]) -> None:
    existing = {(o.locality_code, o.name): o for o in session.scalars(select(Organization))}
    for demo in DEMO_ORGANIZATIONS:
        if (demo.locality, demo.name) not in existing:
            existing[demo.locality, demo.name] = create_organization(
                session, demo.kind, demo.locality, demo.name, demo.credit_code
            )
    names = [login.username for login in logins]
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    for login in logins:
        name = demo_organization(login)
        if name is not None and login.username in users:
            add_member(session, existing[login.locality, name], users[login.username])


def _seed_ban(session: Session, now: datetime) -> None:
    """Blacklist the banned demo provider for three years from a month ago, once."""
    banned = session.scalars(select(Organization).where(Organization.credit_code == BANNED.credit_code)).one()
    if session.scalar(select(BlacklistEntry.id).where(BlacklistEntry.organization_id == banned.id)) is not None:
        return
    admin = principal(session, get_user(session, "admin"))
    start = local_date(now) - timedelta(days=30)
    credit.add_ban(
        session,
        admin,
        banned.id,
        reason=BAN_REASON,
        source="乌鲁木齐市财政局",
        starts_on=start,
        ends_on=start + timedelta(days=3 * 365),
        now=now,
    )


# --------------------------------------------------------------------------- demo projects

REGION_CODE = DEMO_LOCALITIES[0][0]
_SUFFIX = {code: suffix for code, suffix, _ in DEMO_LOCALITIES}
_KEY_PREFIX = {"650000": "XJZQ", "650100": "WLMQ", "650200": "KLMY"}


def demo_username(role: str | None, locality: str) -> str:
    """The demo account that holds ``role`` in ``locality`` (other localities act as the region's)."""
    return f"{role or 'purchaser'}_{_SUFFIX.get(locality, 'region')}"


def _starter(code: str, department: str) -> str:
    """The demo purchaser of the department a project names (else the locality's first purchaser)."""
    for login in demo_logins():
        if login.role == "purchaser" and login.locality == code and demo_organization(login) == department:
            return login.username
    return demo_username("purchaser", code)


def party_actor(engine: Engine) -> Callable[[HumanTask], str]:
    """Who acts on a demo task: the locality's demo account of its role when it is of the task's group,
    else the first of the group (a task of a project's provider goes to that provider's people)."""

    def actor(task: HumanTask) -> str:
        default = demo_username(task.role, task.locality_code)
        if task.organization_id is None:
            return default
        people = [name for name, _ in engine.read(access.colleagues, task)]
        return default if default in people or not people else people[0]

    return actor


@dataclass(frozen=True)
class DemoProject:
    name: str
    department: str
    budget: int
    category: str
    method: str = "auto"
    in_catalogue: bool = True
    public_service: bool = False


@dataclass(frozen=True)
class Plan:
    """Where a demo project is left: run until ``stop_at`` is open, then ``extra`` more tasks."""

    stage: str
    stop_at: tuple[str, ...] = ()
    extra: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    application: dict[str, Any] = field(default_factory=dict)


PLANS: tuple[Plan, ...] = (
    Plan("apply", ("submit_application",)),
    Plan("apply", ("review_application",), 1, {"review_application": [{"review_decision": "return"}]}),
    Plan("review", ("review_application",)),
    Plan("procure", ("record_bids",)),
    Plan("procure", ("handle_failure",), answers={"record_bids": [{"bid_count": 1}]}),
    Plan("sign", ("confirm_signing",)),
    Plan("supervise", ("submit_report",), 2),
    Plan("accept", ("rectify",), answers={"inspect_service": [{"acceptance_result": "fail"}]}),
    Plan("evaluate", ("confirm_evaluation",)),
    Plan("pay", ("record_payment",)),
    Plan("completed"),
    Plan("rejected", answers={"review_application": [{"review_decision": "reject"}]}),
)

_P = DemoProject
DEMO_PROJECTS: dict[str, tuple[DemoProject, ...]] = {
    "650000": (
        _P("自治区困难群众社会救助经办服务", "自治区民政厅", 1_860_000, "basic_public"),
        _P("自治区公共文化场馆运营管理服务", "自治区文化和旅游厅", 3_200_000, "basic_public", public_service=True),
        _P("高校毕业生就业见习岗位对接服务", "自治区人力资源和社会保障厅", 980_000, "basic_public"),
        _P("自治区政务信息系统运维服务", "自治区政务服务和公共资源交易中心", 7_800_000, "auxiliary"),
        _P("重点排污单位在线监测数据核查", "自治区生态环境厅", 1_200_000, "technical", "negotiation"),
        _P("非物质文化遗产数字化采集服务", "自治区文化和旅游厅", 2_450_000, "technical", "invited_tender"),
        _P("乡村学校心理健康辅导服务", "自治区教育厅", 420_000, "basic_public", in_catalogue=False),
        _P("自治区法律援助案件质量评估", "自治区司法厅", 380_000, "social_management"),
        _P("旅游市场秩序暗访调查服务", "自治区文化和旅游厅", 260_000, "industry_coordination"),
        _P("自治区机关办公楼物业管理服务", "自治区机关事务管理局", 5_600_000, "auxiliary"),
        _P("残疾人职业技能培训服务", "自治区残疾人联合会", 1_450_000, "basic_public", "single_source"),
        _P("自治区统计年鉴编印服务", "自治区统计局", 180_000, "auxiliary"),
    ),
    "650100": (
        _P("社区居家养老服务", "乌鲁木齐市民政局", 2_600_000, "basic_public", public_service=True),
        _P("城市道路清扫保洁服务", "乌鲁木齐市城市管理委员会", 7_950_000, "auxiliary"),
        _P("家庭医生签约健康管理服务", "乌鲁木齐市卫生健康委员会", 1_380_000, "basic_public"),
        _P("公共就业服务专项调查", "乌鲁木齐市人力资源和社会保障局", 320_000, "technical"),
        _P("流浪乞讨人员救助管理服务", "乌鲁木齐市民政局", 740_000, "basic_public", "consultation"),
        _P("青少年校外活动中心运营服务", "乌鲁木齐市教育局", 1_100_000, "basic_public"),
        _P("12345政务服务便民热线运营", "乌鲁木齐市人民政府办公室", 4_300_000, "auxiliary"),
        _P("城市公园绿化养护服务", "乌鲁木齐市园林管理局", 2_150_000, "auxiliary", "open_tender"),
        _P("食品安全抽检监测服务", "乌鲁木齐市市场监督管理局", 890_000, "technical", "inquiry"),
        _P("社区网格化治理辅助服务", "乌鲁木齐市天山区人民政府", 1_650_000, "social_management"),
        _P("老旧小区物业托管服务", "乌鲁木齐市住房和城乡建设局", 1_020_000, "auxiliary", "single_source"),
        _P("全民健身赛事组织服务", "乌鲁木齐市体育局", 50_000, "basic_public"),
    ),
    "650200": (
        _P("城乡居民医保经办服务", "克拉玛依市社会保险管理局", 1_280_000, "basic_public"),
        _P("油城社区养老助餐服务", "克拉玛依市民政局", 960_000, "basic_public", public_service=True),
        _P("中小学课后服务", "克拉玛依市教育局", 2_300_000, "basic_public"),
        _P("生态环境损害鉴定评估", "克拉玛依市生态环境局", 3_100_000, "technical", "invited_tender"),
        _P("市民服务中心窗口辅助服务", "克拉玛依市政务服务管理局", 720_000, "auxiliary"),
        _P("残疾人居家托养服务", "克拉玛依市残疾人联合会", 540_000, "basic_public", in_catalogue=False),
        _P("公共图书馆数字资源建设服务", "克拉玛依市文化体育广播电视和旅游局", 1_870_000, "technical"),
        _P("农村饮水安全水质检测服务", "克拉玛依市水利局", 210_000, "technical", "inquiry"),
        _P("社区戒毒康复社会工作服务", "克拉玛依市禁毒委员会办公室", 680_000, "social_management"),
        _P("城市供热管网巡检服务", "克拉玛依市住房和城乡建设局", 6_400_000, "auxiliary"),
        _P("退役军人就业创业培训服务", "克拉玛依市退役军人事务局", 350_000, "basic_public", "single_source"),
        _P("社保基金运行绩效第三方评价", "克拉玛依市财政局", 150_000, "technical"),
    ),
}
#: The item of the demo catalogue (``engine.demo.catalogue``) each project in the catalogue buys.
DEMO_CATALOGUE_CODES: dict[str, str] = {
    "自治区困难群众社会救助经办服务": "A0401",
    "自治区公共文化场馆运营管理服务": "A0601",
    "高校毕业生就业见习岗位对接服务": "A0201",
    "自治区政务信息系统运维服务": "E0201",
    "重点排污单位在线监测数据核查": "D0201",
    "非物质文化遗产数字化采集服务": "D0301",
    "自治区法律援助案件质量评估": "B0301",
    "旅游市场秩序暗访调查服务": "C0101",
    "自治区机关办公楼物业管理服务": "E0101",
    "残疾人职业技能培训服务": "A0802",
    "自治区统计年鉴编印服务": "E0102",
    "社区居家养老服务": "A0501",
    "城市道路清扫保洁服务": "E0301",
    "家庭医生签约健康管理服务": "A0701",
    "公共就业服务专项调查": "D0302",
    "流浪乞讨人员救助管理服务": "A0402",
    "青少年校外活动中心运营服务": "A0102",
    "12345政务服务便民热线运营": "E0202",
    "城市公园绿化养护服务": "E0302",
    "食品安全抽检监测服务": "D0101",
    "社区网格化治理辅助服务": "B0101",
    "老旧小区物业托管服务": "E0304",
    "全民健身赛事组织服务": "A0901",
    "城乡居民医保经办服务": "A0301",
    "油城社区养老助餐服务": "A0502",
    "中小学课后服务": "A0103",
    "生态环境损害鉴定评估": "D0202",
    "市民服务中心窗口辅助服务": "E0203",
    "公共图书馆数字资源建设服务": "D0301",
    "农村饮水安全水质检测服务": "D0102",
    "社区戒毒康复社会工作服务": "B0201",
    "城市供热管网巡检服务": "E0303",
    "退役军人就业创业培训服务": "A0202",
    "社保基金运行绩效第三方评价": "D0401",
}
DEMO_ORGANIZATIONS = (*_demo_organizations(), BANNED)
_CODES = {(o.kind, o.locality, o.name): o.credit_code for o in DEMO_ORGANIZATIONS}


def _candidate(name: str, credit_code: str, amount: float) -> dict[str, Any]:
    return {"candidate_rank": 1, "supplier_name": name, "credit_code": credit_code, "bid_amount": amount, "score": 91.5}


def _instalments(total: float) -> list[dict[str, Any]]:
    """60% after acceptance, the rest after a passing evaluation."""
    first = round(total * 0.6, 2)
    return [
        {"instalment_name": "验收款", "pay_condition": "acceptance_passed", "amount": first},
        {"instalment_name": "尾款", "pay_condition": "evaluation_passed", "amount": round(total - first, 2)},
    ]


def _indicator(name: str, dimension: str, weight: int, target: str, actual: str, score: float) -> dict[str, Any]:
    return {
        "indicator_name": name,
        "dimension": dimension,
        "weight": weight,
        "indicator_target": target,
        "indicator_actual": actual,
        "score": score,
    }


def _scenario(code: str, index: int, project: DemoProject, plan: Plan, today: date) -> dict[str, Any]:
    """Realistic answers for one project's whole lifecycle; the plan decides how far it gets."""
    award = round(project.budget * 0.95, 2)
    providers = demo_providers(code)
    provider = providers[index % len(providers)]
    credit_code = _CODES["provider", code, provider]  # the registered provider's own code
    agent = _of_kind("procurement_agent")(code)[0]
    start, end = today - timedelta(days=200), today + timedelta(days=165)
    method = project.method
    answers: dict[str, Any] = {
        "submit_application": {
            "project_name": project.name,
            "department": project.department,
            "budget": project.budget,
            "category": project.category,
            "in_catalogue": project.in_catalogue,
            "catalogue_code": DEMO_CATALOGUE_CODES[project.name] if project.in_catalogue else None,
            "proposed_method": method,
            "method_reason": None if method == "auto" else "服务专业性强，符合该采购方式适用情形",
            "public_service": project.public_service,
            "service_content": f"{project.name}：按服务标准提供全年服务并建立服务台账。",
            "service_quantity": "全年服务",
            "location": DEMO_LOCALITIES[[c for c, *_ in DEMO_LOCALITIES].index(code)][2],
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "target_satisfaction": 90,
            **plan.application,
        },
        "publish_notice": {"agent_name": agent, "agent_credit_code": _CODES["procurement_agent", code, agent]},
        "record_bids": {"bid_count": 1 if method == "single_source" else 3},
        "evaluate_bids": {"candidates": [_candidate(provider, credit_code, award)]},
        "publicize_single_source": {"single_source_supplier": provider, "single_source_reason": "唯一具备资质"},
        "confirm_winner": {"winner_name": provider, "winner_credit_code": credit_code, "award_amount": award},
        "sign_contract": {
            "contract_number": f"{_KEY_PREFIX[code]}-HT-{index + 1:03d}",
            "contract_amount": award,
            "signed_date": start.isoformat(),
            "term_start": start.isoformat(),
            "term_end": end.isoformat(),
            "report_frequency": "half_yearly",
            "report_count": 2,
            "payment_plan": _instalments(award),
        },
        "self_evaluation": {
            "indicators": [
                _indicator("服务完成率", "output", 60, "100%", "98%", 55 + index % 5),
                _indicator("服务对象满意度", "satisfaction", 40, "90%", "93%", 30 + index % 9),
            ],
        },
    }
    for element_id, value in plan.answers.items():
        answers[element_id] = value
    return answers


def seed_projects(engine: Engine) -> str:
    """Demo projects in every stage in the three demo localities; idempotent by business key.

    Tasks are completed by the demo user of the task's role and locality, some open tasks are
    claimed, and every third project's open tasks are made overdue. Seeds the demo users and organizations
    and deploys the shipped processes for the region first if nothing is deployed there yet (never over a
    designer's newer version).
    """
    engine.ensure_localities()
    seed_users(engine)  # the projects' parties: their departments, agents and providers must be registered
    seed_catalogue(engine)  # the items their applications name
    if not engine.versions(locality=REGION_CODE, key="lifecycle"):
        engine.deploy(shipped_bundle(), REGION_CODE, "demo", "shipped processes and forms")
    demo_actor = party_actor(engine)
    driver = Driver(engine, actor=demo_actor, attach_samples=True)  # each stage leaves its documents
    today = local_date(engine.clock())
    created: dict[str, int] = {}
    claimed, on_time, overdue = 0, [], []
    for code, projects in DEMO_PROJECTS.items():
        existing = {i.business_key for i in engine.instances(locality=code, limit=10_000)}
        for index, (project, plan) in enumerate(zip(projects, PLANS, strict=True)):
            key = f"{_KEY_PREFIX[code]}-2025-{index + 1:03d}"
            if key in existing:
                continue
            try:
                instance = engine.start(
                    "lifecycle",
                    locality=code,
                    business_key=key,
                    data={"project_name": project.name, "department": project.department},
                    actor=_starter(code, project.department),
                    title=project.name,
                )
            except ConflictError:
                continue  # seeded concurrently by another process
            scenario = Scenario(_scenario(code, index, project, plan, today))
            driver.run(instance.id, scenario, stop_at=plan.stop_at)
            if plan.extra:
                driver.run(instance.id, scenario, limit=plan.extra)
            created[plan.stage] = created.get(plan.stage, 0) + 1
            for task in engine.open_tasks(instance.id):
                if index % 2 == 0:
                    engine.claim(task.id, actor=demo_actor(task))
                    claimed += 1
                (overdue if index % 3 == 0 else on_time).append(task.id)
    _set_due_dates(engine, on_time, overdue, today)
    if not created:
        return "already present; nothing added"
    stages = ", ".join(f"{stage} {count}" for stage, count in created.items())
    return f"{sum(created.values())} projects added ({stages}); {claimed} tasks claimed, {len(overdue)} overdue"


def _set_due_dates(engine: Engine, on_time: list[int], overdue: list[int], today: date) -> None:
    """Give open tasks due dates where none was computed, and put some in the past (demo of overdue)."""
    with engine.unit_of_work(write=True) as uow:
        for task in uow.session.scalars(select(HumanTask).where(HumanTask.id.in_(on_time + overdue))):
            if task.id in overdue:
                task.due_date = today - timedelta(days=1 + task.id % 9)
            elif task.due_date is None:
                task.due_date = today + timedelta(days=3 + task.id % 20)
        uow.commit()
