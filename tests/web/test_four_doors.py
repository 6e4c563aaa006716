"""One deploy check at every door: the CLI, ``POST /api/v1/versions``, the designer's deploy and its import
refuse the same files with the same first problem, and deploy the same others, for every corpus file.

Each door deploys to a locality of its own, so what one stored is not "unchanged" for the next.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from engine.identity import users
from engine.service import Engine
from engine.store.models import Locality
from support import FIXTURES, csrf_token, login, running_app
from web import cli

CORPUS = Path(os.environ.get("SERVFLOW_BPMN_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "bpmn-corpus"))
FILES = sorted([*CORPUS.rglob("*.bpmn"), *CORPUS.rglob("*.bpmn20.xml")]) if CORPUS.exists() else []
FILES = FILES or sorted((FIXTURES / "foreign").glob("*.bpmn*"))
DOORS = ("cli", "api", "designer", "import")
Outcome = tuple[str, Any]


def _outcomes_agree(outcomes: dict[str, Outcome], name: str) -> None:
    kinds = {door: kind for door, (kind, _) in outcomes.items()}
    assert len(set(kinds.values())) == 1, f"{name}: {outcomes}"
    if kinds["designer"] == "refused":
        first = outcomes["designer"][1]  # the designer's first error, as every other door must say it
        for door in ("cli", "api", "import"):
            assert first in outcomes[door][1], f"{name}: {door} says {outcomes[door][1]!r}, not {first!r}"


def test_the_four_doors_agree_on_every_corpus_file(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert FILES
    monkeypatch.setenv("SERVFLOW_DATABASE_URL", database_url)
    with engine.unit_of_work(write=True) as uow:
        for index in range(len(FILES)):
            for door in DOORS:
                uow.session.add(Locality(code=f"{door}{index}", name_zh=f"{door}{index}", name_en=f"{door} {index}"))
        uow.commit()
    with running_app(engine, database_url) as app:
        with engine.unit_of_work(write=True) as uow:
            bearer = users.issue_token(uow.session, users.get_user(uow.session, "admin"), "tests")
            uow.commit()
        client = app.test_client()
        login(client, "admin")
        csrf = csrf_token(client, "/designer/")
        runner = CliRunner()
        for index, path in enumerate(FILES):
            content = path.read_bytes()
            outcomes = {
                "cli": _cli(runner, path, f"cli{index}"),
                "api": _api(client, bearer, path.name, content, f"api{index}"),
                "designer": _designer(client, csrf, path.name, content, f"designer{index}"),
                "import": _import(client, csrf, path.name, content, f"import{index}"),
            }
            _outcomes_agree(outcomes, str(path.relative_to(path.parents[1])))


def _cli(runner: CliRunner, path: Path, locality: str) -> Outcome:
    result = runner.invoke(cli.main, ["deploy", str(path), "--locality", locality], standalone_mode=False)
    if result.exception is None:
        return "deployed", result.output
    return "refused", getattr(result.exception, "message", repr(result.exception))


def _api(client: FlaskClient, bearer: str, name: str, content: bytes, locality: str) -> Outcome:
    response = client.post(
        "/api/v1/versions",
        data={"locality": locality, "file": (io.BytesIO(content), name)},
        headers={"Authorization": f"Bearer {bearer}"},
        content_type="multipart/form-data",
    )
    return ("deployed" if response.status_code in (200, 201) else "refused"), response.get_json()["message"] if (
        response.status_code == 422
    ) else response.status_code


def _designer(client: FlaskClient, csrf: str, name: str, content: bytes, locality: str) -> Outcome:
    response = client.post(
        f"/designer/{locality}/deploy",
        json={"files": {name: content.decode("utf-8-sig")}},
        headers={"X-CSRFToken": csrf, "Accept": "application/json"},
    )
    body = response.get_json()
    if response.status_code == 200:
        return "deployed", body["created"]
    errors = [p for p in body["problems"] if p["severity"] == "error"]
    return "refused", errors[0]["message"]


def _import(client: FlaskClient, csrf: str, name: str, content: bytes, locality: str) -> Outcome:
    response = client.post(
        f"/designer/{locality}/import",
        data={"csrf_token": csrf, "file": (io.BytesIO(content), name)},
        headers={"Accept": "application/json"},
        content_type="multipart/form-data",
    )
    body = response.get_json()
    if response.status_code == 200:
        return "deployed", body["created"]
    errors = [p for p in body.get("problems", []) if p["severity"] == "error"]
    return "refused", errors[0]["message"] if errors else body.get("message")
