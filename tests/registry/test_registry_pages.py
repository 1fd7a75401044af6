"""Registry pages: the dashboard drills down inside the caller's scope, the list filters, Excel export, honors."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.extensions import db
from lrc_training.registry.models import Honor
from tests.conftest import login, post_form
from tests.factories import make_org, make_user


def _world():
    city = make_org("聊城市人社局", kind="hrss", region_code="371500")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    company = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    qingdao = make_org("青岛企业丙", kind="enterprise", region_code="370211")
    a = make_user("trainee", username="a", name="陈晓燕", org=company)
    c = make_user("trainee", username="c", name="孙丽娟", org=qingdao)
    for person, level in ((a, 3), (c, 4)):
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=level))
    db.session.commit()
    make_user("org_staff", username="citystaff", org=city)
    return a


def test_dashboard_list_export_and_honor(client):
    person = _world()
    login(client, "citystaff")
    page = client.get("/registry/").get_data(as_text=True)
    assert "东昌府区" in page and "<svg" in page and "协调员总数" in page
    assert client.get("/registry/?region_code=370200").status_code == 403
    county = client.get("/registry/?region_code=371502").get_data(as_text=True)
    assert "山东省 / 聊城市 / 东昌府区" in county
    names = client.get("/registry/list").get_data(as_text=True)
    assert "陈晓燕" in names and "孙丽娟" not in names
    workbook = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data))
    assert workbook["按等级"]["B3"].value == 1  # one level-3 coordinator
    assert [row[0].value for row in workbook["人员名单"].iter_rows(min_row=2)] == ["陈晓燕"]
    post_form(client, "/registry/honors", {"person": "陈晓燕", "title": "技术能手", "granted_by": "聊城市人社局",
                                           "granted_on": "2026-05-01"}, token_from="/registry/list")
    assert db.session.execute(select(Honor.title).where(Honor.user_id == person.id)).scalar() == "技术能手"
    outside = post_form(client, "/registry/honors", {"person": "孙丽娟", "title": "技术能手", "granted_by": "x",
                                                     "granted_on": "2026-05-01"}, token_from="/registry/list",
                        follow_redirects=True)
    assert "在您的管辖范围内没有找到该人员" in outside.get_data(as_text=True)


def test_honor_picker_searches_only_within_scope(client):
    person = _world()
    namesake = make_user("trainee", username="a2", name="陈晓燕",
                         org=make_org("聊城企业乙", kind="enterprise", region_code="371521"))
    login(client, "citystaff")
    found = client.get("/registry/people/search?q=陈").get_json()["items"]
    assert sorted(item["user_id"] for item in found) == sorted([person.id, namesake.id])
    assert all(item["id_number"].count("*") == 10 for item in found)  # masked, never the full number
    assert client.get("/registry/people/search?q=孙丽娟").get_json()["items"] == []  # 青岛: outside the scope
    outsider = db.session.execute(select(User).where(User.username == "c")).scalar_one()
    assert client.get(f"/registry/people/search?q={outsider.id_number}").get_json()["items"] == []
    assert [i["user_id"] for i in client.get(f"/registry/people/search?q={person.id_number}").get_json()["items"]] \
        == [person.id]
    assert client.get(f"/registry/people/search?q={person.id_number[:6]}").get_json()["items"] == []

    # Two people of that name: the form asks to choose; the picker's choice (user_id) decides.
    ask = post_form(client, "/registry/honors", {"person": "陈晓燕", "title": "技术能手", "granted_by": "聊城市人社局",
                                                 "granted_on": "2026-05-01"}, token_from="/registry/list",
                    follow_redirects=True).get_data(as_text=True)
    assert "找到 2 位符合“陈晓燕”的人员" in ask and db.session.execute(select(Honor)).first() is None
    post_form(client, "/registry/honors", {"person": "陈晓燕（…）", "user_id": str(namesake.id), "title": "技术能手",
                                           "granted_by": "聊城市人社局", "granted_on": "2026-05-01"},
              token_from="/registry/list")
    assert db.session.execute(select(Honor.user_id)).scalar_one() == namesake.id
    # A forged user_id outside the scope is ignored (and the typed text then finds nobody there).
    refused = post_form(client, "/registry/honors", {"person": "x", "user_id": str(outsider.id), "title": "技术能手",
                                                     "granted_by": "x", "granted_on": "2026-05-01"},
                        token_from="/registry/list", follow_redirects=True).get_data(as_text=True)
    assert "没有找到该人员" in refused and db.session.execute(select(Honor)).all().__len__() == 1


def test_trend_chart_needs_two_months_of_data():
    from lrc_training.registry.views.dashboard import trend_chart

    def month(m, certificates=0, candidates=0, passed=0):
        return {"month": f"2026-{m:02d}", "certificates": certificates, "completions": 0,
                "exam_candidates": candidates, "exam_passed": passed,
                "pass_rate": passed * 100 / candidates if candidates else None}

    lone = trend_chart([month(m) for m in range(1, 11)] + [month(11, 3, 4, 3), month(12)])
    assert not lone["drawn"] and lone["active_months"] == ["2026-11"]
    two = trend_chart([month(m) for m in range(1, 10)] + [month(10, 1, 2, 1), month(11, 3, 4, 3), month(12)])
    assert two["drawn"] and [label for _, _, label in two["points"]] == ["50%", "75%"]
