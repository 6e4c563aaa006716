"""The external-task topics deployed models use: a worker asking for any other topic has a typo.

Versions never change, so each version's topics are read from its stored spec once per process
(``TopicCache``) and only the ids of versions deployed since are queried on later calls.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..store.models import ProcessVersion

EXTERNAL_TYPENAME = "ExternalServiceTask"


def spec_topics(spec_data: dict[str, Any]) -> set[str]:
    """Topics of the service tasks in a stored version spec (its process and embedded sub-processes)."""
    return {topic for spec in _specs(spec_data) for topic in _topics_of(spec)}


def _specs(spec_data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield spec_data.get("spec") or {}
    yield from (spec_data.get("embedded") or {}).values()


def _topics_of(spec: dict[str, Any]) -> Iterator[str]:
    for task_spec in (spec.get("task_specs") or {}).values():
        if task_spec.get("typename") == EXTERNAL_TYPENAME:
            topic = ((task_spec.get("extensions") or {}).get("servflow:external") or {}).get("topic")
            if topic:
                yield topic


class TopicCache:
    """Topics per version id, filled as versions appear (thread-safe; one per Engine)."""

    def __init__(self) -> None:
        self._by_version: dict[int, set[str]] = {}
        self._lock = threading.Lock()

    def deployed(self, session: Session) -> set[str]:
        ids = set(session.scalars(select(ProcessVersion.id)))
        with self._lock:
            missing = ids - set(self._by_version)
        if missing:
            for version_id, spec in session.execute(
                select(ProcessVersion.id, ProcessVersion.spec).where(ProcessVersion.id.in_(missing))
            ):
                topics = spec_topics(spec)
                with self._lock:
                    self._by_version[version_id] = topics
        with self._lock:
            return set().union(*(self._by_version[i] for i in ids if i in self._by_version))
