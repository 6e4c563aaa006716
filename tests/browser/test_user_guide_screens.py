"""The user guide's screens (docs/guide/): each role's work walked in Chromium on the real pages, what a user
notices at each step asserted, and the guide's pictures saved on the way (docs/guide/images/<role>-<step>.png).

Pictures are written on the SQLite run only; the PostgreSQL run walks the same steps without touching files.
The engines' clock is fixed (``NOW``, a Monday morning in Beijing) and moved where a story needs days to
pass, so dates, waiting times and overdue badges come out the same every run: a picture changes when its
page does. Projects are put where a story starts with the demo driver (``engine.demo.driver``), the way the
demo seed does; everything a guide tells a person to do is done here by clicks.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveApp
from document_samples import EXE, PDF
from playwright.sync_api import Browser, Locator, Page, Playwright, expect
from sqlalchemy import select, update

from engine.calendars.deadlines import local_date
from engine.compose import build_engine
from engine.demo.driver import Driver
from engine.demo.seed import party_actor, seed_calendars, shipped_bundle
from engine.formats.credit_code import compose_credit_code
from engine.identity.localities import ensure_default_localities
from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import Deployment, HumanTask, Organization, ProcessVersion
from support import systems_agree

pytestmark = pytest.mark.browser

NOW = datetime(2026, 4, 13, 1, 30, tzinfo=UTC)  # Monday 13 April 2026, 09:30 in Beijing
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "images"
URUMQI = "650100"
AGENT = "乌鲁木齐市诚信招标代理有限公司"
PROVIDER = "乌鲁木齐市爱心养老服务有限公司"  # provider_urumqi's company
OTHER_PROVIDER = "新疆博格达检验检测有限公司"  # provider2_urumqi's


class Clock:
    """The engines' clock: ``NOW`` moved by ``set(days=…)``."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def set(self, **offset: float) -> None:
        self.now = NOW + timedelta(**offset)

    @property
    def today(self) -> date:
        return local_date(self.now)


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Chromium as conftest's, rasterizing on one thread, so a page gives the same picture every run."""
    steady = ["--num-raster-threads=1", "--disable-partial-raster", "--force-color-profile=srgb", "--disable-lcd-text"]
    instance = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *steady])
    yield instance
    instance.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(database_url: str, clock: Clock) -> Iterator[Engine]:
    """The test's engine (the one ``live_app`` seeds with) on the fixed clock, counting due dates on the
    working-day calendar as the app does, with the shipped processes deployed for the region."""
    instance = build_engine(database_url, clock=clock)
    with instance.unit_of_work(write=True) as uow:
        ensure_default_localities(uow.session)
        uow.commit()
    seed_calendars(instance, today=NOW.date())
    instance.deploy(shipped_bundle(), "650000", "designer_region")
    date_deployments(instance, "650000", NOW - timedelta(days=30))
    yield instance
    instance.dispose()


def date_deployments(engine: Engine, locality: str, at: datetime) -> None:
    """Date a locality's deployments ``at``: a deploy is stamped by the wall clock, not the engine's, and the
    pictures show when each version was deployed."""
    with engine.unit_of_work(write=True) as uow:
        for model in (Deployment, ProcessVersion):
            uow.session.execute(update(model).where(model.locality_code == locality).values(deployed_at=at))
        uow.commit()


@dataclass
class Guide:
    """One role's walk: the page, the app, the clock, and where its pictures go."""

    live: LiveApp
    page: Page
    clock: Clock
    saving: bool

    @property
    def engine(self) -> Engine:
        return self.live.engine

    def sign_in(self, username: str) -> None:
        self.live.logout(self.page)
        self.live.login(self.page, username)

    def go(self, path: str) -> None:
        self.page.goto(f"{self.live.url}{path}")

    def form_ready(self) -> None:
        self.page.wait_for_function("() => document.body.dataset.formReady === 'true'")

    def submissions_ready(self) -> None:
        self.page.wait_for_function("() => document.body.dataset.submissionsReady === 'true'")

    def submit(self, task_id: int) -> None:
        """Press 提交办结 and land on the project page the answer names."""
        completing = f"/tasks/{task_id}/complete"
        with self.page.expect_response(lambda r: r.request.method == "POST" and completing in r.url) as answer:
            self.page.click("#submit-task")
        assert answer.value.status == 200, (self.page.locator("#task-status").inner_text(), answer.value.json())
        self.page.wait_for_url("**/projects/*")

    def shot(self, name: str, *parts: Locator, pad: int = 10) -> None:
        """Save ``images/<name>.png``: the region around ``parts`` (all of them), or the window without any."""
        if not self.saving:
            return
        IMAGES.mkdir(parents=True, exist_ok=True)
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring
        path = str(IMAGES / f"{name}.png")
        options: dict[str, Any] = {"path": path, "animations": "disabled", "caret": "hide"}
        if not parts:
            self.page.screenshot(**options)
            return
        boxes = [box for part in parts if (box := part.bounding_box()) is not None]
        assert boxes, f"nothing to picture for {name}"
        sx, sy = self.page.evaluate("() => [window.scrollX, window.scrollY]")
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        left = max(math.floor(min(b["x"] for b in boxes) + sx - pad), 0)  # whole pixels: the same every run
        top = max(math.floor(min(b["y"] for b in boxes) + sy - pad), 0)
        right = min(math.ceil(max(b["x"] + b["width"] for b in boxes) + sx + pad), width)
        bottom = math.ceil(max(b["y"] + b["height"] for b in boxes) + sy + pad)
        clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
        self.page.screenshot(full_page=True, clip=clip, **options)


@pytest.fixture
def guide(live_app: LiveApp, page: Page, clock: Clock) -> Guide:
    live_app.app.extensions["servflow_engine"].clock = clock  # the app's own engine: the same fixed clock
    saving = live_app.app.config["DATABASE_URL"].startswith("sqlite")
    return Guide(live_app, page, clock, saving)


# --------------------------------------------------------------------------- projects where a story starts


