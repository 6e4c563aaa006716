"""The modeler's route geometry (web/frontend/src/bpmn/routing.js) is pure JavaScript with its own unit
tests (web/frontend/test/*.test.mjs); they run here under Node's test runner with the rest of the suite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "web" / "frontend"


def test_the_frontend_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (the frontend is built with it)")
    tests = sorted(str(path) for path in (FRONTEND / "test").glob("*.test.mjs"))
    assert tests, "no frontend unit tests found"
    result = subprocess.run([node, "--test", *tests], cwd=FRONTEND, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
