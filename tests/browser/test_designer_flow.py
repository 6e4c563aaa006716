"""A process designer's day in headless Chromium: fork, add a task with a form and deadline, deploy, see it run.

Shapes are placed with bpmn-js' modeling API (``page.evaluate``); everything servflow-specific — the
task id, form key and deadline — is typed into the properties panel the way a designer would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from designer_page import open_group, open_modeler, place, select
from playwright.sync_api import Page, expect

from engine.definitions.versions import effective_files
from support import FIXTURES, fixture_bytes

pytestmark = pytest.mark.browser
REGION, URUMQI = "650000", "650100"
CORPUS = Path("/work/shared/bpmn-corpus/miwg/reference")
SCENARIOS = (FIXTURES / "designer" / "intake.scenarios.json").read_text(encoding="utf-8")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def deploy_intake(engine: Any) -> None:
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/review.form.json")
    files["scenarios/intake.scenarios.json"] = SCENARIOS.encode()
    engine.deploy(files, REGION, deployed_by="region_designer")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"designer-{name}.png"), full_page=True)


def panel_input(page: Page, entry: str) -> Any:
    return page.locator(f"#bio-properties-panel-{entry}")


def test_designer_adds_a_task_with_form_and_deadline_deploys_and_the_inbox_shows_it(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    deploy_intake(engine)
    live_app.login(page, "designer_urumqi")
    page.goto(f"{live_app.url}/designer/")
    row = page.locator("#process-list tr[data-process='intake']")
    expect(row).to_contain_text("继承自 自治区本级")
    shot(page, "index")
    row.get_by_role("link", name="复制并修改").click()
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")

    place(
        page,
        """
        const task = modeling.createShape({ type: 'bpmn:UserTask' }, { x: 520, y: 330 }, el('pool_intake'));
        modeling.removeConnection(el('f2'));
        modeling.connect(el('apply'), task);
        modeling.connect(task, el('end'));
        modeling.updateLabel(task, '财政审核');
        window.__newTask = task.id;
        """,
    )
    select(page, page.evaluate("window.__newTask"))
    open_group(page, "general")
    panel_input(page, "id").fill("finance_review")
    panel_input(page, "id").press("Tab")
    page.wait_for_function("() => !!window.servflowDesigner.bpmn.modeler.get('elementRegistry').get('finance_review')")
    open_group(page, "servflow")
    expect(page.locator("#bio-properties-panel-servflow-role")).to_have_value("财政部门")
    panel_input(page, "servflow-formKey").fill("review")
    panel_input(page, "servflow-dueIn").fill("3")
    panel_input(page, "servflow-dueUnit").select_option("workingDays")
    panel_input(page, "servflow-remindBefore").fill("1")
    panel_input(page, "servflow-remindBefore").press("Tab")

    page.click("#validate-btn")
    expect(page.locator("#status")).to_contain_text("不能部署")
    expect(page.locator("#scenario-results li.fail")).to_contain_text("finance_review")

    fixed = json.loads(SCENARIOS)
    fixed["scenarios"][0]["answers"]["finance_review"] = [{"decision": "approve"}]
    fixed["scenarios"][0]["expect"]["tasks"] = ["apply", "finance_review"]
    page.click("#tabbtn-scenarios")
    page.locator("details.dz-advanced > summary").click()  # the raw JSON, for a whole file pasted in
    page.fill("#scenarios-text", json.dumps(fixed, ensure_ascii=False, indent=2))
    page.click("#tabbtn-diagram")
    page.click("#validate-btn")
    expect(page.locator("#status")).to_contain_text("校验通过")
    expect(page.locator("#scenario-results li.pass")).to_have_count(1)
    shot(page, "modeler-valid")

    page.fill("#deploy-comment", "增加财政审核环节")
    page.click("#deploy-btn")
    expect(page.locator("#status")).to_contain_text("intake v1")
    version = engine.current_version("intake", URUMQI)
    assert version.locality_code == URUMQI
    review = version.task_config["finance_review"]
    assert (review["role"], review["form_key"]) == ("finance_reviewer", "review")
    assert review["deadline"] == {"dueIn": "3", "dueUnit": "workingDays", "remindBefore": "1"}

    instance = engine.start("intake", locality=URUMQI, business_key="WLMQ-D-1", data={})
    [apply] = engine.open_tasks(instance.id)
    engine.complete(apply.id, {"project_name": "社区养老", "budget": 1000}, actor="purchaser_urumqi")
    [task] = engine.open_tasks(instance.id)
    assert (task.element_id, task.role, task.locality_code) == ("finance_review", "finance_reviewer", URUMQI)

    page.context.clear_cookies()
    live_app.login(page, "finance_reviewer_urumqi")
    page.goto(f"{live_app.url}/inbox/?tab=group")
    expect(page.locator("#inbox-table")).to_contain_text("财政审核")
    expect(page.locator("#inbox-table")).to_contain_text("WLMQ-D-1")


def test_a_broken_diagram_shows_its_errors_on_the_elements_and_does_not_deploy(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    deploy_intake(engine)
    live_app.login(page, "designer_urumqi")
    open_modeler(page, f"{live_app.url}/designer/{URUMQI}/process/intake")
    place(
        page,
        """
        const gw = modeling.createShape({ type: 'bpmn:ExclusiveGateway' }, { x: 560, y: 150 }, el('pool_intake'));
        modeling.updateProperties(gw, { id: 'gw' });
        modeling.removeConnection(el('f2'));
        modeling.connect(el('apply'), gw);
        modeling.connect(gw, el('end'));
        const other = modeling.createShape({ type: 'bpmn:EndEvent' }, { x: 660, y: 210 }, el('pool_intake'));
        modeling.connect(gw, other);
        """,
    )
    select(page, "apply")
    open_group(page, "servflow")
    panel_input(page, "servflow-formKey").fill("no_such_form")
    panel_input(page, "servflow-candidateOrganization").fill("evaluator_credit_code +")
    panel_input(page, "servflow-candidateOrganization").press("Tab")

    page.click("#deploy-btn")
    expect(page.locator("#status")).to_contain_text("未部署")
    problems = page.locator("#problems li.problem.error")
    expect(problems.filter(has_text="no_such_form")).to_have_count(1)
    expect(problems.filter(has_text="候选机构表达式有误")).to_have_count(1)
    expect(problems.filter(has_text="没有条件")).to_have_count(2)
    expect(page.locator("g.djs-element.sf-problem[data-element-id='gw']")).to_have_count(1)
    expect(page.locator("g.djs-element.sf-problem[data-element-id='apply']")).to_have_count(1)
    expect(page.locator(".sf-problem-badge")).to_have_count(2)
    shot(page, "modeler-problems")
    assert engine.versions(locality=URUMQI) == []

    page.locator("#problems li", has_text="no_such_form").get_by_role("button").click()
    assert page.evaluate("window.servflowDesigner.bpmn.modeler.get('selection').get().map((e) => e.id)") == ["apply"]


def test_form_editor_creates_a_form_and_attaches_it_and_dmn_tables_open(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    files = fixture_bytes("designer/intake.bpmn", "forms/application.form.json", "designer/threshold.dmn")
    engine.deploy(files, REGION, deployed_by="region_designer")
    live_app.login(page, "designer_urumqi")
    open_modeler(page, f"{live_app.url}/designer/{URUMQI}/process/intake")

    page.click("#tabbtn-forms")
    page.fill("#new-form-key", "site_visit")
    page.click("#new-form-btn")
    expect(page.locator("#form-editor .fjs-editor-container")).to_be_visible()
    page.evaluate(
        """() => {
            const editor = window.servflowDesigner.form.editor;
            const modeling = editor.get('modeling');
            const root = editor._state.schema;
            modeling.addFormField({ type: 'textfield', key: 'visit_notes', label: '检查记录' }, root, 0);
        }"""
    )
    expect(page.locator("#form-editor .sf-form-preview")).to_contain_text("检查记录")
    page.click("#tabbtn-diagram")
    select(page, "apply")
    page.click("#tabbtn-forms")
    page.click("#attach-form-btn")
    expect(page.locator("#status")).to_contain_text("site_visit")

    page.click("#tabbtn-dmn")
    page.select_option("#dmn-pick", "threshold.dmn")
    expect(page.locator("#dmn-editor .tjs-table")).to_be_visible()
    expect(page.locator("#dmn-editor .tjs-table")).to_contain_text("650100")
    cell = page.locator("#dmn-editor td[data-element-id='out_urumqi']")
    cell.locator("[contenteditable]").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("1800000")
    page.locator("#dmn-editor td[data-element-id='out_region']").click()
    expect(cell).to_contain_text("1800000")
    shot(page, "dmn")

    page.click("#tabbtn-diagram")
    page.click("#deploy-btn")
    expect(page.locator("#status")).to_contain_text("intake v1")
    version = engine.current_version("intake", URUMQI)
    assert version.task_config["apply"]["form_key"] == "site_visit"
    assert [c["key"] for c in version.forms["site_visit"]["components"]] == ["visit_notes"]
    with engine.unit_of_work() as uow:
        deployed = effective_files(uow.session, URUMQI)["threshold.dmn"]
    assert "1800000" in deployed and "1500000" not in deployed


def test_versions_page_compares_and_rolls_back(live_app: Any, page: Page) -> None:
    engine = live_app.engine
    deploy_intake(engine)
    source = (FIXTURES / "designer" / "intake.bpmn").read_text(encoding="utf-8")
    engine.deploy({"intake.bpmn": source.replace("项目申报", "申报v1").encode()}, URUMQI, "designer_urumqi")
    engine.deploy({"intake.bpmn": source.replace("项目申报", "申报v2").encode()}, URUMQI, "designer_urumqi")
    live_app.login(page, "designer_urumqi")
    page.goto(f"{live_app.url}/designer/{URUMQI}/process/intake/versions")
    expect(page.locator("#version-list tbody tr")).to_have_count(3)
    page.click("#diff-form button[type=submit]")
    expect(page.locator("#diff")).to_contain_text("申报v1")
    expect(page.locator("#diff")).to_contain_text("申报v2")
    shot(page, "diff")
    page.go_back()
    page.locator("#version-list tr[data-version='1'][data-locality='650100'] button.rollback").click()
    expect(page.locator(".flash")).to_contain_text("intake v3")
    assert engine.current_version("intake", URUMQI).name == "项目受理"
    assert "申报v1" in page.evaluate(
        "fetch(location.pathname.replace('/process/intake/versions', '') + "
        f"'/versions/{engine.current_version('intake', URUMQI).id}.bpmn').then(r => r.text())"
    )


def test_miwg_reference_models_open_in_the_modeler(database_url: str, live_app: Any, page: Page) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("rendering does not touch the database: checked once, on SQLite")
    live_app.login(page, "designer_urumqi")
    open_modeler(page, f"{live_app.url}/designer/{URUMQI}/new?key=corpus")
    models = {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.bpmn"))}
    assert {"A.1.0.bpmn", "B.2.0.bpmn", "C.1.0.bpmn"} <= set(models)
    rendered = page.evaluate(
        """async (models) => {
            const result = {};
            for (const [name, xml] of Object.entries(models)) {
                const box = document.createElement('div');
                const panel = document.createElement('div');
                box.style.height = '400px';
                document.body.append(box, panel);
                try {
                    const api = await Servflow.openModeler(box, panel, xml);
                    result[name] = api.modeler.get('elementRegistry').filter((e) => e.type !== 'label').length;
                    api.destroy();
                } catch (error) {
                    result[name] = 'error: ' + error.message;
                }
                box.remove();
                panel.remove();
            }
            return result;
        }""",
        models,
    )
    failed = {name: count for name, count in rendered.items() if not isinstance(count, int) or count < 2}
    assert not failed, failed
    assert rendered["C.1.0.bpmn"] > 20
