"""The formats of stored specs and states, and the steps that bring older rows up to date when loaded.

servflow stores a process version's spec once (``process_version.spec``) and each project's state without
it (``process_instance.state``). Each carries SpiffWorkflow's serializer version: the state in its JSON
(``serializer_version``), the spec beside its data (``SPEC_VERSION_KEY``, with servflow's own
``SPEC_FORMAT``); the state's servflow envelope is ``process_instance.state_format`` (still 1: the
state-only JSON of ``serializer.dump_state``). Specs stored before they recorded their version were
written by SpiffWorkflow 3.2.0 (``LEGACY``).

SpiffWorkflow's migrations (``MIGRATIONS``) were written for its stock serialization, where the state
holds its specs: they read and rewrite ``spec`` and ``subprocess_specs`` next to the tasks (1.4 → 1.5
rewrites the event definitions of an event-based gateway's outputs, found through its tasks). Handing them
servflow's state alone would fail on the first upgrade of the library and strand every running project,
so an older state is joined with its stored specs first, migrated as one, and restored from the migrated
specs; an older spec alone is migrated joined with an empty task tree.
"""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn.serializer.migration.version_migration import MIGRATIONS
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as CURRENT

SPEC_FORMAT = 1
SPEC_FORMAT_KEY = "format"
SPEC_VERSION_KEY = "serializer_version"
LEGACY = "1.5"


def stamp(spec_data: dict[str, Any]) -> dict[str, Any]:
    """A version's stored spec data with the formats it is written in."""
    return {**spec_data, SPEC_FORMAT_KEY: SPEC_FORMAT, SPEC_VERSION_KEY: CURRENT}


def spec_version(spec_data: dict[str, Any]) -> str:
    return str(spec_data.get(SPEC_VERSION_KEY, LEGACY))


def is_current(version: str) -> bool:
    return version == CURRENT


def upgrade_spec(spec_data: dict[str, Any]) -> dict[str, Any]:
    """Stored spec data (``{"spec", "embedded"}``) in the serializer's current format."""
    version = spec_version(spec_data)
    if is_current(version):
        return spec_data
    joined = _migrated(
        {
            "spec": copy.deepcopy(spec_data["spec"]),
            "subprocess_specs": copy.deepcopy(spec_data.get("embedded", {})),
            "tasks": {},
            "subprocesses": {},
        },
        version,
    )
    return stamp({"spec": joined["spec"], "embedded": joined["subprocess_specs"]})


def upgrade_state(
    state: dict[str, Any], version: str, top: dict[str, Any], others: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """An older state joined with its specs (the top one and every called or embedded one, each in the
    form it was stored in) and migrated as SpiffWorkflow's stock serialization is: the result holds its
    own, migrated specs."""
    joined = {**state, "spec": copy.deepcopy(top), "subprocess_specs": copy.deepcopy(others)}
    return _migrated(joined, version)


def _migrated(joined: dict[str, Any], version: str) -> dict[str, Any]:
    if version not in MIGRATIONS:
        raise ValueError(f"no migration from SpiffWorkflow serializer version {version} to {CURRENT}")
    MIGRATIONS[version](joined)
    joined.pop("VERSION", None)
    return joined
