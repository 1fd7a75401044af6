"""The selection page forms are SchemaForms over selection/schemas.py: a schema's Chinese reason shows at the field
it concerns (the round form, the panel, an objection's decision, a score on the review sheet), a service's refusal
too, and the API parses the same declaration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lrc_training.core.timeutil import to_local
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.selection.models import SelectionRound
from lrc_training.registry.selection.schemas import NominationIn
from lrc_training.registry.selection.services.nominations import nominate
from lrc_training.registry.selection.services.review import appoint_reviewer
from lrc_training.registry.selection.services.rounds import move_round
from tests.conftest import api_token, login, post_form
from tests.registry.selection_world import build_world, open_round, pass_deadline

NEW = "/registry/selections/new"


@pytest.fixture
def w(app):
    return build_world()


def _local(days: int) -> str:
    return to_local(utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _round_form(**overrides) -> dict:
    values = {"title": "金牌劳动关系协调员", "kind": "person", "standard": "成效突出", "quota": "3", "per_org_limit": "2",
              "nomination_deadline": _local(7), "review_deadline": _local(14), "notice_days": "5"}
    return {**values, **overrides}


def test_the_round_form_shows_the_schemas_reasons_at_their_fields(w, client):
    login(client, "hrss")
    page = client.get(NEW).get_data(as_text=True)
    assert 'maxlength="100"' in page and 'max="1000"' in page and "推荐单位和评审专家都会看到" in page
    response = post_form(client, NEW, _round_form(quota="0", standard="", notice_days="abc"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="quota-error">名额应在 1 到 1000 之间' in page
    assert 'id="standard-error">此项为必填项' in page
    assert 'id="notice_days-error">应为整数' in page
    late = post_form(client, NEW, _round_form(review_deadline=_local(3)))
    assert late.status_code == 422 and 'id="review_deadline-error">应晚于推荐截止时间' in late.get_data(as_text=True)
    assert db.session.execute(select(SelectionRound.id)).first() is None


def test_the_round_form_shows_the_services_refusal_at_its_field(w, client):
    login(client, "hrss")
    past = post_form(client, NEW, _round_form(nomination_deadline=_local(-1)))
    assert past.status_code == 422 and 'id="nomination_deadline-error">应晚于现在' in past.get_data(as_text=True)
    made = post_form(client, NEW, _round_form(title="  优秀指导站  ", kind="organization"))
    assert made.status_code == 302
    rnd = db.session.execute(select(SelectionRound)).scalar_one()
    assert (rnd.title, rnd.kind, rnd.quota) == ("优秀指导站", "organization", 3)
    assert to_local(rnd.nomination_deadline).strftime("%Y-%m-%dT%H:%M") == _local(7)


def test_editing_a_round_keeps_its_version(w, client):
    login(client, "hrss")
    post_form(client, NEW, _round_form())
    rnd = db.session.execute(select(SelectionRound)).scalar_one()
    url, read = f"/registry/selections/{rnd.id}/edit", str(rnd.version)
    form = client.get(url).get_data(as_text=True)
    assert f'name="version" type="hidden" value="{read}"' in form
    saved = post_form(client, url, _round_form(quota="4", version=read))
    assert saved.status_code == 302
    stale = post_form(client, url, _round_form(quota="5", version=read))
    assert stale.status_code == 200 and "该评选已被他人修改" in stale.get_data(as_text=True)
    tampered = post_form(client, url, _round_form(quota="5", version="x²"))
    assert tampered.status_code == 200 and "该评选已被他人修改" in tampered.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SelectionRound, rnd.id).quota == 4


def test_the_panel_and_decisions_flash_the_schemas_reasons(w, client):
    rnd = open_round(w)
    login(client, "hrss")
    url = f"/registry/selections/{rnd.id}/reviewers"
    empty = post_form(client, url, {"username": ""}, token_from=f"/registry/selections/{rnd.id}",
                      follow_redirects=True)
    assert "未能指定：评审专家用户名：此项为必填项" in empty.get_data(as_text=True)
    unknown = post_form(client, url, {"username": "nobody"}, token_from=f"/registry/selections/{rnd.id}",
                        follow_redirects=True)
    assert "未能指定：用户不存在或已停用" in unknown.get_data(as_text=True)
    assert post_form(client, url, {"username": "r1"}, token_from=f"/registry/selections/{rnd.id}").status_code == 302


def test_a_score_on_the_sheet_shows_its_reasons_at_the_nominations_row(w, client):
    rnd = open_round(w)
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="风险排查"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    db.session.commit()
    login(client, "r1")
    sheet = f"/registry/selections/{rnd.id}/review"
    url = f"{sheet}/{n3.id}"
    bad = post_form(client, url, {"score": "abc", "comment": ""}, token_from=sheet)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and f'id="err-{n3.id}">分数：应为数字；评语：此项为必填项' in page
    cents = post_form(client, url, {"score": "88.555", "comment": "好"}, token_from=sheet)
    assert cents.status_code == 422 and "最多两位小数" in cents.get_data(as_text=True)
    assert post_form(client, url, {"score": "88.5", "comment": "好"}, token_from=sheet).status_code == 302
    again = post_form(client, url, {"score": "90", "comment": "好", "version": ""}, token_from=sheet)
    assert again.status_code == 409 and "评分已在别处修改" in again.get_data(as_text=True)


def test_the_api_parses_the_same_declaration(w, client):
    headers = api_token(client, "hrss")
    body = {"standard": "标准", "quota": 3, "nomination_deadline": "2099-01-01T00:00:00+08:00",
            "review_deadline": "2099-02-01T00:00:00+08:00"}
    assert client.post("/api/v1/selections", headers=headers, json={**body, "quota": "3"}).status_code == 400
    wide = client.post("/api/v1/selections", headers=headers, json={**body, "quota": 1001})
    assert wide.status_code == 422 and wide.get_json()["fields"]["quota"] == "名额应在 1 到 1000 之间"
    local = client.post("/api/v1/selections", headers=headers, json={**body, "review_deadline": "2099-02-01T00:00"})
    assert local.status_code == 422 and "review_deadline" in local.get_json()["fields"]  # only the page's are local
