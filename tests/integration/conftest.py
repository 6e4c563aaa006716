"""Fixtures of the integration tests: the finance simulator alone, and the whole ``finance_stack.Stack``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from finance_stack import Stack

from bench.servers import admin_tokens, finance_sim, free_port, gunicorn, user_token, wait_until_serving
from engine.demo.seed import seed_calendars, seed_users
from engine.service import Engine
from support import fixture_bytes


@pytest.fixture
def finance_port(tmp_path: Path) -> Iterator[int]:
    """``servflow finance-sim`` on a free port, with the demo's budget lines and no faults."""
    port = free_port()
    sim = finance_sim(port, tmp_path / "finance.log").start()
    try:
        wait_until_serving(port, sim, path="/healthz")
        yield port
    finally:
        sim.stop()


@pytest.fixture
def stack(engine: Engine, database_url: str, finance_port: int, tmp_path: Path) -> Iterator[Stack]:
    """servflow under gunicorn on the test's database beside the simulator; the workers are the test's."""
    seed_calendars(engine)
    seed_users(engine)
    engine.deploy(fixture_bytes("bpmn/finance_chain.bpmn", "bpmn/budget_check.bpmn"), "650000")
    found = Stack(
        engine,
        free_port(),
        finance_port,
        user_token(engine, "worker_region"),
        admin_tokens(engine, 1)[0],
        tmp_path,
    )
    server = gunicorn(database_url, found.port, 2, tmp_path / "gunicorn.log", threads=4)
    found.processes.append(server.start())
    try:
        wait_until_serving(found.port, server)
        yield found
    finally:
        for process in found.processes[1:]:
            process.stop()
        server.crash()  # its threads may still serve the long polls of stopped workers; there is nothing to keep