def organization(engine: Engine, name: str) -> Organization:
    return engine.read(lambda s: s.scalars(select(Organization).where(Organization.name == name)).one())


def application(name: str, budget: float, **changes: Any) -> dict[str, Any]:
    return {
        "project_name": name,
        "department": "乌鲁木齐市民政局",
        "in_catalogue": True,
        "catalogue_code": "A0501",
        "category": "basic_public",
        "budget": budget,
        "funding_source": "general_budget",
        "budget_confirmed": True,
        "service_content": "为辖区60周岁以上居家老人提供助餐、助洁、助浴和上门探访服务。",
        "service_quantity": "全年服务1200户",
        "service_standards": "按居家养老服务规范提供服务，每户每月上门探访不少于2次。",
        "period_start": "2026-06-01",
        "period_end": "2027-05-31",
        "location": "乌鲁木齐市天山区",
        "proposed_method": "auto",
        "public_service": False,
        "target_output": "服务1200户，服务完成率不低于98%。",
        "target_effect": "老人居家生活质量提升，突发情况及时处置。",
        "target_satisfaction": 90,
        **changes,
    }


def lifecycle(engine: Engine, day: date, name: str = "社区居家养老服务", **changes: Any) -> dict[str, Any]:
    """Answers a real project ``name`` would give at each task, dated ``day``; ``changes`` replace whole answers."""
    agent, provider = organization(engine, AGENT), organization(engine, PROVIDER)
    other = organization(engine, OTHER_PROVIDER)
    d = day.isoformat()
    award = 760_000
    answers: dict[str, Any] = {
        "submit_application": application(name, 800_000),
        "review_application": {
            "catalogue_checked": True,
            "budget_checked": True,
            "method_checked": True,
            "review_decision": "approve",
            "review_opinion": "属于指导性目录，预算已落实，同意立项。",
        },
        "publish_intent": {
            "intent_date": d,
            "planned_month": "2026-05",
            "intent_url": "https://www.ccgp-xinjiang.gov.cn/",
        },
        "publish_notice": {
            "project_number": "WLMQ-CG-2026-018",
            "notice_date": d,
            "response_deadline": d,
            "agent_name": agent.name,
            "agent_credit_code": agent.credit_code,
        },
        "record_bids": {
            "opening_date": d,
            "bid_count": 3,
            "bidders": f"{provider.name}、{other.name}、新疆绿洲职业技能培训学校",
        },
        "evaluate_bids": {
            "bid_evaluation_date": d,
            "panel_members": "王建国、李梅、张伟（随机抽取）",
            "candidates": [
                {
                    "candidate_rank": 1,
                    "supplier_name": provider.name,
                    "credit_code": provider.credit_code,
                    "bid_amount": award,
                    "score": 91.5,
                },
                {
                    "candidate_rank": 2,
                    "supplier_name": other.name,
                    "credit_code": other.credit_code,
                    "bid_amount": 780_000,
                    "score": 86,
                },
            ],
            "bid_evaluation_summary": "两家供应商响应文件符合要求，按综合评分排序推荐。",
        },
        "confirm_winner": {
            "winner_name": provider.name,
            "winner_credit_code": provider.credit_code,
            "award_amount": award,
            "confirm_date": d,
        },
        "review_qualification": {
            "qualification_result": "pass",
            "credit_check_date": d,
            "qualification_opinion": "资质齐全，经查询未列入失信被执行人、重大税收违法和政府采购严重违法失信名单。",
        },
        "publish_award": {"award_date": d, "result_url": "https://www.ccgp-xinjiang.gov.cn/"},
        "confirm_signing": {"signing_response": "accept"},
        "sign_contract": {
            "contract_number": "WLMQ-HT-2026-018",
            "signed_date": d,
            "contract_amount": award,
            "term_start": "2026-06-01",
            "term_end": "2027-05-31",
            "report_frequency": "half_yearly",
            "report_count": 1,
            "sme_provider": True,
            "payment_plan": [
                {"instalment_name": "验收款", "pay_condition": "acceptance_passed", "amount": 456_000},
                {"instalment_name": "尾款", "pay_condition": "evaluation_passed", "amount": 304_000},
            ],
        },
        "announce_contract": {"contract_announce_date": d, "contract_url": "https://www.ccgp-xinjiang.gov.cn/"},
        "file_contract": {"filing_date": d, "filing_number": "乌财备〔2026〕018号"},
        "submit_report": {
            "report_period": "2026年下半年",
            "progress_summary": "本期服务1180户，上门探访2400人次，助餐1.2万人次。",
            "service_volume": 1180,
            "ledger_summary": "服务台账1180户，回访记录320条。",
            "no_subcontracting": True,
        },
        "review_report": {
            "report_review_result": "accepted",
            "performance_on_track": True,
            "report_review_opinion": "服务按计划开展，台账完整。",
        },
        "collect_recipient_opinions": {
            "survey_count": 120,
            "satisfaction_rate": 93,
            "recipient_opinion": "服务及时，态度好。",
        },
        "inspect_service": {
            "acceptance_date": d,
            "inspectors": "民政局 赵敏、刘洋",
            "acceptance_result": "pass",
            "acceptance_opinion": "服务数量、质量达到合同约定，验收合格。",
        },
        "announce_acceptance": {"acceptance_announce_date": d},
        "plan_evaluation": {"evaluation_mode": "self", "evaluation_deadline": d},
        "self_evaluation": {
            "perf_evaluation_date": d,
            "indicators": [
                {
                    "indicator_name": "服务完成率",
                    "dimension": "output",
                    "weight": 60,
                    "indicator_target": "98%",
                    "indicator_actual": "98.3%",
                    "score": 58,
                },
                {
                    "indicator_name": "服务对象满意度",
                    "dimension": "satisfaction",
                    "weight": 40,
                    "indicator_target": "90%",
                    "indicator_actual": "93%",
                    "score": 37,
                },
            ],
            "perf_evaluation_summary": "绩效目标基本实现。",
        },
        "confirm_evaluation": {"evaluation_confirmed": True},
        "submit_invoice": {"invoice_no": "65012600000018", "invoice_amount": 456_000, "invoice_date": d},
        "request_payment": {"payment_request_date": d, "requested_amount": 456_000},
        "record_payment": {"paid_date": d, "paid_amount": 456_000, "voucher_no": "国库支付〔2026〕0418"},
    }
    return answers | changes


