"""A small review process in two versions, for the migration tests: v2 adds an expert step after the
first review (``first_review → expert_review → approve``); a boundary timer on the first review checks
that a waiting timer keeps its due time when the project moves."""

from __future__ import annotations

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="defs_mreview" targetNamespace="http://servflow.org/test">
  <bpmn:process id="mreview" name="迁移测试审核" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first_review" name="初审"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="first_review" cancelActivity="false">
      <bpmn:outgoing>f_late</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P30D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="late_end"><bpmn:incoming>f_late</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="late" targetRef="late_end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first_review"/>
"""

V1 = (
    HEAD
    + """    <bpmn:userTask id="APPROVE" name="审定"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first_review" targetRef="APPROVE"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="APPROVE" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

V2 = (
    HEAD
    + """    <bpmn:userTask id="expert_review" name="专家评审"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f2b</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="first_review" targetRef="expert_review"/>
    <bpmn:userTask id="APPROVE" name="审定"><bpmn:incoming>f2b</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2b" sourceRef="expert_review" targetRef="APPROVE"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="APPROVE" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
)

#: v3 renames the approval (``APPROVE`` → ``approve``): without a mapping projects waiting there cannot move.
V3 = V2.replace('"APPROVE"', '"approve"')


def bundle(text: str) -> dict[str, bytes]:
    return {"mreview.bpmn": text.encode()}
