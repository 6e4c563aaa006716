"""Option values shown with the labels their forms give them; unknown values shown as recorded."""

from __future__ import annotations

from engine.queries.option_labels import label_of, option_labels

FORM = {
    "components": [
        {"type": "select", "key": "category", "values": [{"label": "基本公共服务", "value": "basic_public"}]},
        {
            "type": "group",
            "components": [
                {"type": "checklist", "key": "areas", "values": [{"label": "助餐", "value": "meals"},
                                                                  {"label": "助洁", "value": "cleaning"}]},
            ],
        },
        {"type": "textfield", "key": "project_name"},
    ]
}  # fmt: skip
LATER = {"components": [{"type": "radio", "key": "category", "values": [{"label": "其他", "value": "basic_public"}]}]}


def test_values_become_labels_and_unknown_values_stay() -> None:
    labels = option_labels([FORM, LATER])
    assert label_of(labels, "category", "basic_public") == "基本公共服务", "the first form defining a key wins"
    assert label_of(labels, "areas", ["meals", "cleaning"]) == "助餐、助洁", "options inside groups, lists joined"
    assert label_of(labels, "category", "retired_code") == "retired_code"
    assert label_of(labels, "project_name", "社区养老") == "社区养老"
    assert label_of(labels, "unknown", {"a": 1}) == {"a": 1}
