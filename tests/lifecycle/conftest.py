"""Fixtures for the end-to-end lifecycle tests: the shipped bundle deployed, and a role-checking driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lifecycle_helpers import checked_actor

from engine.demo.driver import Driver
from engine.demo.seed import shipped_bundle
from engine.service import Engine


@pytest.fixture
def shipped(engine: Engine) -> Iterator[Engine]:
    """The engine with the shipped processes and forms deployed for the region (as `servflow deploy`)."""
    engine.deploy(shipped_bundle(), "650000", "test")
    yield engine


@pytest.fixture
def driver(shipped: Engine) -> Driver:
    return Driver(shipped, actor=checked_actor)
