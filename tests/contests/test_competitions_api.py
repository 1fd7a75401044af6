"""The competitions API of docs/api.md: setup, registration, judges, draw, blind scoring, results, awards."""

from datetime import datetime, timedelta

import pytest

from lrc_training.contests.models import Competition
from lrc_training.contests.services.finalize import finalize
from lrc_training.extensions import db
from tests.conftest import api_token
from tests.factories import make_org, make_user


def body(**overrides):
    data = {"title": "聊城市第三届劳动关系协调员职业技能竞赛", "tier": "city", "level": 4,
            "registration_closes_at": (datetime.now().astimezone() + timedelta(days=3)).isoformat(),
            "items": [{"name": "理论知识", "kind": "theory", "weight": 30,
                       "criteria": [{"name": "客观题", "max_points": 100}]},
                      {"name": "案例分析", "kind": "practical", "weight": 70,
                       "criteria": [{"name": "事实认定", "max_points": 40}, {"name": "法律适用", "max_points": 60}]}],
            "award_ratios": {"first": 0.1, "second": 0.2, "third": 0.3}}
    data.update(overrides)
    return data


@pytest.fixture
def world(client):
    committee = make_org("聊城市总工会", kind="union", region_code="371500")
    make_user("org_staff", username="committee", org=committee)
    companies = [make_org(f"参赛企业{i}", kind="enterprise", region_code="371502") for i in range(3)]
    contestants = [make_user("trainee", username=f"p{i}", name=f"选手{i}", org=companies[i % 3]) for i in range(5)]
    judges_org = make_org("山东劳动职业技术学院", kind="school", region_code="370100")
    judges = [make_user("judge", username=f"j{i}", org=judges_org) for i in range(3)]
    db.session.commit()
    return {"staff": api_token(client, "committee"), "contestants": contestants, "judges": judges,
            "companies": companies}


def test_full_competition(client, world):
    created = client.post("/api/v1/competitions", json=body(), headers=world["staff"])
    assert created.status_code == 201
    competition = created.get_json()
    cid = competition["id"]
    # a trainee registers themself → pending; the committee registers others → approved
    own = client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": world["contestants"][0].id},
                      headers=api_token(client, "p0"))
    assert own.status_code == 201 and own.get_json()["status"] == "pending"
    assert client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": world["contestants"][0].id},
                       headers=api_token(client, "p0")).status_code == 409
    assert client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": world["contestants"][1].id},
                       headers=api_token(client, "p0")).status_code == 403
    approve = client.post(f"/api/v1/competition-registrations/{own.get_json()['id']}/approve", headers=world["staff"])
    assert approve.get_json()["status"] == "approved"
    for person in world["contestants"][1:]:
        r = client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": person.id},
                        headers=world["staff"])
        assert r.get_json()["status"] == "approved"
    # conflict of interest: a judge from a contestant's company is refused
    insider = make_user("judge", username="insider", org=world["companies"][0])
    coi = client.post(f"/api/v1/competitions/{cid}/judges", json={"user_id": insider.id, "item_index": 1},
                      headers=world["staff"])
    assert coi.status_code == 422
    for judge in world["judges"]:
        for index in (0, 1):
            assert client.post(f"/api/v1/competitions/{cid}/judges", json={"user_id": judge.id, "item_index": index},
                               headers=world["staff"]).status_code == 201
    drawn = client.post(f"/api/v1/competitions/{cid}/draw", headers=world["staff"]).get_json()
    codes = {c["user_id"]: c["contestant_code"] for c in drawn["codes"]}
    assert len(set(codes.values())) == 5
    # judges see codes only, and score
    planned = {0: (90, 40, 60), 1: (80, 35, 55), 2: (80, 35, 55), 3: (70, 20, 40), 4: (60, 20, 30)}
    by_code = {codes[p.id]: i for i, p in enumerate(world["contestants"])}
    stations = {c["user_id"]: c["station_number"] for c in drawn["codes"]}
    by_station = {stations[p.id]: i for i, p in enumerate(world["contestants"])}
    for judge in world["judges"]:
        headers = api_token(client, judge.username)
        sheets = client.get("/api/v1/judging/sheets", headers=headers).get_json()
        assert len(sheets) == 10 and all("name" not in s and "user_id" not in s for s in sheets)
        # 二次加密: the practical item's sheets carry the station only, the theory item's the code only
        assert all((s["contestant_code"] is None) == (s["item_index"] == 1) for s in sheets)
        assert all((s["station_number"] is None) == (s["item_index"] == 0) for s in sheets)
        for sheet in sheets:
            person = by_code[sheet["contestant_code"]] if sheet["item_index"] == 0 else by_station[sheet["station_number"]]
            theory, facts, law = planned[person]
            crit = sheet["criteria"]
            scores = {str(crit[0]["id"]): theory} if sheet["item_index"] == 0 else {
                str(crit[0]["id"]): facts, str(crit[1]["id"]): law}
            saved = client.put(f"/api/v1/judging/sheets/{sheet['id']}", json={"scores": scores,
                                                                              "version": sheet["version"]},
                               headers=headers)
            assert saved.status_code == 200 and saved.get_json()["version"] == sheet["version"] + 1
            stale = client.put(f"/api/v1/judging/sheets/{sheet['id']}", json={"scores": scores,
                                                                              "version": sheet["version"]},
                               headers=headers)
            assert stale.status_code == 409
            assert client.post(f"/api/v1/judging/sheets/{sheet['id']}/submit", headers=headers).status_code == 200
            locked = client.put(f"/api/v1/judging/sheets/{sheet['id']}",
                                json={"scores": scores, "version": saved.get_json()["version"] + 1}, headers=headers)
            assert locked.status_code == 409
    assert client.post(f"/api/v1/competitions/{cid}/draw", headers=world["staff"]).status_code == 409
    results = client.get(f"/api/v1/competitions/{cid}/results", headers=world["staff"]).get_json()["rows"]
    assert [r["rank"] for r in results] == [1, 2, 2, 4, 5]
    assert results[0]["total"] == 97.0 and results[1]["total"] == 87.0  # 90×0.3 + 100/100×70; 80×0.3 + 90/100×70
    assert results[0]["name"] == "选手0"
    assert [r["award"] for r in results] == ["first", "second", "second", None, None]
    assert client.post(f"/api/v1/competitions/{cid}/publish", headers=world["staff"]).status_code == 200
    # in the notice period an appeal may still change the results: no award certificates yet
    early = client.post("/api/v1/certificates/issue", json={"competition_id": cid}, headers=world["staff"])
    assert early.status_code == 409 and "结果确定后才能签发获奖证书" in early.get_json()["message"]
    assert early.get_json()["fields"] == {"competition_id": "公示期未结束或申诉未处理完"}
    published = db.session.get(Competition, cid)
    published.published_at -= timedelta(days=published.notice_days + 1)
    finalize(published)
    db.session.commit()
    issued = client.post("/api/v1/certificates/issue", json={"competition_id": cid}, headers=world["staff"])
    assert issued.status_code == 201 and issued.get_json()["issued"] == 3
    assert issued.get_json()["numbers"][0].endswith("0001")