def drive(engine: Engine, instance_id: int, answers: dict[str, Any], stop_at: str) -> HumanTask:
    """The demo people answer the project's tasks until ``stop_at`` is open; that task is returned."""
    Driver(engine, actor=party_actor(engine)).run(instance_id, answers, stop_at={stop_at})
    (task,) = [t for t in engine.open_tasks(instance_id) if t.element_id == stop_at]
    return task


def start(engine: Engine, key: str, title: str, actor: str = "purchaser_urumqi") -> int:
    instance = engine.start("lifecycle", locality=URUMQI, business_key=key, actor=actor, title=title)
    return instance.id


# --------------------------------------------------------------------------- everyone: sign in, language


def test_signing_in_the_home_page_and_the_language_switch(guide: Guide) -> None:
    page = guide.page
    guide.go("/login")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", "purchaser_urumqi")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".error[role=alert]")).to_contain_text("用户名或密码错误")
    page.fill("input[name=username]", "purchaser_urumqi")
    page.fill("input[name=password]", "demo123")
    guide.shot("common-login", page.locator("section.card"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{guide.live.url}/")
    expect(page.locator("h1")).to_have_text("欢迎，乌鲁木齐购买主体")
    expect(page.locator("main")).to_contain_text("购买主体 · 乌鲁木齐市")
    nav = page.locator("header.topbar nav")
    for link in ("待办任务", "发起项目", "项目台账", "信息公开", "机构名录", "承接主体名录", "消息"):
        expect(nav.get_by_role("link", name=link)).to_be_visible()
    expect(nav.get_by_role("link", name="监控看板")).to_have_count(0)  # a manager's page
    guide.shot("common-home", page.locator("header.topbar"), page.locator("main section.card"), pad=0)

    page.click("#lang-switch")
    expect(page.locator("h1")).to_have_text("Welcome, 乌鲁木齐购买主体")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    page.click("nav >> text=Inbox")
    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.locator("#tab-mine")).to_contain_text("My tasks")
    guide.shot("common-english", page.locator("header.topbar"), page.locator("nav.tabs"), pad=0)
    page.click("#lang-switch")  # back to Chinese, on the same page
    expect(page.locator("h1")).to_have_text("待办任务")


# --------------------------------------------------------------------------- 购买主体


def test_purchaser_starts_a_project_applies_with_files_and_follows_it(guide: Guide, tmp_path: Path) -> None:
    engine, page, clock = guide.engine, guide.page, guide.clock
    # an earlier application the finance bureau returned for revision 15 days ago: overdue by now
    clock.set(days=-20)
    returned = start(engine, "WLMQ-2026-007", "老年助餐服务")
    drive(engine, returned, {"submit_application": application("老年助餐服务", 450_000)}, "review_application")
    clock.set(days=-15)
    back = {
        "review_decision": "return",
        "review_opinion": "测算依据不足：请补充助餐单价和服务人次的测算说明后重新申报。",
    }
    drive(engine, returned, {"review_application": back}, "submit_application")
    clock.set()

    guide.sign_in("purchaser_urumqi")
    page.click("nav >> text=发起项目")
    expect(page.locator("h1")).to_have_text("发起项目")
    expect(page.locator("#start-department")).to_contain_text("乌鲁木齐市民政局")  # the one department I work for
    page.fill("#start-form input[name=title]", "社区居家养老服务")
    guide.shot("purchaser-start", page.locator("main section.card"))
    page.click("#start-form button[type=submit]")
    page.wait_for_url("**/tasks/*")
    expect(page.locator(".flash")).to_contain_text("已发起项目")
    expect(page.locator("h1")).to_have_text("填报项目申报书")
    apply_id = int(page.url.rsplit("/", 1)[1])
    guide.form_ready()
    form = page.locator("#task-form")
    expect(form.locator(".fjs-form-field-textfield input").first).to_have_value("社区居家养老服务")

    page.click("#submit-task")  # nothing filled in yet
    expect(page.locator("#task-status")).to_contain_text("提交的内容有误")
    expect(form.locator(".fjs-form-field-error").filter(has_text="必填").first).to_be_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    guide.shot("purchaser-form-errors", page.locator("header.task-head"), form.locator(".fjs-form-field").nth(5))

    fields = application("社区居家养老服务", 800_000)
    form.locator(".fjs-form-field-number input").first.fill("800000")
    typed = {
        "service_content": "服务内容",
        "service_quantity": "服务数量",
        "service_standards": "服务标准与质量要求",
        "location": "服务地点",
        "target_output": "产出指标",
        "target_effect": "效益指标",
    }
    for key, label in typed.items():
        form.get_by_label(re.compile(f"^{label}")).fill(fields[key])
    form.get_by_label(re.compile("属于政府购买服务指导性目录")).check()
    form.get_by_label(re.compile("目录编码")).fill("A0501")
    form.get_by_label(re.compile("已列入部门预算")).check()
    page.click("#save-draft")
    expect(page.locator("#task-status")).to_contain_text("草稿已保存")
    saved = engine.get_task(apply_id).draft
    assert saved["budget"] == 800_000 and saved["service_content"] == fields["service_content"]
    rest = {key: value for key, value in fields.items() if saved.get(key) in (None, "")}
    engine.save_draft(apply_id, saved | rest, actor="purchaser_urumqi")  # the selects and dates, chosen
    page.reload()
    guide.form_ready()
    expect(form.locator(".fjs-form-field-number input").first).to_have_value("800000")  # the draft came back

    (tmp_path / "实施方案.pdf").write_bytes(PDF)
    (tmp_path / "测算依据.pdf").write_bytes(EXE)  # named .pdf, but a Windows program inside
    files = form.locator("[data-field-key='application_files']")
    files.locator("input[type=file]").set_input_files([str(tmp_path / "实施方案.pdf"), str(tmp_path / "测算依据.pdf")])
    expect(files.locator("li[data-document-id]")).to_have_count(1)
    expect(files.locator(".fjs-form-field-error")).to_contain_text("测算依据.pdf")
    expect(files.locator(".fjs-form-field-error")).to_contain_text("只收")
    guide.shot("purchaser-attach", files)
    guide.submit(apply_id)
    expect(page.locator(".flash")).to_contain_text("任务已办结：填报项目申报书。下一步：等待外部系统处理（核对预算指标）")
    expect(page.locator("#waiting-systems")).to_contain_text("budget.check")
    guide.shot("purchaser-budget-check", page.locator(".flash"), page.locator("#waiting-systems"))
    systems_agree(engine, int(page.url.rsplit("/", 1)[1]))  # the budget system confirms the line
    page.reload()
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市财政局 · 财政部门 · 待认领")
    expect(page.locator("[data-stage='review'].step")).to_contain_text("进行中")
    guide.shot("purchaser-submitted", page.locator("#next-steps"))
    instance_id = int(page.url.rsplit("/", 1)[1])

    # the returned one waits in the inbox, overdue; the reviewer's reasons are on its page
    page.click("nav >> text=待办任务")
    expect(page.locator("#tab-group .count")).to_have_text("1")  # a returned application waits for the department
    page.click("#tab-group")
    row = page.locator("#inbox-table tbody tr", has_text="老年助餐服务")
    expect(row.locator(".badge.overdue")).to_have_text("逾期 5 天")
    guide.shot("purchaser-inbox-overdue", page.locator("nav.tabs"), page.locator("#inbox-table"))
    row.locator("a.project").click()
    page.wait_for_url("**/projects/*")
    page.locator("#next-steps a", has_text="填报项目申报书").click()
    guide.submissions_ready()
    review = page.locator("details.submission", has_text="审核项目申报")
    expect(review.locator("summary")).to_contain_text("乌鲁木齐财政部门")
    expect(review.locator("textarea")).to_have_value(back["review_opinion"])
    expect(review.get_by_label("退回修改")).to_be_checked()
    guide.form_ready()
    expect(form.get_by_label(re.compile("^预算金额"))).to_have_value("450000")  # the application as it was sent
    guide.shot("purchaser-returned", review)

    # the finance bureau approves; the procurement intent is the department's next task
    clock.set(days=2)
    intent = drive(engine, instance_id, lifecycle(engine, clock.today), "publish_intent")
    clock.set(days=2, hours=3)
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    row = page.locator(f"tr[data-task-id='{intent.id}']")
    expect(row).to_contain_text("公开采购意向")
    expect(row.locator("time")).to_have_text(intent.due_date.isoformat())
    row.get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领任务：公开采购意向")
    page.click("#tab-mine")
    mine = page.locator(f"tr[data-task-id='{intent.id}']")
    expect(mine.get_by_role("link", name="办理")).to_be_visible()
    expect(mine.get_by_role("button", name="退回待认领")).to_be_visible()
    guide.shot("purchaser-inbox", page.locator("nav.tabs"), page.locator("#inbox-table"))
    engine.save_draft(intent.id, {"intent_date": clock.today.isoformat()}, actor="purchaser_urumqi")  # a date picked
    mine.get_by_role("link", name="办理").click()
    guide.form_ready()
    page.locator("#task-form").get_by_label(re.compile("预计采购时间")).fill("2026-05")
    guide.submit(intent.id)
    expect(page.locator(".flash")).to_contain_text("下一步：发布采购公告")

    # procurement and the award go by; the contract is the department's to sign, a month after the award
    clock.set(days=9)
    drive(engine, instance_id, lifecycle(engine, clock.today), "confirm_signing")
    clock.set(days=44)
    drive(engine, instance_id, lifecycle(engine, clock.today), "sign_contract")
    page.goto(f"{guide.live.url}/projects/{instance_id}")
    expect(page.locator("#project-stages [data-stage='sign']")).to_contain_text("进行中")
    expect(page.locator("#stage-timeline tr[data-stage='sign']")).to_contain_text("30 天内")
    expect(page.locator("#stage-timeline tr[data-stage='sign'].over .badge.overdue")).to_contain_text("超出")
    expect(page.locator("#next-steps")).to_contain_text("签订合同")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市民政局 · 购买主体")
    guide.shot("purchaser-project", page.locator("header.task-head"), page.locator("#next-steps"))
    expect(page.locator("#project-parties")).to_contain_text(PROVIDER)
    expect(page.locator("#project-parties")).to_contain_text(AGENT)
    expect(page.locator("#project-documents")).to_contain_text("实施方案.pdf")
    with page.expect_download() as dossier:
        page.locator("#project-dossier").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(dossier.value.path()).read_bytes()))
    assert "01 项目申报/填报项目申报书/实施方案.pdf" in archive.namelist()
    guide.shot("purchaser-documents", page.locator("#documents-heading"), page.locator("#project-parties"))


