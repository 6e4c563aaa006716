"""Headless-Chromium smoke check of the built bundles via demo.html (developer tool, not a test).

Run from web/frontend after `npm run build`:
    ../../.venv/bin/python demo/smoke_check.py [--shots DIR] [--bpmn FILE ...]
Serves web/ on 127.0.0.1, opens each demo view, fails on console errors, and exercises the API.
"""
import argparse
import contextlib
import functools
import http.server
import pathlib
import sys
import threading

from playwright.sync_api import sync_playwright

WEB = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = dict(
    executable_path="/usr/bin/chromium",
    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
)


@contextlib.contextmanager
def serve(directory):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/frontend/demo.html"
    finally:
        server.shutdown()


def open_view(browser, base, view, problems):
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    page.on("console", lambda m: m.type == "error" and problems.append(f"{view}: console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"{view}: pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"{view}: request failed: {r.url}"))
    page.goto(f"{base}?view={view}")
    page.evaluate("() => window.demo")
    return page


def check(condition, message, problems):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        problems.append(message)


def open_group(page, group_id):
    group = page.locator(f'[data-group-id="group-{group_id}"]')
    if group.count() and not group.locator(".bio-properties-panel-group-entries.open").count():
        group.locator(".bio-properties-panel-group-header").click()
    return group


def shoot(page, shots, name):
    if shots:
        page.screenshot(path=str(shots / f"{name}.png"))


def check_modeler(page, problems, shots):
    xml = page.evaluate("() => demoHandle.getXML()")
    for needle in ('formKey="application"', 'dueUnit="workingDays"', "<servflow:disclose",
                   "<spiffworkflow:calledDecisionId>review_level</spiffworkflow:calledDecisionId>",
                   'calledElement="procurement"', "amount &gt;= 1000000", '"P10D"'):
        check(needle in xml, f"modeler round trip keeps {needle}", problems)

    page.click('[data-element-id="Task_submit"]', position={"x": 50, "y": 20})
    group = open_group(page, "servflow")
    check(group.count() == 1, "servflow group shown for a user task", problems)
    if group.count():
        field = page.locator("#bio-properties-panel-servflow-formKey")
        field.fill("application-v2")
        page.wait_for_timeout(600)
        check(page.locator("#bio-properties-panel-servflow-role").input_value() == "申报单位 applicant",
              "user task shows its lane's role", problems)
    xml = page.evaluate("() => demoHandle.getXML()")
    check('formKey="application-v2"' in xml, "editing formKey reaches getXML()", problems)
    shoot(page, shots, "modeler-task")

    for element_id, group_id, label in (("Flow_4", "condition", "gateway condition"),
                                        ("Timer_section", "timer", "timer definition"),
                                        ("Call_procure", "calledElement", "called element")):
        page.evaluate("""id => { const m = demoHandle.modeler;
            m.get('selection').select(m.get('elementRegistry').get(id)); }""", element_id)
        page.wait_for_timeout(200)
        check(page.locator(f'[data-group-id="group-{group_id}"]').count() == 1,
              f"panel edits the {label}", problems)

    page.evaluate("() => demoHandle.modeler.get('selection').select(demoHandle.modeler.get('elementRegistry').get('Flow_4'))")
    open_group(page, "condition")
    page.locator("#bio-properties-panel-servflow-condition").fill("amount > 5")
    page.wait_for_timeout(600)
    xml = page.evaluate("() => demoHandle.getXML()")
    check("amount &gt; 5</bpmn:conditionExpression>" in xml, "editing a condition reaches getXML()", problems)

    page.evaluate("""() => { const m = demoHandle.modeler;
        m.get('selection').select(m.get('elementRegistry').get('Rule_level')); }""")
    open_group(page, "servflow")
    decision = page.locator("#bio-properties-panel-servflow-calledDecisionId")
    check(decision.input_value() == "review_level", "decision id shown for a business rule task", problems)
    decision.fill("review_level_2")
    page.wait_for_timeout(600)
    xml = page.evaluate("() => demoHandle.getXML()")
    check(">review_level_2</spiffworkflow:calledDecisionId>" in xml, "editing decision id reaches getXML()", problems)

    page.evaluate("() => demoHandle.modeler.get('selection').select(demoHandle.modeler.get('elementRegistry').get('Lane_finance'))")
    check(page.locator("#bio-properties-panel-servflow-role").count() == 1, "lane shows its role", problems)

    unplaced = page.evaluate("""() => demoHandle.markProblems([
        {element_id: 'Task_leader', message: '缺少表单 form key missing'},
        {element_id: 'Flow_4', message: 'bad condition'},
        {element_id: 'Nope', message: 'elsewhere'}])""")
    check(page.locator(".sf-problem-badge").count() == 2 and len(unplaced) == 1,
          "markProblems marks known elements, returns the rest", problems)


