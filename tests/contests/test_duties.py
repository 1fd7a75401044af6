"""Separation of duties: code keeper, supervision group and judges are different people; nobody appoints or
removes themself; after check-in opens only an admin changes them, audited; a committee member cannot reach the
code ↔ name list by appointing themself or removing the keeper."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.contests.models import CompetitionOfficial, JudgeAssignment
from lrc_training.contests.services.checkin import can_see_mapping, check_in, designate, holds_mapping, remove_official
from lrc_training.contests.services.panels import assign_judge, auto_assign, remove_judge, set_chief
from lrc_training.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.contests.helpers import World
from tests.factories import make_org, make_user


@pytest.fixture
def world(app):
    world = World()
    world.colleague = make_user("org_staff", username="colleague", name="同事甲", org=world.committee_org)
    world.insider = make_user("org_staff", "judge", username="insider", name="组委会裁判", org=world.committee_org)
    world.supervisor = make_user("org_staff", username="sup", name="监督员",
                                 org=make_org("聊城市人社局", kind="platform", region_code="371500"))
    return world


def _official(competition, user):
    return db.session.execute(select(CompetitionOfficial).where(
        CompetitionOfficial.competition_id == competition.id, CompetitionOfficial.user_id == user.id)).scalar_one()


def _code(exc) -> str:
    return exc.value.code


def test_nobody_appoints_or_removes_themself(world, client):
    competition = world.competition()
    for duty in ("code_keeper", "supervisor"):
        with pytest.raises(Forbidden) as refused:
            designate(world.staff, competition, "committee", duty)
        assert _code(refused) == "self_appointment"
    with pytest.raises(Forbidden):
        assign_judge(world.insider, competition, world.insider.id, 1)
    designate(world.colleague, competition, "committee", "code_keeper")
    designate(world.staff, competition, "colleague", "code_keeper")
    db.session.commit()
    with pytest.raises(Forbidden):  # removing oneself is refused too (staying or leaving is someone else's call)
        remove_official(world.staff, competition, _official(competition, world.staff).id)
    assign_judge(world.staff, competition, world.insider.id, 1)
    db.session.commit()
    assignment = db.session.execute(select(JudgeAssignment)).scalar_one()
    with pytest.raises(Forbidden):  # nor make oneself chief judge, nor take oneself off the panel
        set_chief(world.insider, competition, assignment.id)
    with pytest.raises(Forbidden):
        remove_judge(world.insider, competition, assignment.id)
    admin = make_user("admin", "judge", username="root")
    with pytest.raises(Forbidden):  # admins included
        designate(admin, competition, "root", "supervisor")
    # the API and the page share the rule
    response = client.post(f"/api/v1/competitions/{competition.id}/judges", json={"user_id": world.insider.id,
                           "item_index": 0}, headers=api_token(client, "insider"))
    assert response.status_code == 403 and response.get_json()["error"] == "self_appointment"
    login(client, "colleague")
    page = post_form(client, f"/contests/{competition.id}/officials", {"username": "colleague", "duty": "supervisor"},
                     token_from=f"/contests/{competition.id}/panels", follow_redirects=True)
    assert "不能为自己指定" in page.get_data(as_text=True)
    assert not db.session.execute(select(CompetitionOfficial).where(
        CompetitionOfficial.user_id == world.colleague.id, CompetitionOfficial.duty == "supervisor")).scalar()


def test_one_person_holds_one_duty(world, client):
    competition = world.competition()
    designate(world.staff, competition, "colleague", "code_keeper")
    designate(world.staff, competition, "sup", "supervisor")
    assign_judge(world.staff, competition, world.insider.id, 1)
    db.session.commit()
    for username, duty in (("colleague", "supervisor"), ("insider", "code_keeper"),
                           ("insider", "supervisor")):
        with pytest.raises(ValidationFailed) as refused:
            designate(world.staff, competition, username, duty)
        assert _code(refused) == "separation_of_duties"
    keeper_judge = make_user("org_staff", "judge", username="kj", org=world.committee_org)
    designate(world.staff, competition, "kj", "code_keeper")
    db.session.commit()
    response = client.post(f"/api/v1/competitions/{competition.id}/judges", json={"user_id": keeper_judge.id,
                           "item_index": 1}, headers=api_token(client, "committee"))
    assert response.status_code == 422 and response.get_json()["error"] == "separation_of_duties"
    # automatic panels never pick a code keeper or supervisor who also holds the judge role, nor the caller
    auto_assign(world.colleague, competition, 4)
    db.session.commit()
    judged = set(db.session.execute(select(JudgeAssignment.user_id)).scalars())
    assert keeper_judge.id not in judged and world.colleague.id not in judged


def test_after_check_in_only_an_admin_changes_duties_and_it_is_audited(world):
    competition = world.competition()
    designate(world.staff, competition, "colleague", "code_keeper")
    world.panel(competition)
    registration = world.register_all(competition)[0]
    check_in(world.colleague, competition, registration)
    db.session.commit()
    spare = make_user("org_staff", username="spare", org=world.committee_org)
    judge_assignment = db.session.execute(select(JudgeAssignment)).scalars().first()
    attempts = [lambda: designate(world.staff, competition, "sup", "supervisor"),
                lambda: designate(world.staff, competition, "spare", "code_keeper"),
                lambda: remove_official(world.staff, competition, _official(competition, world.colleague).id),
                lambda: assign_judge(world.staff, competition, world.insider.id, 1),
                lambda: remove_judge(world.staff, competition, judge_assignment.id),
                lambda: set_chief(world.staff, competition, judge_assignment.id),
                lambda: auto_assign(world.staff, competition, 3)]
    for attempt in attempts:
        with pytest.raises(Conflict) as refused:
            attempt()
        assert _code(refused) == "duties_fixed"
        db.session.rollback()
    admin = make_user("admin", username="root")
    designate(admin, competition, "spare", "code_keeper")
    remove_official(admin, competition, _official(competition, world.colleague).id)
    db.session.commit()
    assert holds_mapping(spare, competition) and not can_see_mapping(world.colleague, competition)
    audit = db.session.execute(select(AuditLog).where(AuditLog.action.in_(
        ("competition.designate", "competition.undesignate"))).order_by(AuditLog.id)).scalars().all()
    assert [(a.action, a.actor_id, (a.new or {}).get("after_check_in")) for a in audit][-2:] == [
        ("competition.designate", admin.id, True), ("competition.undesignate", admin.id, True)]


def test_a_committee_member_cannot_reach_the_mapping(world):
    """The attack: appoint oneself keeper or supervisor, or remove the keeper so the whole committee sees codes."""
    competition = world.competition()
    designate(world.staff, competition, "colleague", "code_keeper")
    db.session.commit()
    assert not can_see_mapping(world.staff, competition)
    with pytest.raises(Forbidden):
        designate(world.staff, competition, "committee", "code_keeper")
    with pytest.raises(Conflict) as last:  # removing the only keeper would hand the list to the whole committee
        remove_official(world.staff, competition, _official(competition, world.colleague).id)
    assert _code(last) == "last_code_keeper"
    assert not can_see_mapping(world.staff, competition)


def test_judges_and_supervisors_never_hold_the_mapping_even_without_a_keeper(world):
    competition = world.competition()
    assign_judge(world.staff, competition, world.insider.id, 1)
    designate(world.staff, competition, "colleague", "supervisor")
    db.session.commit()
    assert can_see_mapping(world.staff, competition)  # no keeper designated: the committee (API v1's draw)
    assert not can_see_mapping(world.insider, competition) and not can_see_mapping(world.colleague, competition)
    assert not holds_mapping(world.staff, competition)  # the control room shows codes to keepers and admins only


def test_the_officials_field_is_no_username_oracle(world):
    competition = world.competition()
    make_user("trainee", username="far_away", name="远方某人", org=make_org("广州某公司", region_code="440106"))
    messages = set()
    for username in ("far_away", "no_such_user"):
        with pytest.raises(DomainError) as refused:
            designate(world.staff, competition, username, "supervisor")
        messages.add((refused.value.status, refused.value.message, tuple(refused.value.fields.items())))
    assert len(messages) == 1 and "远方某人" not in str(messages)