# --------------------------------------------------------------------------- 财政部门


def test_finance_reviewer_claims_reviews_and_meets_a_colleague_on_the_same_task(guide: Guide) -> None:
    engine, page, clock = guide.engine, guide.page, guide.clock
    clock.set(days=-3)
    mine = start(engine, "WLMQ-2026-011", "社区居家养老服务")
    review = drive(engine, mine, lifecycle(engine, clock.today), "review_application")
    theirs = start(engine, "WLMQ-2026-012", "老年助餐服务")
    colleague = drive(
        engine, theirs, {"submit_application": application("老年助餐服务", 450_000)}, "review_application"
    )
    engine.claim(colleague.id, actor="finance_reviewer2_urumqi")
    paying = start(engine, "WLMQ-2025-031", "困难老人助浴服务")
    clock.set(days=-40)
    payment = drive(engine, paying, lifecycle(engine, clock.today, "困难老人助浴服务"), "record_payment")
    clock.set()

    guide.sign_in("finance_reviewer_urumqi")
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    rows = page.locator("#inbox-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f"tr[data-task-id='{colleague.id}']")).to_have_count(0)  # claimed: no longer anyone's to take
    expect(page.locator(f"tr[data-task-id='{payment.id}']")).to_contain_text("国库支付")
    guide.shot("reviewer-inbox", page.locator("nav.tabs"), page.locator("#inbox-table"))

    page.locator(f"tr[data-task-id='{review.id}']").get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领任务：审核项目申报")
    page.click("#tab-mine")
    page.locator(f"tr[data-task-id='{review.id}']").get_by_role("link", name="办理").click()
    guide.form_ready()
    guide.submissions_ready()
    expect(page.locator(".summary")).to_contain_text("¥800,000.00")
    application_block = page.locator("details.submission", has_text="填报项目申报书")
    expect(application_block.locator("input[type=text]").first).to_have_value("社区居家养老服务")
    expect(application_block.locator("input[type=text]").first).not_to_be_editable()
    guide.shot("reviewer-task", page.locator("header.task-head"), page.locator("aside.task-side section").first)

    form = page.locator("#task-form")
    for check in ("已核对指导性目录", "已核对预算安排", "已核对采购方式"):
        form.get_by_label(check).check()
    form.get_by_label("同意", exact=True).check()
    form.get_by_label(re.compile("审定意见")).fill("属于指导性目录，预算已落实，采购方式按规则确定，同意立项。")
    guide.shot("reviewer-decision", page.locator("#form-heading"), page.locator(".task-buttons"))
    guide.submit(review.id)
    expect(page.locator(".flash")).to_contain_text("任务已办结：审核项目申报。下一步：公开采购意向")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市民政局 · 购买主体")
    expect(page.locator("#project-stages [data-stage='procure']")).to_contain_text("进行中")
    guide.shot("reviewer-done", page.locator(".flash"), page.locator("#next-steps"))

    # the colleague's task, from its project page: read only; as the bureau's lead I may hand it to someone else
    guide.go(f"/projects/{theirs}")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市财政局 · 财政部门 · 乌鲁木齐财政部门（二）")
    page.locator("#next-steps a", has_text="审核项目申报").click()
    expect(page.locator("#task-notice")).to_contain_text("此任务已由 乌鲁木齐财政部门（二） 认领，您只能查看。")
    expect(page.locator("#submit-task")).to_have_count(0)
    handover = page.locator(".handover")
    expect(handover).to_contain_text("分派给同组人员")
    guide.shot("reviewer-claimed-by-other", page.locator("#form-heading"), page.locator("#task-notice"), handover)
    expect(handover.locator("select[name=assignee] option")).to_have_text(["请选择", "乌鲁木齐财政部门（二）"])

    # a payment both of us opened: the colleague submits first, mine is refused and what I typed stays
    engine.save_draft(payment.id, {"paid_date": clock.today.isoformat()}, actor="finance_reviewer_urumqi")
    guide.go(f"/tasks/{payment.id}")
    guide.form_ready()
    form.get_by_label(re.compile("支付金额")).fill("456000")
    form.get_by_label(re.compile("支付凭证号")).fill("国库支付〔2026〕0413")
    engine.complete(payment.id, lifecycle(engine, clock.today)["record_payment"], actor="finance_reviewer2_urumqi")
    page.click("#submit-task")
    expect(page.locator("#task-status")).to_contain_text("此任务已由 乌鲁木齐财政部门（二） 于")
    expect(page.locator("#task-status")).to_contain_text("您的提交未保存")
    expect(form.get_by_label(re.compile("支付凭证号"))).to_have_value("国库支付〔2026〕0413")
    guide.shot("reviewer-conflict", page.locator("#form-heading"), page.locator(".task-buttons"))

    # the provider registry: who is on the blacklist, and the form that puts a provider there
    page.click("nav >> text=承接主体名录")
    banned = page.locator("#providers tr", has_text="乌鲁木齐市速洁保洁服务有限公司")
    expect(banned).to_contain_text("黑名单中（至")
    page.locator("#providers a", has_text=OTHER_PROVIDER).click()
    expect(page.locator("#standing")).to_have_text("正常")
    expect(page.locator("#ban-form")).to_be_visible()
    guide.shot("reviewer-blacklist-form", page.locator("h2", has_text="黑名单"), page.locator("#ban-form"))


# --------------------------------------------------------------------------- 采购代理机构、评审专家


def test_agent_publishes_opens_bids_and_the_panel_evaluates(guide: Guide, tmp_path: Path) -> None:
    engine, page, clock = guide.engine, guide.page, guide.clock
    clock.set(days=-1)
    instance_id = start(engine, "WLMQ-2026-018", "社区居家养老服务")
    answers = lifecycle(engine, clock.today)
    notice = drive(engine, instance_id, answers, "publish_notice")
    clock.set()
    today = clock.today.isoformat()
    agent = organization(engine, AGENT)
    (tmp_path / "采购文件.pdf").write_bytes(PDF)
    (tmp_path / "中标通知书.pdf").write_bytes(PDF)

    guide.sign_in("agent_urumqi")
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    row = page.locator(f"tr[data-task-id='{notice.id}']")
    expect(row).to_contain_text("发布采购公告")
    expect(row).to_contain_text("组织采购")
    guide.shot("agent-inbox", page.locator("nav.tabs"), page.locator("#inbox-table"))
    row.get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领任务：发布采购公告")
    early = (clock.today + timedelta(days=5)).isoformat()  # too soon for a 竞争性磋商 (at least 10 days)
    engine.save_draft(
        notice.id, {"notice_date": today, "response_deadline": early}, actor="agent_urumqi"
    )  # dates picked
    guide.go(f"/tasks/{notice.id}")
    guide.form_ready()
    form = page.locator("#task-form")
    expect(page.locator(".summary")).to_contain_text("竞争性磋商")  # the method the rules chose
    form.get_by_label(re.compile("^项目编号")).fill("WLMQ-CG-2026-018")
    form.get_by_label(re.compile("^采购代理机构\\*?$")).fill(agent.name)
    code = form.get_by_label(re.compile("采购代理机构统一社会信用代码"))
    code.fill(compose_credit_code("91650100", "MA000001"))  # a valid code, but of no registered organization
    form.locator("[data-field-key='procurement_documents'] input[type=file]").set_input_files(
        str(tmp_path / "采购文件.pdf")
    )
    expect(form.locator("[data-field-key='procurement_documents'] li[data-document-id]")).to_have_count(1)
    page.click("#submit-task")
    expect(page.locator("#task-status")).to_contain_text("提交的内容有误")

    def error_of(label: str) -> Locator:
        return form.locator(".fjs-form-field").filter(has_text=label).locator(".fjs-form-field-error")

    expect(error_of("采购代理机构统一社会信用代码")).to_contain_text("未在名录中登记")
    guide.shot("agent-code-error", form.locator(".fjs-form-field").filter(has_text="采购代理机构").first,
               error_of("采购代理机构统一社会信用代码"))  # fmt: skip
    code.fill(agent.credit_code)
    page.click("#submit-task")
    expect(error_of("投标/响应截止日期")).to_contain_text("竞争性磋商不得少于10日")
    expect(error_of("采购代理机构统一社会信用代码")).to_have_count(0)
    guide.shot("agent-deadline-error", form.locator(".fjs-form-field").filter(has_text="公告日期").first,
               error_of("投标/响应截止日期"))  # fmt: skip
    deadline = form.get_by_label(re.compile("投标/响应截止日期"))
    deadline.fill("2026/4/27")
    deadline.press("Enter")
    guide.submit(notice.id)
    expect(page.locator(".flash")).to_contain_text("下一步：等待外部系统处理（推送采购公告至采购平台）")
    expect(page.locator("#project-parties")).to_contain_text(agent.name)  # the agent named is now the project's
    assert engine.task_data(notice.id)["response_deadline"] == "2026-04-27"
    systems_agree(engine, notice.instance_id)  # the procurement platform publishes it
    page.reload()
    expect(page.locator("#next-steps")).to_contain_text("开标/接收响应文件")

    clock.set(days=14)  # the deadline has passed: the bids are opened
    today = clock.today.isoformat()
    (bids,) = engine.open_tasks(instance_id)
    engine.save_draft(bids.id, {"opening_date": today}, actor="agent_urumqi")
    page.locator("#next-steps a", has_text="开标/接收响应文件").click()
    guide.form_ready()
    form.get_by_label(re.compile("有效投标/响应供应商数量")).fill("3")
    form.get_by_label(re.compile("供应商名单")).fill(answers["record_bids"]["bidders"])
    guide.shot("agent-bids", page.locator("#form-heading"), page.locator(".task-buttons"))
    guide.submit(bids.id)
    expect(page.locator(".flash")).to_contain_text("下一步：专家评审")

    guide.sign_in("panel_urumqi")
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    (evaluation,) = engine.open_tasks(instance_id)
    page.locator(f"tr[data-task-id='{evaluation.id}']").get_by_role("button", name=re.compile("认领")).click()
    expect(page.locator(".flash")).to_contain_text("已认领任务：专家评审")
    scores = answers["evaluate_bids"] | {"bid_evaluation_date": today}
    typed = {key: value for key, value in scores.items() if key != "bid_evaluation_summary"}
    engine.save_draft(evaluation.id, typed, actor="panel_urumqi")  # the scores, typed in before
    guide.go(f"/tasks/{evaluation.id}")
    guide.form_ready()
    candidates = form.locator(".fjs-form-field-dynamiclist")
    expect(candidates.get_by_label(re.compile("供应商名称")).first).to_have_value(PROVIDER)
    form.get_by_label(re.compile("评审意见")).fill(scores["bid_evaluation_summary"])
    guide.shot("panel-evaluation", page.locator("#form-heading"), page.locator(".task-buttons"))
    guide.submit(evaluation.id)
    expect(page.locator(".flash")).to_contain_text("下一步：确定中标/成交供应商")

    qualification = drive(engine, instance_id, answers | lifecycle(engine, clock.today), "review_qualification")
    engine.save_draft(qualification.id, {"credit_check_date": today}, actor="panel_urumqi")
    guide.go(f"/tasks/{qualification.id}")
    guide.form_ready()
    form.get_by_label("符合资格条件").check()
    form.get_by_label(re.compile("审核意见")).fill(answers["review_qualification"]["qualification_opinion"])
    guide.shot("panel-qualification", page.locator("#form-heading"), page.locator(".task-buttons"))
    guide.submit(qualification.id)
    expect(page.locator(".flash")).to_contain_text("下一步：发出中标通知并公告结果")

    guide.sign_in("agent_urumqi")
    (award,) = engine.open_tasks(instance_id)
    engine.save_draft(award.id, {"award_date": today}, actor="agent_urumqi")
    guide.go(f"/tasks/{award.id}")
    guide.form_ready()
    form.locator("[data-field-key='award_letter'] input[type=file]").set_input_files(str(tmp_path / "中标通知书.pdf"))
    expect(form.locator("[data-field-key='award_letter'] li[data-document-id]")).to_have_count(1)
    guide.submit(award.id)
    expect(page.locator(".flash")).to_contain_text("下一步：等待外部系统处理（推送结果公告至采购平台）")
    expect(page.locator("#project-disclosures")).to_contain_text("结果公告")
    systems_agree(engine, award.instance_id)  # the platform publishes the result too
    page.reload()
    expect(page.locator("#next-steps")).to_contain_text("确认签约")

    guide.live.logout(page)  # the announcement is public: no sign-in
    guide.go("/public/?kind=result")
    announcement = page.locator("article.announcement[data-kind='result']").first
    expect(announcement).to_contain_text("社区居家养老服务")
    expect(announcement).to_contain_text(PROVIDER)
    expect(announcement).to_contain_text("王建国、李梅、张伟")
    guide.shot("agent-public-result", page.locator("main h1"), announcement)


# --------------------------------------------------------------------------- 承接主体


def awarded_to(engine: Engine, day: date, project: str, provider: str) -> dict[str, Any]:
    """The lifecycle's answers of ``project`` with the award going to ``provider``."""
    winner = organization(engine, provider)
    answers = lifecycle(engine, day, project)
    award = {"winner_name": provider, "winner_credit_code": winner.credit_code}
    answers["confirm_winner"] = answers["confirm_winner"] | award
    return answers


def test_provider_confirms_the_contract_reports_and_sees_only_its_own(guide: Guide, tmp_path: Path) -> None:
    engine, page, clock = guide.engine, guide.page, guide.clock
    clock.set(days=-2)
    ours = start(engine, "WLMQ-2026-018", "社区居家养老服务")
    confirm = drive(engine, ours, awarded_to(engine, clock.today, "社区居家养老服务", PROVIDER), "confirm_signing")
    theirs = start(engine, "WLMQ-2026-021", "食品安全抽检监测服务")
    drive(engine, theirs, awarded_to(engine, clock.today, "食品安全抽检监测服务", OTHER_PROVIDER), "confirm_signing")
    clock.set()

    guide.sign_in("provider_urumqi")
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    rows = page.locator("#inbox-table tbody tr")
    expect(rows).to_have_count(1)  # the other company's contract is not mine to see
    expect(rows.first).to_contain_text("确认签约")
    expect(page.locator("main")).not_to_contain_text("食品安全抽检监测服务")
    guide.shot("provider-inbox", page.locator("nav.tabs"), page.locator("#inbox-table"))
    rows.first.get_by_role("button", name=re.compile("认领")).click()
    guide.go(f"/tasks/{confirm.id}")
    guide.form_ready()
    expect(page.locator(".summary")).to_contain_text(PROVIDER)
    page.locator("#task-form").get_by_label("接受并签约").check()
    guide.shot("provider-confirm", page.locator("header.task-head"), page.locator(".task-buttons"))
    guide.submit(confirm.id)
    expect(page.locator(".flash")).to_contain_text("下一步：签订合同")
    expect(page.locator("#next-steps")).to_contain_text("乌鲁木齐市民政局 · 购买主体")

    clock.set(days=3)
    report = drive(engine, ours, lifecycle(engine, clock.today), "submit_report")
    clock.set(days=20)
    (tmp_path / "服务台账.pdf").write_bytes(PDF)
    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    page.locator(f"tr[data-task-id='{report.id}'] a.project").click()
    page.locator("#next-steps a", has_text="报送履约报告").click()
    page.click("#claim-button")  # claimed from the task's own page
    expect(page.locator(".flash")).to_contain_text("已认领任务：报送履约报告")
    guide.form_ready()
    form = page.locator("#task-form")
    given = lifecycle(engine, clock.today)["submit_report"]
    form.get_by_label(re.compile("^报告期")).fill(given["report_period"])
    form.get_by_label(re.compile("服务开展情况")).fill(given["progress_summary"])
    form.get_by_label(re.compile("本期服务量")).fill(str(given["service_volume"]))
    form.get_by_label(re.compile("服务台账摘要")).fill(given["ledger_summary"])
    form.get_by_label(re.compile("承诺未转包")).check()
    files = form.locator("[data-field-key='progress_files']")
    files.locator("input[type=file]").set_input_files(str(tmp_path / "服务台账.pdf"))
    expect(files.locator("li[data-document-id]")).to_contain_text("服务台账.pdf")
    guide.shot("provider-report", page.locator("#form-heading"), page.locator(".task-buttons"))
    guide.submit(report.id)
    expect(page.locator(".flash")).to_contain_text("下一步：审核履约报告")
    expect(page.locator("#project-documents [data-stage='supervise']")).to_contain_text("服务台账.pdf")

    page.click("nav >> text=项目台账")
    register = page.locator("#register-table")
    expect(register.locator("tbody tr")).to_have_count(1)
    expect(register).to_contain_text("社区居家养老服务")
    expect(register).to_contain_text("履约监管")
    expect(page.locator("main")).not_to_contain_text("食品安全抽检监测服务")
    guide.shot("provider-register", page.locator("main h1"), register)

    page.click("nav >> text=承接主体名录")
    expect(page.locator("#providers tbody tr")).to_have_count(1)  # my own company only
    page.locator("#providers a", has_text=PROVIDER).click()
    expect(page.locator("#standing")).to_have_text("正常")
    won = page.locator("#won-projects")
    expect(won).to_contain_text("社区居家养老服务")
    expect(won).to_contain_text("履约监管")
    guide.shot("provider-entry", page.locator("main section.card").first, won)


# --------------------------------------------------------------------------- 分管领导


def test_manager_sees_what_is_overdue_reassigns_and_approves(guide: Guide) -> None:
    engine, page, clock = guide.engine, guide.page, guide.clock
    clock.set(days=-30)
    name = "家庭医生签约健康管理服务"
    late_review = drive(
        engine, start(engine, "WLMQ-2026-003", name), lifecycle(engine, clock.today, name), "review_application"
    )
    engine.claim(late_review.id, actor="finance_reviewer_urumqi")
    name = "公共就业服务专项调查"
    drive(engine, start(engine, "WLMQ-2026-004", name), lifecycle(engine, clock.today, name), "record_bids")
    clock.set(days=-6)
    name = "乡村学校心理健康辅导服务"
    outside = lifecycle(engine, clock.today, name)
    outside["submit_application"] = application(name, 420_000, in_catalogue=False, catalogue_code=None)
    approval = drive(engine, start(engine, "WLMQ-2026-009", name), outside, "approve_outside_catalogue")
    clock.set(days=-12)
    start(engine, "WLMQ-2026-010", "社区网格化治理辅助服务")  # an application due in two days
    clock.set()
    Scheduler(engine).sweep()  # reminders to the people, escalations of what is overdue to the managers

    guide.sign_in("manager_urumqi")
    expect(page.locator("#notification-bell .bell-count")).to_have_text("3")  # two escalations, one reminder
    page.click("nav >> text=监控看板")
    expect(page.locator("#total-overdue .number")).to_have_text("2")
    expect(page.locator("#total-due-soon .number")).to_have_text("2")  # the approval and an application
    expect(page.locator("#by-stage tr[data-key='review']")).to_contain_text("1")
    guide.shot("manager-dashboard", page.locator("main h1"), page.locator("#by-stage"))

    page.click("#total-overdue")
    row = page.locator(f"#task-{late_review.id}")
    expect(row).to_contain_text("审核项目申报")
    expect(row.locator(".assignee")).to_contain_text("finance_reviewer_urumqi")
    expect(row).to_contain_text("逾期")
    row.locator("input[name=task_id]").check()
    page.select_option("#assignee", "finance_reviewer2_urumqi")
    guide.shot("manager-overdue", page.locator("main h1"), page.locator("#reassign-form"))
    page.click("#reassign-submit")
    expect(page.locator(".flash.success")).to_contain_text("已将 1 个任务改派给")
    expect(page.locator(f"#task-{late_review.id} .assignee")).to_contain_text("finance_reviewer2_urumqi")
    assert engine.get_task(late_review.id).assignee == "finance_reviewer2_urumqi"

    page.click("#notification-bell")
    page.wait_for_url("**/notifications/**")
    escalation = page.locator(".notice", has_text="【逾期督办】「开标/接收响应文件」")
    expect(escalation).to_be_visible()
    guide.shot("manager-notifications", page.locator("main h1"), page.locator(".notice").last)

    guide.go("/dashboard/heatmap?process=lifecycle")
    expect(page.locator("#heat-diagram")).to_have_attribute("data-ready", "true")
    expect(page.locator(".sf-heat-overdue").first).to_be_visible()
    guide.shot("manager-heatmap", page.locator("main h1"), page.locator("#heat-diagram"))

    page.click("nav >> text=待办任务")
    page.click("#tab-group")
    page.locator(f"tr[data-task-id='{approval.id}']").get_by_role("button", name=re.compile("认领")).click()
    guide.go(f"/tasks/{approval.id}")
    guide.form_ready()
    form = page.locator("#task-form")
    form.get_by_label("同意", exact=True).check()
    form.get_by_label(re.compile("分管领导意见")).fill("该服务属于基本公共服务，同意按目录外事项购买。")
    guide.shot("manager-approval", page.locator("header.task-head"), page.locator(".task-buttons"))
    guide.submit(approval.id)
    expect(page.locator(".flash")).to_contain_text("任务已办结：批准目录外购买。下一步：公开采购意向")


# --------------------------------------------------------------------------- 流程设计


def test_designer_changes_a_deadline_validates_deploys_and_compares_versions(guide: Guide) -> None:
    engine, page = guide.engine, guide.page
    guide.sign_in("designer_urumqi")
    page.click("nav >> text=流程设计")
    expect(page.locator("main h1")).to_contain_text("流程设计 · 乌鲁木齐市")
    review_row = page.locator("#process-list tr[data-process='review']")
    expect(review_row).to_contain_text("继承自 自治区本级")
    expect(page.locator("#process-list tbody tr")).to_have_count(9)  # the lifecycle and its eight stages
    guide.shot("designer-index", page.locator("main h1"), page.locator("#process-list"))

    review_row.get_by_role("link", name="复制并修改").click()
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")
    page.wait_for_function(  # select the task (again, should the diagram be imported anew) until its panel shows
        """(id) => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            const task = modeler.get('elementRegistry').get(id);
            if (task && !modeler.get('selection').isSelected(task)) modeler.get('selection').select(task);
            return !!document.querySelector(".bio-properties-panel-group[data-group-id='group-servflow']");
        }""",
        arg="review_application",
    )
    group = page.locator(".bio-properties-panel-group[data-group-id='group-servflow']")
    if "open" not in (group.locator(".bio-properties-panel-group-entries").get_attribute("class") or ""):
        group.locator(".bio-properties-panel-group-header").click()
    expect(page.locator("#bio-properties-panel-servflow-role")).to_have_value("财政部门")
    expect(page.locator("#bio-properties-panel-servflow-formKey")).to_have_value("review_decision")
    due = page.locator("#bio-properties-panel-servflow-dueIn")
    expect(due).to_have_value("10")
    expect(page.locator("#bio-properties-panel-servflow-dueUnit")).to_have_value("workingDays")
    due.fill("7")  # 乌鲁木齐 reviews within 7 working days
    due.press("Tab")

    page.click("#validate-btn")
    expect(page.locator("#status")).to_contain_text("校验通过", timeout=30_000)  # the shipped scenarios run
    expect(page.locator("#scenario-results li.fail")).to_have_count(0)
    guide.shot("designer-modeler", page.locator("#validate-btn").locator(".."), page.locator(".dz-modeler"))
    page.fill("#deploy-comment", "乌鲁木齐市审核期限改为7个工作日")
    page.click("#deploy-btn")
    expect(page.locator("#status")).to_contain_text("review v")
    version = engine.current_version("review", URUMQI)
    assert version.locality_code == URUMQI
    assert version.task_config["review_application"]["deadline"]["dueIn"] == "7"
    date_deployments(engine, URUMQI, guide.clock.now)

    guide.go(f"/designer/{URUMQI}/process/review/versions")
    versions = page.locator("#version-list tbody tr")
    expect(versions).to_have_count(2)  # the region's and now 乌鲁木齐's own
    expect(page.locator("#version-list")).to_contain_text("乌鲁木齐市审核期限改为7个工作日")
    guide.shot("designer-versions", page.locator("main h1"), page.locator("#version-list"))
    page.click("#diff-form button[type=submit]")
    expect(page.locator("#diff")).to_contain_text("review_application 审核项目申报")
    expect(page.locator("#diff")).to_contain_text("servflow:task.dueIn")
    guide.shot("designer-diff", page.locator("#diff"))

    page.click("nav >> text=流程设计")
    expect(page.locator("#process-list tr[data-process='review']")).not_to_contain_text("继承自")
