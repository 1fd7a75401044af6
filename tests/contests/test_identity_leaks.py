"""Bulk look-ups never reveal who is behind a username or ID number outside the caller's reach: competition bulk
registration (page and API), the registration API's user_id and the registry import all answer
"未找到或不属于本单位" word for word for a stranger and for nobody; requests are capped and throttled per user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.contests.models import Registration
from lrc_training.contests.services.bulk import MAX_ROWS, register_text
from lrc_training.core.bulk_limits import BulkThrottled
from lrc_training.core.errors import ValidationFailed
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from lrc_training.registry.services.importing import import_registry
from tests.conftest import api_token, login, post_form
from tests.contests.helpers import World
from tests.factories import make_org, make_user, valid_id_number
from tests.registry.helpers import import_sheet

NOT_REACHABLE = "未找到或不属于本单位"


@pytest.fixture
def world(app):
    world = World()
    world.stranger = make_user("trainee", username="gz_chen", name="陈晓燕",
                               org=make_org("广州某公司", kind="enterprise", region_code="440106"))
    return world


def test_bulk_registration_by_another_organizations_staff_names_no_stranger(client, world):
    competition = world.competition()
    make_user("org_staff", username="hr", org=world.companies[1])
    login(client, "hr")
    ghost_id = valid_id_number(region="440106", seq=777)
    response = post_form(client, f"/contests/{competition.id}/bulk", {"people": "\n".join([
        world.stranger.id_number, ghost_id, world.stranger.username, "no_such_user", world.people[1].username])})
    text = response.get_data(as_text=True)
    assert "陈晓燕" not in text and world.people[0].name not in text
    assert text.count(NOT_REACHABLE) >= 4 and "已报名 1 人" in text


def test_the_committee_reaches_only_its_region_and_the_answer_is_the_same_for_nobody(world):
    competition = world.competition()
    ghost_id = valid_id_number(region="440106", seq=778)
    report = register_text(world.staff, competition.id, "\n".join([
        world.stranger.id_number, ghost_id, world.people[0].id_number]))
    db.session.commit()
    assert report.errors == [(1, NOT_REACHABLE), (2, NOT_REACHABLE)]  # identical: exists elsewhere / does not exist
    assert report.registered == [(3, world.people[0].name, "approved")]  # 聊城 people: the 聊城 committee's own
    assert db.session.execute(select(Registration.user_id).where(
        Registration.user_id == world.stranger.id)).scalar() is None


def test_registration_api_user_id_is_no_oracle(client, world):
    competition = world.competition()
    staff = api_token(client, "committee")
    stranger = client.post(f"/api/v1/competitions/{competition.id}/registrations",
                           json={"user_id": world.stranger.id}, headers=staff)
    nobody = client.post(f"/api/v1/competitions/{competition.id}/registrations",
                         json={"user_id": 987654}, headers=staff)
    assert stranger.status_code == nobody.status_code == 404
    assert stranger.get_json() == nobody.get_json() == {
        "error": "not_found", "message": NOT_REACHABLE, "fields": {"user_id": NOT_REACHABLE}}
    hr = make_user("org_staff", username="hr2", org=world.companies[2])
    other_company = client.post(f"/api/v1/competitions/{competition.id}/registrations",
                                json={"user_id": world.people[0].id}, headers=api_token(client, "hr2"))
    assert other_company.status_code == 404 and other_company.get_json()["message"] == NOT_REACHABLE
    own = client.post(f"/api/v1/competitions/{competition.id}/registrations",
                      json={"user_id": world.people[2].id}, headers=api_token(client, hr.username))
    assert own.status_code == 201 and own.get_json()["status"] == "pending"


def test_bulk_api_caps_rows_and_throttles_per_user(client, world, app, monkeypatch):
    competition = world.competition()
    staff = api_token(client, "committee")
    path = f"/api/v1/competitions/{competition.id}/registrations/bulk"
    too_many = client.post(path, json={"identifiers": [f"u{i}" for i in range(MAX_ROWS + 1)]}, headers=staff)
    assert too_many.status_code == 422 and str(MAX_ROWS) in too_many.get_json()["message"]
    monkeypatch.setitem(app.config, "LRC_BULK_LOOKUPS_PER_HOUR", 2)
    for _ in range(2):
        assert client.post(path, json={"identifiers": ["nobody"]}, headers=staff).status_code == 200
    throttled = client.post(path, json={"identifiers": [world.stranger.id_number]}, headers=staff)
    assert throttled.status_code == 429 and throttled.get_json()["error"] == "throttled"
    assert "每小时最多 2 次" in throttled.get_json()["message"] and int(throttled.headers["Retry-After"]) > 0
    # per user: a colleague still has their own budget
    make_user("org_staff", username="colleague", org=world.committee_org)
    assert client.post(path, json={"identifiers": ["nobody"]}, headers=api_token(client, "colleague")).status_code == 200


def test_bulk_page_keeps_the_list_when_throttled(client, world, app, monkeypatch):
    competition = world.competition()
    monkeypatch.setitem(app.config, "LRC_BULK_LOOKUPS_PER_HOUR", 1)
    login(client, "committee")
    post_form(client, f"/contests/{competition.id}/bulk", {"people": "nobody"})
    again = post_form(client, f"/contests/{competition.id}/bulk", {"people": "still_nobody"})
    text = again.get_data(as_text=True)
    assert again.status_code == 429 and "批量查询过于频繁" in text and "still_nobody" in text
    with pytest.raises(ValidationFailed):  # the service refuses an oversized list outright, it never truncates
        register_text(world.staff, competition.id, "\n".join(f"u{i}" for i in range(MAX_ROWS + 1)))




def test_registry_import_never_quotes_a_name_and_refuses_strangers_like_nobody(app, monkeypatch):
    monkeypatch.setitem(app.config, "LRC_BULK_LOOKUPS_PER_HOUR", 1)
    city = make_org("聊城市人社局", kind="hrss", region_code="371500")
    importer = make_user("org_staff", username="rs", org=city)
    company = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    stranger = make_user("trainee", username="gz", name="陈晓燕",
                         org=make_org("广州某公司", kind="enterprise", region_code="440106"))
    local = make_user("trainee", username="lc", name="王建国", org=company)
    report = import_registry(importer, import_sheet([
        ["张三", stranger.id_number, "聊城企业甲", "", "", "", "", ""],  # a Guangzhou person: out of reach
        ["李四", local.id_number, "聊城企业甲", "", "", "", "", ""],  # in scope, but the name differs
    ]))
    db.session.commit()
    reasons = dict(report.errors)
    assert reasons[2] == NOT_REACHABLE
    assert "不一致" in reasons[3]
    assert not any("陈晓燕" in r or "王建国" in r for r in reasons.values())
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "registry.import")).scalar_one()
    assert audit.new["out_of_reach"] == 1 and audit.actor_id == importer.id
    with pytest.raises(BulkThrottled):  # the second import within the hour
        import_registry(importer, import_sheet([["张三", valid_id_number(), "聊城企业甲", "", "", "", "", ""]]))
