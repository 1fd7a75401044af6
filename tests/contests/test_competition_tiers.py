"""Who may organize which tier of competition: the organizer's kind and scope limit it, on the API and the page."""

import re
from datetime import timedelta

import pytest

from lrc_training.contests.services.setup import allowed_tiers
from lrc_training.db import utcnow
from tests.conftest import api_token, login
from tests.contests.helpers import ITEMS
from tests.factories import make_org, make_user


def body(**extra):
    return {"title": "劳动关系协调员职业技能竞赛", "tier": "city", "level": 3,
            "registration_closes_at": (utcnow() + timedelta(days=3)).isoformat(), "items": ITEMS} | extra


@pytest.mark.parametrize(("kind", "region", "national", "tiers"), [
    ("hrss", "110000", True, ["city", "provincial", "national"]),
    ("union", "370000", False, ["city", "provincial"]),
    ("federation", "370000", False, ["city", "provincial"]),
    ("employer_org", "371500", False, ["city"]),
    ("evaluator", "370000", False, ["city", "provincial"]),
    ("hrss", "371502", False, []),  # county level
    ("enterprise", "370000", False, []),
    ("enterprise", "110000", True, []),  # a national enterprise group still organizes none
    ("school", "370100", False, []),
    ("platform", "371581", False, []),
    ("association", "370000", False, []),
])
def test_tiers_by_kind_and_scope(kind, region, national, tiers):
    org = make_org(f"{kind}-{region}", kind=kind, region_code=region, national=national)
    assert allowed_tiers(org) == tiers


def test_an_enterprise_cannot_create_a_national_competition(client):
    """The attack: an enterprise's staff created a national-tier competition."""
    company = make_org("聊城华信机械", kind="enterprise", region_code="371502")
    make_user("org_staff", username="hr", org=company)
    response = client.post("/api/v1/competitions", json=body(tier="national", level=2),
                           headers=api_token(client, "hr"))
    assert response.status_code == 403 and "tier" in response.get_json()["fields"]
    assert "不能组织职业技能竞赛" in response.get_json()["message"]


def test_a_city_body_cannot_go_provincial_and_a_provincial_one_keeps_the_level_rule(client):
    make_user("org_staff", username="city", org=make_org("聊城市总工会", kind="union", region_code="371500"))
    make_user("org_staff", username="province", org=make_org("山东省总工会", kind="union", region_code="370000"))
    city = client.post("/api/v1/competitions", json=body(tier="provincial"), headers=api_token(client, "city"))
    assert city.status_code == 403 and "只能组织市级竞赛" in city.get_json()["message"]
    assert client.post("/api/v1/competitions", json=body(tier="city"), headers=api_token(client, "city")
                       ).status_code == 201
    level_four = client.post("/api/v1/competitions", json=body(tier="provincial", level=4),
                             headers=api_token(client, "province"))
    assert level_four.status_code == 422 and "level" in level_four.get_json()["fields"]
    assert client.post("/api/v1/competitions", json=body(tier="provincial"), headers=api_token(client, "province")
                       ).status_code == 201
    national = client.post("/api/v1/competitions", json=body(tier="national"), headers=api_token(client, "province"))
    assert national.status_code == 403


def test_the_create_page_offers_only_the_allowed_tiers(client):
    make_user("org_staff", username="city", org=make_org("聊城市总工会", kind="union", region_code="371500"))
    make_user("org_staff", username="hr", org=make_org("聊城华信机械", kind="enterprise", region_code="371502"))
    login(client, "city")
    page = client.get("/contests/new").get_data(as_text=True)
    tier_select = re.search(r'<select[^>]*name="tier"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'value="(\w+)"', tier_select) == ["city"]
    other = client.application.test_client()
    login(other, "hr")
    assert "本机构不能组织职业技能竞赛" in other.get("/contests/new").get_data(as_text=True)
