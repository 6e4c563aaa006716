"""Signing in with an API token reads the person's grants and organizations in the token's one query:
each grant once, in the order given, and every organization, however many of each the person has."""

from __future__ import annotations

from engine.identity import organizations, users
from engine.service import Engine
from engine.store.models import utcnow


def test_a_token_signs_in_with_every_grant_once_and_every_organization(engine: Engine) -> None:
    engine.ensure_localities()
    with engine.unit_of_work(write=True) as uow:
        person = users.create_user(uow.session, "reviewer_many", "a-long-password-1", "多机构评审员")
        alone = users.create_user(uow.session, "nobody_yet", "a-long-password-1", "未授权者")
        for role, locality in (("reviewer", "650100"), ("manager", "650000"), ("evaluator", "650200")):
            users.grant(uow.session, person, role, locality)
        names = ("乌鲁木齐市某评估中心", "克拉玛依市某评估中心", "新疆某咨询公司")
        held = [organizations.create_organization(uow.session, "evaluator", "650100", name) for name in names]
        for organization in held:
            organizations.add_member(uow.session, organization, person)
        tokens = [users.issue_token(uow.session, user, "tests") for user in (person, alone)]
        expected = users.principal(uow.session, person)
        uow.commit()

    with engine.unit_of_work() as uow:
        use = users.find_token(uow.session, tokens[0], utcnow())
        bare = users.find_token(uow.session, tokens[1], utcnow())
    assert use is not None and bare is not None
    assert [(g.role, g.locality) for g in use.principal.grants] == [
        ("reviewer", "650100"),
        ("manager", "650000"),
        ("evaluator", "650200"),
    ]
    assert use.principal.organizations == {organization.id for organization in held}
    assert use.principal == expected, "the token's sign-in sees what a session's sign-in sees"
    assert (bare.principal.grants, bare.principal.organizations) == ((), frozenset())
