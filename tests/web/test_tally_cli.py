"""``servflow tally``: an operator can see whether the dashboard's counts drifted, repair and fold them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from dashboard_seed import seed
from sqlalchemy import delete

from engine.service import Engine
from engine.store.models import OpenTaskTally
from web import cli


def test_check_repair_and_fold_from_the_command_line(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVFLOW_DATABASE_URL", database_url)
    seed(engine)
    runner = CliRunner()
    folded = runner.invoke(cli.main, ["tally", "compact"])
    assert folded.exit_code == 0 and folded.output.startswith("folded "), folded.output
    assert not folded.output.startswith("folded 0 ")
    assert runner.invoke(cli.main, ["tally", "check"]).output == "tally matches the open tasks\n"

    with engine.unit_of_work(write=True) as uow:
        uow.session.execute(delete(OpenTaskTally).where(OpenTaskTally.locality_code == "650100"))
        uow.commit()
    drifted = runner.invoke(cli.main, ["tally", "check"])
    assert drifted.exit_code == 1
    assert drifted.output.splitlines()[:2] == [
        "stages\t650100\tapply\t乌鲁木齐市民政局\t2026-02-27\ttally 0\topen 1",
        "stages\t650100\tapply\t乌鲁木齐市民政局\t2026-03-04\ttally 0\topen 1",
    ]

    rebuilt = runner.invoke(cli.main, ["tally", "rebuild"])
    assert rebuilt.output == "tally rebuilt: 8 buckets\n"  # 4 by stage, 4 by person
    checked = runner.invoke(cli.main, ["tally", "check"])
    assert (checked.exit_code, checked.output) == (0, "tally matches the open tasks\n")
