"""The award opens with the panel's first-ranked candidate and the contract with the award, so nobody
retypes a name, a credit code or an amount that was just recorded; what is proposed can still be changed."""

from __future__ import annotations

import json
import re

from document_samples import APPLICATION
from flask.testing import FlaskClient
from stage_drives import award_answers, drive, registered

from engine.demo.seed import shipped_bundle
from engine.service import Engine
from support import login


def test_the_award_and_the_contract_open_with_what_was_ranked_and_awarded(client: FlaskClient, engine: Engine) -> None:
    engine.deploy(shipped_bundle(), "650000", "test")
    instance = engine.start("lifecycle", locality="650100", business_key="UR-PRE-1", actor="purchaser_urumqi")
    answers = award_answers(engine, APPLICATION, award=755_000)
    provider = engine.read(registered, "provider")
    drive(engine, instance.id, {k: v for k, v in answers.items() if k != "confirm_winner"}, {"confirm_winner"})
    (award,) = engine.open_tasks(instance.id)
    opened = engine.task_data(award.id)
    assert (opened["winner_name"], opened["winner_credit_code"], opened["award_amount"]) == (
        provider.name,
        provider.credit_code,
        755_000,
    )
    login(client, "purchaser_urumqi")
    page = client.get(f"/tasks/{award.id}").get_data(as_text=True)
    config = json.loads(re.search(r'id="task-config">(.*?)</script>', page, re.S).group(1))
    assert config["data"]["winner_name"] == provider.name and config["editable"]

    drive(engine, instance.id, {"confirm_winner": answers["confirm_winner"]}, {"sign_contract"})
    (contract,) = engine.open_tasks(instance.id)
    assert engine.task_data(contract.id)["contract_amount"] == 755_000
