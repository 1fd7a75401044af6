"""Competition rules around regions, rounding and awards: eligible regions use the registry's scope rule, totals are
rounded half-up before ranking, and awards wait for every sheet and for final results."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from lrc_training.contests.services.ranking import Standing, posted, rank, to_decimal
from lrc_training.contests.services.registration import Ineligible, register
from lrc_training.contests.services.results import issue_award_certificates, publish, result_rows
from lrc_training.core.errors import Conflict, ValidationFailed
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.contests.helpers import World
from tests.factories import make_org, make_user


@pytest.fixture
def world(app):
    return World()


def person_in(region_code: str):
    org = make_org(f"单位{region_code}", kind="enterprise", region_code=region_code)
    return make_user("trainee", username=f"u{region_code}", org=org)


@pytest.mark.parametrize(("region", "inside", "outside"), [
    ("371000", ["371002", "371082"], ["371102", "371702"]),  # 威海 admits neither 日照 nor 菏泽
    ("500000", ["500101", "500235"], ["510104", "520102", "530102", "540102"]),  # 重庆 admits none of 51–54
    ("370830", ["370830"], ["370831"]),  # 汶上县 does not admit 泗水县
    ("371502001", ["371502001", "371502001001"], ["371502", "371502002"]),  # a street admits its communities
])
def test_eligible_regions_use_the_scope_rule(world, region, inside, outside):
    competition = world.competition(eligibility={"regions": [region]})
    # people of other cities register themselves (the committee reaches only its own region's people)
    for code in inside:
        person = person_in(code)
        assert register(person, competition.id, person.id).status == "pending"
    for code in outside:
        person = person_in(code)
        with pytest.raises(Ineligible) as refused:
            register(person, competition.id, person.id)
        assert refused.value.fields == {"eligibility": "地区不符"}


def test_eligible_regions_must_be_real_divisions(client, world):
    with pytest.raises(ValidationFailed) as bad:
        world.competition(eligibility={"regions": ["371599"]})
    assert "371599" in bad.value.fields["eligibility.regions"]
    token = api_token(client, world.staff.username)
    from tests.contests.test_competitions_api import body

    response = client.post("/api/v1/competitions", json=body(eligibility={"regions": ["371000", "37"]}),
                           headers=token)
    assert response.status_code == 422 and "eligibility.regions" in response.get_json()["fields"]
    assert client.post("/api/v1/competitions", json=body(eligibility={"regions": ["371000", "660100"]}),
                       headers=token).status_code == 201


# -- rounding ----------------------------------------------------------------------------------------------------

def test_totals_that_post_alike_rank_alike():
    """85.3267 and 85.33 both post as 85.33: one rank, unless the tie-break separates them."""
    same = rank([Standing("exact", Fraction("85.3267"), Fraction("60.0067"), Fraction("25.32")),
                 Standing("round", Fraction("85.33"), Fraction("60.01"), Fraction("25.32"))])
    assert [s.rank for s in same] == [1, 1]
    assert [float(to_decimal(s.total)) for s in same] == [85.33, 85.33]
    separated = rank([Standing("a", Fraction("85.3267"), Fraction("60.0067"), Fraction("25.32")),
                      Standing("b", Fraction("85.33"), Fraction("61"), Fraction("24.33"))])
    assert [(s.key, s.rank) for s in separated] == [("b", 1), ("a", 2)]  # higher practical score wins


def test_rounding_is_half_up_from_the_exact_value():
    assert to_decimal(Fraction("85.325")) == Decimal("85.33")
    assert to_decimal(Fraction("85.3249")) == Decimal("85.32")
    # just below the half by far less than 28 digits resolve: still rounds down
    assert to_decimal(Fraction("85.325") - Fraction(1, 10 ** 40)) == Decimal("85.32")
    assert posted(Fraction(2, 3)) == Fraction("0.67")


def test_results_rank_on_the_posted_total_and_keep_the_exact_steps(world):
    competition = world.ready()
    # person 0: practical judges 87.6, 87.6, 87.61 → 87.60333… × 70% = 61.32233…; total 85.32233… → 85.32
    # person 1: practical 87.6 from all → 61.32; total 85.32 exactly. Theory 80 for both (24).
    world.score(competition, lambda j, p, item: 80 if item == 0 else (
        "87.61" if (p == 0 and j == 2) else "87.6" if p in (0, 1) else 50))
    rows = result_rows(competition)
    top = {r["name"]: r for r in rows if r["rank"] == 1}
    assert set(top) == {world.people[0].name, world.people[1].name}
    assert top[world.people[0].name]["total"] == top[world.people[1].name]["total"] == 85.32
    assert top[world.people[0].name]["total_exact"] == "85.322333"
    assert top[world.people[0].name]["item_details"][1]["judges"] == [87.6, 87.6, 87.61]
    assert rows[2]["rank"] == 3


# -- awards ------------------------------------------------------------------------------------------------------

def test_control_room_shows_no_award_on_partial_scores(client, world):
    competition = world.ready()
    world.score(competition, lambda j, p, item: 90 - p, judges=world.judges[:2])  # the third judge has not scored
    rows = result_rows(competition)
    assert all(r["award"] is None and r["award_pending"] for r in rows)
    login(client, world.staff.username)
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "待全部评分完成" in page and "一等奖" not in page.split("成绩与排名")[1]
    api = client.get(f"/api/v1/competitions/{competition.id}/results",
                     headers=api_token(client, world.staff.username)).get_json()
    assert all(r["award"] is None for r in api["rows"])
    world.score(competition, lambda j, p, item: 90 - p, judges=world.judges[2:])
    rows = result_rows(competition)
    assert rows[0]["award"] == "first" and not rows[0]["award_pending"]
    page = client.get(f"/contests/{competition.id}").get_data(as_text=True)
    assert "一等奖" in page.split("成绩与排名")[1] and "待全部评分完成" not in page


def test_award_certificates_wait_for_final_results(client, world):
    competition = world.ready()
    world.score(competition, lambda j, p, item: 90 - p)
    publish(world.staff, competition)
    db.session.commit()
    with pytest.raises(Conflict) as early:
        issue_award_certificates(world.staff, competition.id)
    assert "结果确定后才能签发获奖证书" in early.value.message
    login(client, world.staff.username)
    detail = f"/contests/{competition.id}"
    page = post_form(client, f"{detail}/certificates", {}, token_from=detail, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "结果确定后才能签发获奖证书" in text and "已签发" not in text
