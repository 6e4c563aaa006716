"""Hostile definitions through the API: unsafe scripts, oversized uploads, entity tricks, evil zips.

A designer's script that imports, opens files, walks ``__class__``/``__subclasses__`` or frames,
calls eval/exec or never stops is refused with a clear message — at validate and deploy time where
the code itself shows it, and at run time in every case — and nothing escapes the sandbox.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from api_client import Api

from engine.errors import DefinitionError, ExecutionError
from engine.service import Engine

PWNED = Path("/tmp/servflow-pwned")

SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="evil" name="evil" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="run_it" name="run"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="a" name="a"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="b" name="b"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run_it"/>
    <bpmn:sequenceFlow id="f2" sourceRef="run_it" targetRef="gw"/>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="a">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="b"/>
    <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

#: (script, condition, what the refusal says); all are visible in the code itself.
REFUSED_IN_CODE = [
    ("import os\nos.system('touch /tmp/servflow-pwned')", "True", "import"),
    ("x = open('/etc/passwd').read()", "True", "'open'"),
    ("x = ().__class__.__bases__[0].__subclasses__()", "True", "attribute '__"),
    ("x = eval('1 + 1')", "True", "'eval'"),
    ("exec('import os')", "True", "'exec'"),
    ("x = 1", "__import__('os').system('touch /tmp/servflow-pwned')", "'__import__'"),
    ("x = '{0.__class__}'.format(1)", "True", "private attribute"),
    ("g = [0]\nfor f in (i for i in g):\n    x = f.gi_frame.f_back", "True", "'f_back'"),
]
#: Only running shows these: an endless loop, a module reached through a name the sandbox gives.
REFUSED_AT_RUN = [
    ("while True:\n    x = 1", "step limit"),
    ("x = datetime.sys.modules['os'].system('touch /tmp/servflow-pwned')", "has no attribute 'sys'"),
    ("x = 'a' * 10 ** 9", "too large"),
    ("x = 2 ** 10 ** 9", "too large"),
]


def _bpmn(script: str, condition: str = "True") -> bytes:
    escape = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;"})
    return SCRIPT_BPMN.format(script=script.translate(escape), condition=condition.translate(escape)).encode()


def _upload(api: Api, user: str, path: str, name: str, content: bytes, **form: str) -> Any:
    data: dict[str, Any] = {**form, "file": (io.BytesIO(content), name)}
    return api.call("POST", user, path, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(("script", "condition", "reason"), REFUSED_IN_CODE)
def test_unsafe_code_is_refused_at_validate_deploy_and_run(
    api: Api, engine: Engine, script: str, condition: str, reason: str
) -> None:
    bpmn = _bpmn(script, condition)
    report = _upload(api, "designer_urumqi", "/versions/validate", "evil.bpmn", bpmn)
    assert report.status_code == 200 and report.json["ok"] is False
    assert any(p["code"] == "expression" and reason in p["message"] for p in report.json["problems"])
    deploy = _upload(api, "designer_urumqi", "/versions", "evil.bpmn", bpmn, locality="650100")
    assert deploy.status_code == 422 and reason in deploy.json["message"]
    assert api.get("designer_urumqi", "/versions", query_string={"key": "evil"}).json == []

    with pytest.raises(DefinitionError, match=re.escape(reason)):  # the CLI's door refuses it alike
        engine.deploy({"evil.bpmn": bpmn}, "650100")
    assert engine.versions(locality="650100") == [] and not PWNED.exists()


@pytest.mark.parametrize(("script", "reason"), REFUSED_AT_RUN)
def test_scripts_that_only_misbehave_when_run_are_stopped(engine: Engine, script: str, reason: str) -> None:
    engine.deploy({"evil.bpmn": _bpmn(script)}, "650100")
    with pytest.raises(ExecutionError, match=reason):
        engine.start("evil", locality="650100", business_key="E-2", actor="purchaser_urumqi")
    assert engine.instances(locality="650100") == []
    assert not PWNED.exists()


def test_the_sandbox_still_runs_ordinary_scripts(engine: Engine) -> None:
    script = "total = round(sum([1.5, 2.25]) * 2, 2)\nlabel = f'{total:,.2f}' + '{:>4}'.format(len('abc'))"
    engine.deploy({"ok.bpmn": _bpmn(script, "total > 5 and math.floor(total) == 7")}, "650100")
    instance = engine.start("evil", locality="650100", business_key="OK-1", actor="purchaser_urumqi")
    assert [t.element_id for t in engine.open_tasks(instance.id)] == ["a"]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&x;</bpmn:definitions>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol3;</bpmn:definitions>"""


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "status", "says"),
    [
        ("xxe.bpmn", XXE, 422, "DOCTYPE"),
        ("laughs.bpmn", LAUGHS, 422, "DOCTYPE"),
        ("evil.zip", _zip({"../evil.bpmn": b"<x/>"}), 422, "outside the bundle"),
        # regression: the status came from the message's words, so a file named "limit" was a 413
        ("limit.zip", _zip({"../limit.bpmn": b"<x/>"}), 422, "outside the bundle"),
        ("abs.zip", _zip({"/etc/evil.bpmn": b"<x/>"}), 422, "outside the bundle"),
        ("bomb.zip", _zip({"bomb.bpmn": b"<" + b" " * (6 * 1024 * 1024)}), 413, "bytes"),
        ("ratio.zip", _zip({"ratio.bpmn": b"<" + b"a" * (3 * 1024 * 1024)}), 413, "zip bomb"),
        ("big.bpmn", b"<" + b" " * (6 * 1024 * 1024), 413, "limit"),
        ("notes.txt", b"hello", 422, "not a .bpmn"),
        ("broken.zip", b"PK\x03\x04 not really", 422, "not a valid zip"),
    ],
)
def test_hostile_uploads_are_refused_clearly(api: Api, name: str, content: bytes, status: int, says: str) -> None:
    for path, form in (("/versions", {"locality": "650100"}), ("/versions/validate", {})):
        response = _upload(api, "designer_urumqi", path, name, content, **form)
        if path.endswith("validate") and response.status_code == 200:
            assert response.json["ok"] is False and says in str(response.json["problems"])
            continue
        assert response.status_code == status, response.json
        assert says in response.json["message"]


def test_request_larger_than_the_limit_is_413_json(api: Api) -> None:
    response = _upload(api, "designer_urumqi", "/versions", "x.bpmn", b"<" * (11 * 1024 * 1024), locality="650100")
    assert response.status_code == 413 and response.json["code"] == "request_entity_too_large"