def check_viewer(page, problems, bpmn_files, shots):
    check(page.locator(".sf-heat-overdue").count() == 1, "viewer heat badge shown", problems)
    check(page.locator('.djs-element.sf-current[data-element-id="Task_section"]').count() == 1,
          "viewer marks the current step", problems)
    for path in bpmn_files:
        xml = pathlib.Path(path).read_text(encoding="utf-8")
        result = page.evaluate("""async xml => {
            const box = document.getElementById('canvas'); box.innerHTML = '';
            const { warnings } = await Servflow.showDiagram(box, xml, {});
            return { warnings: warnings.map(w => w.message),
                     shapes: box.querySelectorAll('.djs-element').length };
        }""", xml)
        for warning in result["warnings"]:
            print("     warning:", warning[:200])
        check(result["shapes"] > 0,
              f"viewer renders {pathlib.Path(path).name} ({result['shapes']} elements, {len(result['warnings'])} warnings)", problems)
        shoot(page, shots, f"viewer-{pathlib.Path(path).stem}")
    expected_errors = len(problems)
    error = page.evaluate("""() => Servflow.showDiagram(document.getElementById('canvas'), '<nope', {})
        .then(() => null, e => document.querySelector('#canvas .sf-error') ? e.message : 'no error box')""")
    del problems[expected_errors:]  # the error is logged to the console on purpose
    check(error not in (None, "no error box"), "viewer shows import errors in the container", problems)


def check_forms(page, problems, shots):
    result = page.evaluate("() => demoHandle.submit()")
    check("amount" in result["errors"] and result["data"]["applicant"] == "乌鲁木齐市民政局",
          "form submit returns data and key-based errors", problems)
    page.evaluate("() => demoHandle.setErrors({applicant: ['该单位未登记 Not registered']})")
    check(page.get_by_text("该单位未登记 Not registered").count() == 1, "setErrors shows a server error inline", problems)
    shoot(page, shots, "forms-errors")


def check_form_editor(page, problems, shots):
    schema = page.evaluate("() => demoHandle.getSchema()")
    check(len(schema["components"]) == 4, "form editor getSchema()", problems)
    check(page.locator(".sf-form-preview .fjs-form-field").count() >= 4, "form preview rendered", problems)
    page.evaluate("""() => { const editor = demoHandle.editor;
        const field = editor.get('formFieldRegistry').get('Field_comment');
        editor.get('modeling').editFormField(field, 'label', '备注 Remarks'); }""")
    page.wait_for_timeout(800)
    check(page.locator(".sf-form-preview").get_by_text("备注 Remarks").count() == 1,
          "form preview follows edits", problems)


def check_dmn(page, problems, shots):
    xml = page.evaluate("() => demoHandle.getXML()")
    check('id="review_level"' in xml and page.locator(".tjs-table").count() == 1,
          "dmn editor opens the decision table and saves", problems)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=pathlib.Path)
    parser.add_argument("--bpmn", nargs="*", default=[])
    options = parser.parse_args()
    if options.shots:
        options.shots.mkdir(parents=True, exist_ok=True)
    problems = []
    checks = {"modeler": check_modeler, "forms": check_forms, "form-editor": check_form_editor, "dmn": check_dmn}
    with serve(WEB) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        for view in ("modeler", "viewer", "forms", "form-editor", "dmn"):
            page = open_view(browser, base, view, problems)
            shoot(page, options.shots, view)
            if view == "viewer":
                check_viewer(page, problems, options.bpmn, options.shots)
            else:
                checks[view](page, problems, options.shots)
            shoot(page, options.shots, f"{view}-after")
            page.close()
        browser.close()
    print("\n".join(problems) or "no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
