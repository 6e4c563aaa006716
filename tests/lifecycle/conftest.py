"""Fixtures for the end-to-end lifecycle tests: the shipped bundle deployed with the providers the tests award
registered, and a role-checking driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lifecycle_helpers import PROVIDERS, checked_actor

from engine.demo.driver import Driver
from engine.demo.seed import shipped_bundle
from engine.identity import organizations
from engine.service import Engine


@pytest.fixture
def shipped(engine: Engine) -> Iterator[Engine]:
    """The engine with the shipped processes and forms deployed for the region (as `servflow deploy`)."""
    engine.deploy(shipped_bundle(), "650000", "test")
    with engine.unit_of_work(write=True) as uow:
        for code, name in PROVIDERS.items():
            organizations.create_organization(uow.session, "provider", code[2:8], name, code)
        uow.commit()
    yield engine


@pytest.fixture
def driver(shipped: Engine) -> Driver:
    return Driver(shipped, actor=checked_actor)