def test_scores_over_the_maximum_are_422(client, world):
    cid = client.post("/api/v1/competitions", json=body(), headers=world["staff"]).get_json()["id"]
    client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": world["contestants"][0].id},
                headers=world["staff"])
    client.post(f"/api/v1/competitions/{cid}/judges", json={"user_id": world["judges"][0].id, "item_index": 1},
                headers=world["staff"])
    client.post(f"/api/v1/competitions/{cid}/draw", headers=world["staff"])
    headers = api_token(client, world["judges"][0].username)
    sheet = client.get("/api/v1/judging/sheets", headers=headers).get_json()[0]
    crit = sheet["criteria"][0]
    for bad in (41, -1):
        r = client.put(f"/api/v1/judging/sheets/{sheet['id']}", json={"scores": {str(crit["id"]): bad},
                                                                      "version": sheet["version"]}, headers=headers)
        assert r.status_code == 422 and f"scores.{crit['id']}" in r.get_json()["fields"]
    incomplete = client.post(f"/api/v1/judging/sheets/{sheet['id']}/submit", headers=headers)
    assert incomplete.status_code == 422


@pytest.mark.parametrize(("override", "field"), [
    ({"tier": "world"}, "tier"),
    ({"items": [{"name": "a", "kind": "theory", "weight": 50, "criteria": [{"name": "x", "max_points": 10}]}]},
     "items"),
    ({"award_ratios": {"first": 0.6, "second": 0.6}}, "award_ratios"),
])
def test_bad_competition_setup(client, world, override, field):
    response = client.post("/api/v1/competitions", json=body(**override), headers=world["staff"])
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_eligibility_by_certificate_level_and_quota(client, world):
    cid = client.post("/api/v1/competitions", json=body(eligibility={"quota_per_organization": 1}),
                      headers=world["staff"]).get_json()["id"]
    first = client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": world["contestants"][0].id},
                        headers=world["staff"])
    assert first.status_code == 201
    same_company = client.post(f"/api/v1/competitions/{cid}/registrations",
                               json={"user_id": world["contestants"][3].id}, headers=world["staff"])
    assert same_company.status_code == 422 and same_company.get_json()["error"] == "ineligible"
    cid2 = client.post("/api/v1/competitions", json=body(eligibility={"min_level": 3}),
                       headers=world["staff"]).get_json()["id"]
    refused = client.post(f"/api/v1/competitions/{cid2}/registrations", json={"user_id": world["contestants"][1].id},
                          headers=world["staff"])
    assert refused.status_code == 422 and "证书" in refused.get_json()["message"]
