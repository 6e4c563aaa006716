"""A readable diff between two versions: elements and form fields added, removed and changed."""

from __future__ import annotations

import json

from engine.definitions.diff import diff_process
from support import FIXTURES

APPROVAL = (FIXTURES / "bpmn" / "approval.bpmn").read_text(encoding="utf-8")
FORM = json.loads((FIXTURES / "forms" / "application.form.json").read_text(encoding="utf-8"))


def test_identical_versions_have_no_differences_even_with_a_different_layout() -> None:
    relaid = APPROVAL.replace("><bpmn:", ">\n      <bpmn:")
    diff = diff_process(APPROVAL, relaid, "approval", {"application": FORM}, {"application": FORM})
    assert diff.empty


def test_elements_added_removed_and_changed_with_servflow_settings_and_conditions() -> None:
    new = (
        APPROVAL.replace('name="大额项目审定"', 'name="大额项目审定（复核）"')
        .replace('dueIn="5"', 'dueIn="10" remindBefore="2"')
        .replace("budget &gt;= 2000000", "budget &gt;= 3000000")
        .replace("<bpmn:flowNodeRef>review_small</bpmn:flowNodeRef>", "")
        .replace(
            '<bpmn:lane id="lane_purchaser" name="购买主体">',
            '<bpmn:lane id="lane_purchaser" name="购买主体"><bpmn:flowNodeRef>review_small</bpmn:flowNodeRef>',
        )
        .replace('<bpmn:endEvent id="end">', '<bpmn:manualTask id="archive" name="归档" /><bpmn:endEvent id="end">')
        .replace('<bpmn:sequenceFlow id="f4" sourceRef="review_small" targetRef="end"/>', "")
    )
    diff = diff_process(APPROVAL, new, "approval")
    assert [(i.id, i.kind, i.name) for i in diff.added] == [("archive", "manualTask", "归档")]
    assert [i.id for i in diff.removed] == ["f4"]
    changed = {i.id: {c.what: (c.before, c.after) for c in i.changes} for i in diff.changed}
    assert changed["review_large"] == {"name": ("大额项目审定", "大额项目审定（复核）")}
    assert changed["apply"] == {
        "servflow:task.dueIn": ("5", "10"),
        "servflow:task.remindBefore": ("", "2"),
    }
    assert changed["f_large"] == {"condition": ("budget >= 2000000", "budget >= 3000000")}
    assert changed["review_small"] == {"lane": ("财政部门", "购买主体")}
    assert "end" not in changed  # the removed incoming flow reference is layout of the graph, shown via f4


def test_form_fields_added_removed_and_changed_and_forms_attached() -> None:
    new_form = json.loads(json.dumps(FORM))
    new_form["components"][0]["label"] = "项目全称"
    new_form["components"][1]["validate"]["min"] = 1000
    new_form["components"].append({"type": "textfield", "key": "contact", "label": "联系人"})
    old_form = json.loads(json.dumps(FORM))
    old_form["components"].append({"type": "textarea", "key": "notes", "label": "备注"})
    diff = diff_process(
        APPROVAL, APPROVAL, "approval", {"application": old_form}, {"application": new_form, "review": FORM}
    )
    assert diff.forms_added == ["review"] and diff.forms_removed == []
    assert [(i.id, i.name) for i in diff.fields_added] == [("application.contact", "联系人")]
    assert [(i.id, i.name) for i in diff.fields_removed] == [("application.notes", "备注")]
    changed = {i.id: {c.what: (c.before, c.after) for c in i.changes} for i in diff.fields_changed}
    assert changed["application.project_name"] == {"label": ("项目名称", "项目全称")}
    assert '"min": 1000' in changed["application.budget"]["validate"][1]
