"""Driving the designer page in Chromium: open it, select a diagram element, open a properties group —
and the designer's own gestures on the canvas (click a shape, use its context pad, drop from the
palette, connect two shapes), with what the canvas then shows read back for assertions."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

FORM_PANEL = "#form-editor .fjs-properties-panel"
PANEL_DEBOUNCE_MS = 600  # bpmn-js-properties-panel's debounceInput (form-js's is 300)

Point = tuple[float, float]
Box = tuple[float, float, float, float]


def open_modeler(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => window.servflowDesigner && window.servflowDesigner.loaded === true")


def select(page: Page, element_id: str) -> None:
    page.evaluate(
        """(id) => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            modeler.get('selection').select(modeler.get('elementRegistry').get(id));
        }""",
        element_id,
    )


def place(page: Page, script: str) -> None:
    """Run modeling commands with ``modeling``, ``registry`` and ``el(id)`` in scope (to set a scene up)."""
    prelude = """
        const modeler = window.servflowDesigner.bpmn.modeler;
        const modeling = modeler.get('modeling');
        const registry = modeler.get('elementRegistry');
        const el = (id) => registry.get(id);
    """
    page.evaluate(f"() => {{ {prelude} {script} }}")  # evaluate() is not subject to the page's CSP; eval would be


def open_group(page: Page, group: str, panel: str = "#properties") -> None:
    """Expand a properties-panel group (the panel keeps only "General" open by default) — of the diagram's
    panel, or of the form editor's (``panel=FORM_PANEL``)."""
    box = page.locator(f"{panel} .bio-properties-panel-group[data-group-id='group-{group}']")
    if "open" not in (box.locator(".bio-properties-panel-group-entries").get_attribute("class") or ""):
        box.locator(".bio-properties-panel-group-header").click()


# --- on the canvas, as the designer does it -------------------------------------------------------


def screen_box(page: Page, element_id: str) -> dict[str, float]:
    """Where a diagram element is drawn on the screen (x, y, width, height in page pixels)."""
    box = page.locator(f"#canvas .djs-element[data-element-id='{element_id}']").first.bounding_box()
    assert box, f"{element_id} is not drawn"
    return box


def centre(page: Page, element_id: str) -> Point:
    box = screen_box(page, element_id)
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def click_element(page: Page, element_id: str) -> None:
    """Select an element by clicking it — unless it is selected already: a click would deselect it."""
    if selected(page) != [element_id]:
        page.mouse.click(*centre(page, element_id))


def context_pad(page: Page, action: str) -> None:
    """Click an entry of the context pad of the selected element (append.append-task, connect, replace …)."""
    page.locator(f".djs-context-pad [data-action='{action}']").click()


def replace_with(page: Page, entry: str) -> None:
    """Change the selected element through its context pad's replace menu (replace-with-user-task …)."""
    context_pad(page, "replace")
    page.locator(f".djs-popup [data-id='{entry}']").click()


def drop_from_palette(page: Page, action: str, at: Point) -> None:
    """Take a shape from the palette (create.task, create.exclusive-gateway …) and drop it at a screen point."""
    page.click(f".djs-palette [data-action='{action}']")
    page.mouse.move(at[0] - 30, at[1], steps=3)
    page.mouse.move(*at, steps=5)
    page.mouse.click(*at)


def connect(page: Page, source: str, target: str) -> None:
    """Connect two shapes with the source's context pad: the connect tool, then a click on the target."""
    click_element(page, source)
    context_pad(page, "connect")
    page.mouse.move(*centre(page, target), steps=5)
    page.mouse.click(*centre(page, target))


def between(page: Page, left: str, right: str) -> Point:
    """The screen point halfway between two shapes side by side (on the flow joining them, if one does)."""
    a, b = screen_box(page, left), screen_box(page, right)
    return (a["x"] + a["width"] + b["x"]) / 2, a["y"] + a["height"] / 2


def name_it(page: Page, name: str) -> None:
    """Type the name of an element whose name is open for typing (a new task, or after a double click)."""
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def fill_entry(page: Page, entry: str, value: str, panel: str = "#properties") -> None:
    """Type into a properties-panel entry (its input's id is bio-properties-panel-<entry>) and leave it.

    The panel writes what was typed a moment after the last key (its debounce); a click on the canvas
    before then is lost to the panel's re-rendering, so this waits as long as a person would anyway."""
    field = page.locator(f"{panel} #bio-properties-panel-{entry}")
    field.fill(value)
    field.press("Tab")
    page.wait_for_timeout(PANEL_DEBOUNCE_MS + 100)


