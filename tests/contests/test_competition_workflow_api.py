"""The JSON API beyond docs/api.md's basics: check-in, automatic panels and loads, progress and reopening, appeals,
qualifiers and bulk registration — status codes and field-naming errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lrc_training.contests.services.results import publish
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import api_token
from tests.contests.helpers import World, sheet_of
from tests.factories import make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


@pytest.fixture
def world(app):
    return World()


def test_check_in_and_close_through_the_api(client, world):
    competition = world.competition()
    registrations = world.register_all(competition)
    staff = api_token(client, "committee")
    first = client.post(f"/api/v1/competitions/{competition.id}/check-ins",
                        json={"registration_id": registrations[0].id}, headers=staff)
    assert first.status_code == 201 and first.get_json()["contestant_code"].startswith("C")
    again = client.post(f"/api/v1/competitions/{competition.id}/check-ins",
                        json={"registration_id": registrations[0].id}, headers=staff)
    assert again.status_code == 409 and "registration_id" in again.get_json()["fields"]
    missing = client.post(f"/api/v1/competitions/{competition.id}/check-ins", json={"registration_id": 999999},
                          headers=staff)
    assert missing.status_code == 404
    wrong_type = client.post(f"/api/v1/competitions/{competition.id}/check-ins", json={"registration_id": "x"},
                             headers=staff)
    assert wrong_type.status_code == 400
    closed = client.post(f"/api/v1/competitions/{competition.id}/check-ins/close", headers=staff)
    assert closed.get_json() == {"state": "drawn", "present": 1}
    # judges cannot check anyone in
    assert client.post(f"/api/v1/competitions/{competition.id}/check-ins/close",
                       headers=api_token(client, "j0")).status_code == 403


def test_auto_panels_loads_progress_and_reopen(client, world):
    competition = world.competition()
    world.register_all(competition)
    staff = api_token(client, "committee")
    auto = client.post(f"/api/v1/competitions/{competition.id}/judges/auto", json={"per_item": 3}, headers=staff)
    assert auto.status_code == 200 and auto.get_json()["added"] == 6
    too_many = client.post(f"/api/v1/competitions/{competition.id}/judges/auto", json={"per_item": 9}, headers=staff)
    assert too_many.status_code == 422 and "per_item" in too_many.get_json()["fields"]
    loads = client.get(f"/api/v1/competitions/{competition.id}/judges", headers=staff).get_json()
    assert sorted(len(load["items"]) for load in loads) == [2, 2, 2]
    chief = client.post(f"/api/v1/competitions/{competition.id}/judges",
                        json={"user_id": world.judges[0].id, "item_index": 1, "is_chief": True}, headers=staff)
    assert chief.status_code == 409  # already on the panel
    client.post(f"/api/v1/competitions/{competition.id}/draw", headers=staff)
    world.score(competition, PLANNED)
    progress = client.get(f"/api/v1/competitions/{competition.id}/progress", headers=staff).get_json()
    assert [(p["item_index"], p["sheets"], p["submitted"]) for p in progress] == [(0, 15, 15), (1, 15, 15)]
    assert client.get(f"/api/v1/competitions/{competition.id}/progress",
                      headers=api_token(client, "j1")).status_code == 404  # no chief role there
    sheet = sheet_of(competition, world.judges[1], world.people[0])
    no_reason = client.post(f"/api/v1/judging/sheets/{sheet.id}/reopen", json={"reason": ""}, headers=staff)
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["fields"]
    reopened = client.post(f"/api/v1/judging/sheets/{sheet.id}/reopen", json={"reason": "录入错误"}, headers=staff)
    assert reopened.status_code == 200 and reopened.get_json()["submitted"] is False


def test_appeals_through_the_api(client, world):
    competition = world.ready()
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    db.session.commit()
    contestant = api_token(client, "p3")
    filed = client.post(f"/api/v1/competitions/{competition.id}/appeals",
                        json={"text": "对案例分析成绩有异议，请复核评分。"}, headers=contestant)
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    appeal = filed.get_json()
    assert client.get(f"/api/v1/competitions/{competition.id}/appeals", headers=contestant).status_code == 404
    staff = api_token(client, "committee")
    listed = client.get(f"/api/v1/competitions/{competition.id}/appeals", headers=staff).get_json()
    assert [a["id"] for a in listed] == [appeal["id"]]
    stale = client.post(f"/api/v1/competition-appeals/{appeal['id']}/decide",
                        json={"upheld": False, "decision": "评分无误", "version": appeal["version"] + 5}, headers=staff)
    assert stale.status_code == 409 and "version" in stale.get_json()["fields"]
    decided = client.post(f"/api/v1/competition-appeals/{appeal['id']}/decide",
                          json={"upheld": False, "decision": "评分无误", "version": appeal["version"]}, headers=staff)
    assert decided.status_code == 200 and decided.get_json()["status"] == "dismissed"
    competition.published_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    late = client.post(f"/api/v1/competitions/{competition.id}/appeals",
                       json={"text": "再次申诉，对成绩仍有异议。"}, headers=contestant)
    assert late.status_code == 422 and late.get_json()["fields"] == {"text": "不在申诉期内"}


def test_qualifiers_and_bulk_registration_through_the_api(client, world):
    preliminary = world.ready(stage="preliminary", advance_count=3)
    world.score(preliminary, PLANNED)
    publish(world.staff, preliminary)
    db.session.commit()
    staff = api_token(client, "committee")
    final = client.post("/api/v1/competitions", headers=staff, json={
        "title": "决赛", "tier": "city", "level": 4, "stage": "final",
        "registration_closes_at": (utcnow() + timedelta(days=2)).isoformat(),
        "items": [{"name": "理论", "kind": "theory", "weight": 100, "criteria": [{"name": "客观题", "max_points": 100}]}]})
    assert final.status_code == 201 and final.get_json()["stage"] == "final"
    final_id = final.get_json()["id"]
    taken = client.post(f"/api/v1/competitions/{final_id}/qualifiers", json={"source_id": preliminary.id},
                        headers=staff)
    assert taken.status_code == 201 and taken.get_json()["taken"] == 3
    bad_source = client.post(f"/api/v1/competitions/{final_id}/qualifiers", json={"source_id": final_id},
                             headers=staff)
    assert bad_source.status_code == 422 and "source_id" in bad_source.get_json()["fields"]
    late_joiner = make_user("trainee", username="late", org=make_org("企业X", region_code="371502"))
    bulk = client.post(f"/api/v1/competitions/{final_id}/registrations/bulk",
                       json={"identifiers": [late_joiner.username, world.people[0].username, "ghost"]}, headers=staff)
    body = bulk.get_json()
    assert [r["row"] for r in body["registered"]] == [1]
    assert [e["row"] for e in body["errors"]] == [2, 3]
    preliminary_without_count = client.post("/api/v1/competitions", headers=staff, json={
        "title": "初赛", "tier": "city", "level": 4, "stage": "preliminary",
        "registration_closes_at": (utcnow() + timedelta(days=2)).isoformat(),
        "items": [{"name": "理论", "kind": "theory", "weight": 100, "criteria": [{"name": "客观题", "max_points": 100}]}]})
    assert preliminary_without_count.status_code == 422
    assert "advance_count" in preliminary_without_count.get_json()["fields"]


def test_venue_dates_and_registration_window(client, world):
    staff = api_token(client, "committee")
    base = {"title": "市赛", "tier": "city", "level": 4,
            "registration_closes_at": (utcnow() + timedelta(days=9)).isoformat(),
            "items": [{"name": "理论", "kind": "theory", "weight": 100, "criteria": [{"name": "客观题", "max_points": 100}]}]}
    backwards = client.post("/api/v1/competitions", headers=staff,
                            json=base | {"starts_on": "2026-12-10", "ends_on": "2026-12-09"})
    assert backwards.status_code == 422 and "ends_on" in backwards.get_json()["fields"]
    created = client.post("/api/v1/competitions", headers=staff, json=base | {
        "venue": "聊城市技师学院实训楼", "starts_on": "2026-12-10", "ends_on": "2026-12-11",
        "registration_opens_at": (utcnow() + timedelta(days=2)).isoformat()})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["venue"], body["starts_on"], body["ends_on"]) == ("聊城市技师学院实训楼", "2026-12-10", "2026-12-11")
    early = client.post(f"/api/v1/competitions/{body['id']}/registrations", json={"user_id": world.people[0].id},
                        headers=api_token(client, "p0"))
    assert early.status_code == 422 and early.get_json()["fields"] == {"competition": "报名尚未开始"}
