"""Selection pages and API: who may open what (a permissions table), the public notice masking names and showing
no ID or phone numbers, objections from the public page, the nav entries, the certificate PDF (looked at as PNG),
the public check of its number, and constant query counts on the lists."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.extensions import db
from lrc_training.registry.selection.models import Award, Objection
from lrc_training.registry.selection.schemas import NominationIn, ScoreIn
from lrc_training.registry.selection.services.nominations import nominate
from lrc_training.registry.selection.services.notice import finalize_by
from lrc_training.registry.selection.services.review import appoint_reviewer, submit_score
from lrc_training.registry.selection.services.rounds import move_round
from tests.conftest import api_token, login, post_form
from tests.registry.selection_world import build_world, open_round, pass_deadline


@pytest.fixture
def w(app):
    return build_world()


def _in_review(w, quota=2):
    rnd = open_round(w, quota=quota)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="调解成效突出"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="风险排查"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    appoint_reviewer(w["hrss"], rnd.id, "r2")
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    db.session.commit()
    return rnd, n1, n3


def _in_notice(w):
    rnd, n1, n3 = _in_review(w)
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n1.id, score=90, comment="好"))
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n3.id, score=80, comment="好"))
    submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score=70, comment="好"))
    move_round(w["hrss"], rnd.id, "notice")
    db.session.commit()
    return rnd, n1, n3


PERMISSIONS = [  # (user, url, expected status) for a round in review
    ("hrss", "/registry/selections/{id}", 200),
    ("admin", "/registry/selections/{id}", 200),
    ("hrss_qd", "/registry/selections/{id}", 404),
    ("e1staff", "/registry/selections/{id}", 200),
    ("qdstaff", "/registry/selections/{id}", 404),
    ("c1", "/registry/selections/{id}", 404),
    ("r1", "/registry/selections/{id}", 200),
    ("r1", "/registry/selections/{id}/review", 200),
    ("e1staff", "/registry/selections/{id}/review", 403),
    ("hrss_qd", "/registry/selections/{id}/review", 404),
    ("e1staff", "/registry/selections/{id}/edit", 403),
    ("r1", "/registry/selections/{id}/edit", 403),
    ("hrss", "/registry/selections/{id}/edit", 200),
    ("hrss", "/registry/selections/{id}/nominate", 403),
    ("c1", "/registry/selections/new", 403),
    ("e1staff", "/registry/selections/new", 302),  # told that 人社 departments open selections
    ("hrss", "/registry/selections/new", 200),
    (None, "/registry/selections/{id}/notice", 404),  # not public before the notice
]


@pytest.mark.parametrize(("who", "url", "status"), PERMISSIONS)
def test_permissions_table(w, client, who, url, status):
    rnd, _, _ = _in_review(w)
    if who:
        login(client, who)
    assert client.get(url.format(id=rnd.id)).status_code == status


def test_an_organization_sees_only_its_own_nominations(w, client):
    rnd, _, _ = _in_review(w)
    login(client, "e1staff")
    page = client.get(f"/registry/selections/{rnd.id}").get_data(as_text=True)
    assert "张三丰" in page and "赵六" not in page and "风险排查" not in page
    body = client.get(f"/api/v1/selections/{rnd.id}", headers=api_token(client, "e1staff")).get_json()
    assert [n["nominee"]["name"] for n in body["nominations"]] == ["张三丰"] and "rank" not in body["nominations"][0]


def test_a_reviewer_cannot_score_their_own_organizations_nominee(w, client):
    rnd, n1, n3 = _in_review(w)
    login(client, "r2")
    sheet = client.get(f"/registry/selections/{rnd.id}/review").get_data(as_text=True)
    assert "不能为本单位推荐的人选评分" in sheet
    response = post_form(client, f"/registry/selections/{rnd.id}/review/{n1.id}", {"score": "99", "comment": "好"},
                         token_from=f"/registry/selections/{rnd.id}/review")
    assert response.status_code == 403 and "本单位" in response.get_data(as_text=True)
    bad = post_form(client, f"/registry/selections/{rnd.id}/review/{n3.id}", {"score": "120", "comment": "好"},
                    token_from=f"/registry/selections/{rnd.id}/review")
    assert bad.status_code == 422 and "0–100" in bad.get_data(as_text=True)
    headers = api_token(client, "r2")
    api = client.post(f"/api/v1/selections/{rnd.id}/scores", headers=headers,
                      json={"nomination_id": n1.id, "score": 99, "comment": "好"})
    assert api.status_code == 403 and api.get_json()["error"] == "conflict_of_interest"
    ok = client.post(f"/api/v1/selections/{rnd.id}/scores", headers=headers,
                     json={"nomination_id": n3.id, "score": 88.5, "comment": "好"})
    assert ok.status_code == 200 and ok.get_json()["score"] == 88.5
    staff = client.post(f"/api/v1/selections/{rnd.id}/scores", headers=api_token(client, "e1staff"),
                        json={"nomination_id": n3.id, "score": 88, "comment": "好"})
    assert staff.status_code == 403


def test_the_public_notice_masks_names_and_takes_objections(w, app, client):
    rnd, n1, _ = _in_notice(w)
    page = client.get(f"/registry/selections/{rnd.id}/notice").get_data(as_text=True)
    assert "张**" in page and "赵*" in page and "张三丰" not in page and "东昌府企业甲" in page
    for secret in (w["c1"].id_number, w["c1"].phone, w["d1"].id_number):
        assert secret not in page
    public = client.get(f"/api/v1/selections/{rnd.id}/notice").get_json()
    assert [r["name"] for r in public["shortlist"]] == ["张**", "赵*"]
    empty = post_form(client, f"/registry/selections/{rnd.id}/notice", {"nomination_id": "0", "text": "", "contact": ""})
    assert empty.status_code == 422  # the schema's reasons, each at its field
    assert 'id="text-error">此项为必填项' in empty.get_data(as_text=True)
    assert 'id="contact-error">此项为必填项' in empty.get_data(as_text=True)
    sent = post_form(client, f"/registry/selections/{rnd.id}/notice",
                     {"nomination_id": str(n1.id), "text": "材料不实", "contact": "13800000000"})
    assert sent.status_code == 302
    assert db.session.execute(select(Objection.text)).scalar() == "材料不实"
    login(client, "hrss")
    assert "材料不实" in client.get(f"/registry/selections/{rnd.id}").get_data(as_text=True)
    client = app.test_client()
    login(client, "e1staff")
    assert "材料不实" not in client.get(f"/registry/selections/{rnd.id}").get_data(as_text=True)


def test_api_round_lifecycle(w, client):
    headers = api_token(client, "hrss")
    body = {"standard": "标准", "quota": 3, "nomination_deadline": "2099-01-01T00:00:00+08:00",
            "review_deadline": "2099-02-01T00:00:00+08:00"}
    assert client.post("/api/v1/selections", headers=headers, json={"standard": "标准"}).status_code == 400
    bad = client.post("/api/v1/selections", headers=headers, json={**body, "standard": "", "quota": 0})
    assert bad.status_code == 422 and {"standard", "quota"} <= set(bad.get_json()["fields"])
    late = client.post("/api/v1/selections", headers=headers, json={**body, "review_deadline": "2098-01-01T00:00:00+08:00"})
    assert late.status_code == 422 and "review_deadline" in late.get_json()["fields"]
    made = client.post("/api/v1/selections", headers=headers, json=body)
    assert made.status_code == 201 and made.get_json()["title"] == "金牌劳动关系协调员"
    round_id = made.get_json()["id"]
    assert made.get_json()["notice_days"] == 5 and made.get_json()["state"] == "draft"
    other = client.post("/api/v1/selections", headers=api_token(client, "e1staff"), json=body)
    assert other.status_code == 403
    assert client.get(f"/api/v1/selections/{round_id}", headers=api_token(client, "hrss_qd")).status_code == 404
    opened = client.post(f"/api/v1/selections/{round_id}/actions", headers=headers, json={"action": "open"})
    assert opened.status_code == 200 and opened.get_json()["state"] == "nominating"
    again = client.post(f"/api/v1/selections/{round_id}/actions", headers=headers, json={"action": "open"})
    assert again.status_code == 409
    staff = api_token(client, "e1staff")
    nominated = client.post(f"/api/v1/selections/{round_id}/nominations", headers=staff,
                            json={"user_id": w["c1"].id, "grounds": "理由"})
    assert nominated.status_code == 201 and nominated.get_json()["snapshot"]["work"]["mediation"] == 1
    dup = client.post(f"/api/v1/selections/{round_id}/nominations", headers=staff,
                      json={"user_id": w["c1"].id, "grounds": "理由"})
    assert dup.status_code == 409


def test_certificate_pdf_and_public_check(w, app, client):
    rnd, n1, _ = _in_notice(w)
    pass_deadline(rnd, "notice_ends_at")
    finalize_by(w["hrss"], rnd.id)
    db.session.commit()
    number = db.session.execute(select(Award.number).where(Award.nomination_id == n1.id)).scalar()
    login(client, "c1")
    pdf = client.get(f"/registry/selections/awards/{number}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.data))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1 and "荣" in text and number in text and "张三丰" in text and "聊城市人社局" in text
    client = app.test_client()
    login(client, "d1")  # another winner may not download someone else's
    assert client.get(f"/registry/selections/awards/{number}.pdf").status_code == 404
    client = app.test_client()
    check = client.get(f"/registry/selections/honors/{number}").get_data(as_text=True)
    assert "证书有效" in check and "张**" in check and "张三丰" not in check
    assert client.get("/registry/selections/honors/RY0000-0000-00").status_code == 404
    login(client, "hrss")
    assert "张三丰" in client.get(f"/registry/people/{w['c1'].id}").get_data(as_text=True)
    record = client.get(f"/registry/people/{w['c1'].id}").get_data(as_text=True)
    assert "金牌劳动关系协调员 · 聊城市人社局" in record


def test_nav_entries(w, app, client):
    rnd = open_round(w)
    login(client, "hrss")
    assert 'href="/registry/selections"' in client.get("/dashboard").get_data(as_text=True)
    client = app.test_client()
    login(client, "e1staff")
    home = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/registry/selections/open"' in home
    assert rnd.title in client.get("/registry/selections/open").get_data(as_text=True)
    client = app.test_client()
    login(client, "qdstaff")
    assert 'href="/registry/selections/open"' not in client.get("/dashboard").get_data(as_text=True)


def test_nomination_page_keeps_errors_in_chinese(w, client):
    rnd = open_round(w)
    login(client, "e1staff")
    url = f"/registry/selections/{rnd.id}/nominate"
    response = post_form(client, url, {"user_id": "0", "grounds": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="user_id-error">请选择被推荐人' in page and 'id="grounds-error">此项为必填项' in page
    response = post_form(client, url, {"user_id": str(w["c1"].id), "grounds": "成效突出"})
    assert response.status_code == 302
    again = post_form(client, url, {"user_id": str(w["c1"].id), "grounds": "成效突出"})
    assert again.status_code == 422 and "已推荐过该人员" in again.get_data(as_text=True)


def _rounds(w, count):
    for _ in range(count):
        rnd = open_round(w)
        nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    db.session.commit()


def test_lists_take_a_constant_number_of_queries(w, client, count_queries):
    login(client, "hrss")
    _rounds(w, 2)
    with count_queries() as few:
        assert client.get("/registry/selections").status_code == 200
    _rounds(w, 6)
    with count_queries() as many:
        assert client.get("/registry/selections").status_code == 200
    assert few.count == many.count



def test_the_round_page_takes_a_constant_number_of_queries(w, client, count_queries):
    """Two nominations, then four: the managers' page (nominations, standings, panel) costs the same."""
    rnd = open_round(w, per_org_limit=3)
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    db.session.commit()
    login(client, "hrss")
    with count_queries() as two:
        assert client.get(f"/registry/selections/{rnd.id}").status_code == 200
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c2"].id, grounds="理由"))
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c3"].id, grounds="理由"))
    appoint_reviewer(w["hrss"], rnd.id, "r3")
    db.session.commit()
    with count_queries() as four:
        assert client.get(f"/registry/selections/{rnd.id}").status_code == 200
    assert two.count == four.count