def make_space(page: Page, at: Point, width: float) -> None:
    """The palette's space tool: drag right from `at`, moving everything right of it further right."""
    page.click(".djs-palette [data-action='space-tool']")
    page.mouse.move(*at)
    page.mouse.down()
    page.mouse.move(at[0] + 40, at[1], steps=4)
    page.mouse.move(at[0] + width, at[1], steps=10)
    page.mouse.up()
    page.keyboard.press("Escape")


# --- the form editor ------------------------------------------------------------------------------------


def new_form(page: Page, key: str) -> None:
    """On the 表单 tab: type a form key and create the form, which opens in the form editor."""
    page.click("#tabbtn-forms")
    page.fill("#new-form-key", key)
    page.click("#new-form-btn")
    page.locator("#form-editor .fjs-palette").wait_for()


def drag_to_form(page: Page, field_type: str) -> None:
    """Drag a field type from the form editor's palette to the end of the form (it is then selected)."""
    fields = page.locator("#form-editor .fjs-editor-form-root .fjs-form-field")
    count = fields.count()
    page.locator("#form-editor .fjs-editor-container").scroll_into_view_if_needed()
    source = page.locator(f"#form-editor .fjs-palette-field[data-field-type='{field_type}']").bounding_box()
    form = page.locator("#form-editor .fjs-editor-form-root").bounding_box()
    last = fields.last.bounding_box() if count else None
    assert source and form
    start = (source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    drop = (form["x"] + form["width"] / 2, last["y"] + last["height"] + 15 if last else form["y"] + 60)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 20, start[1] + 5, steps=3)
    page.mouse.move(*drop, steps=10)
    page.mouse.up()
    expect(fields).to_have_count(count + 1)


def name_field(page: Page, label: str, key: str) -> None:
    """Give the form field selected in the form editor its label and 字段名 (key)."""
    open_group(page, "general", FORM_PANEL)
    fill_entry(page, "label", label, FORM_PANEL)
    fill_entry(page, "key", key, FORM_PANEL)


# --- the scenario table ----------------------------------------------------------------------------------


def scenario(page: Page, index: int) -> Locator:
    return page.locator("#scenario-table .sf-scenario").nth(index)


def add_answer(page: Page, index: int, task: str, answer: str = "") -> None:
    """Add a task visit to scenario `index`: the task chosen from the diagram's, the answer as key = value lines."""
    scenario(page, index).locator(".sf-scenario-add-answer").click()
    row = scenario(page, index).locator(".sf-scenario-answers tbody tr").last
    row.locator(".sf-scenario-task").select_option(task)
    if answer:
        row.locator(".sf-scenario-answer").fill(answer)
        row.locator(".sf-scenario-answer").press("Tab")


def expect_tasks(page: Page, index: int, tasks: list[str]) -> None:
    """Type the tasks scenario `index` expects, in order."""
    field = scenario(page, index).locator(".sf-scenario-tasks")
    field.fill(", ".join(tasks))
    field.press("Tab")


def selected(page: Page) -> list[str]:
    return page.evaluate("() => window.servflowDesigner.bpmn.modeler.get('selection').get().map((e) => e.id)")


def diagram(page: Page) -> dict[str, Any]:
    """What the canvas shows: {"shapes": {id: (x, y, width, height)}, "flows": {id: [(x, y), …]}}, in
    diagram coordinates (pools and lanes left out: flows run inside them)."""
    return page.evaluate(
        """() => {
            const registry = window.servflowDesigner.bpmn.modeler.get('elementRegistry');
            const shapes = {};
            const flows = {};
            registry.forEach((e) => {
                if (e.waypoints) { flows[e.id] = e.waypoints.map((p) => [p.x, p.y]); }
                else if (e.parent && e.type !== 'label' && !['bpmn:Participant', 'bpmn:Lane'].includes(e.type)) {
                    shapes[e.id] = [e.x, e.y, e.width, e.height];
                }
            });
            return { shapes, flows };
        }"""
    )
