"""A flow the designer draws goes round what is already on the diagram. On a new process of 克拉玛依
(start → end straight across the pool), a task above that line is connected by clicks to one below it:
the shortest path bpmn-js proposes crosses the line, the drawn flow crosses nothing. A task appended
from the context pad where a flow already leaves is joined without running along that flow."""

from __future__ import annotations

from typing import Any

import pytest
from designer_page import click_element, connect, context_pad, diagram, open_modeler, place
from diagram_geometry import flows_crossed, orthogonal, shapes_passed
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

KARAMAY = "650200"
# Tasks named by id in a pool made taller for a second row; the template's start → end runs at y = 160.
SCENE = """
    const pool = el('pool_routing_check');
    modeling.resizeShape(pool, { x: pool.x, y: pool.y, width: pool.width, height: 400 });
    const task = (id, x, y) => {
        const shape = modeling.createShape({ type: 'bpmn:Task' }, { x, y }, pool);
        modeling.updateProperties(shape, { id });
        return shape;
    };
"""


def _open_new_process(live_app: Any, page: Page, scene: str) -> dict[str, Any]:
    live_app.login(page, "designer_karamay")
    open_modeler(page, f"{live_app.url}/designer/{KARAMAY}/new?key=routing_check")
    place(page, SCENE + scene)
    return diagram(page)


def _new(before: dict[str, Any], after: dict[str, Any], kind: str) -> str:
    [added] = set(after[kind]) - set(before[kind])
    return added


def _others(drawn: dict[str, Any], flow: str) -> dict[str, Any]:
    return {name: points for name, points in drawn["flows"].items() if name != flow}


def _shortest_route(page: Page, flow: str) -> list[list[float]]:
    """What bpmn-js's own layouter proposes for the flow (servflow's layouter extends it)."""
    return page.evaluate(
        """(id) => {
            const modeler = window.servflowDesigner.bpmn.modeler;
            const flow = modeler.get('elementRegistry').get(id);
            const layouter = modeler.get('layouter');
            const bpmnLayouter = Object.getPrototypeOf(Object.getPrototypeOf(layouter));
            const [first, last] = [flow.waypoints[0], flow.waypoints[flow.waypoints.length - 1]];
            const hints = {
                source: flow.source, target: flow.target, waypoints: [],
                connectionStart: first.original || first, connectionEnd: last.original || last,
            };
            return bpmnLayouter.layoutConnection.call(layouter, flow, hints).map((p) => [p.x, p.y]);
        }""",
        flow,
    )


def _assert_clear(drawn: dict[str, Any], flow: str, source: str, target: str) -> None:
    route = drawn["flows"][flow]
    ends = [drawn["shapes"][source], drawn["shapes"][target]]
    obstacles = {name: box for name, box in drawn["shapes"].items() if name not in (source, target)}
    assert orthogonal(route), route
    assert flows_crossed(route, _others(drawn, flow), ends) == [], route
    assert shapes_passed(route, obstacles) == [], route


def test_a_flow_connected_across_another_is_drawn_round_it(live_app: Any, page: Page) -> None:
    before = _open_new_process(live_app, page, "task('above', 330, 110); task('below', 620, 215);")

    connect(page, "above", "below")

    drawn = diagram(page)
    flow = _new(before, drawn, "flows")
    _assert_clear(drawn, flow, "above", "below")
    ends = [drawn["shapes"]["above"], drawn["shapes"]["below"]]
    assert flows_crossed(_shortest_route(page, flow), _others(drawn, flow), ends) == ["flow_start_end"]


def test_a_task_appended_from_the_context_pad_does_not_run_along_the_flow_leaving_there(
    live_app: Any, page: Page
) -> None:
    onward = "{ type: 'bpmn:SequenceFlow', id: 'onward_flow' }"
    before = _open_new_process(
        live_app, page, f"modeling.connect(task('from', 330, 300), task('onward', 700, 300), {onward});"
    )

    click_element(page, "from")
    context_pad(page, "append.append-task")
    page.keyboard.press("Escape")  # bpmn-js opens the new task's name for typing

    drawn = diagram(page)
    task = _new(before, drawn, "shapes")
    flow = _new(before, drawn, "flows")
    _assert_clear(drawn, flow, "from", task)
    ends = [drawn["shapes"]["from"], drawn["shapes"][task]]
    assert flows_crossed(_shortest_route(page, flow), _others(drawn, flow), ends) == ["onward_flow"]
