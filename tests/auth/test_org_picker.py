"""The organization picker's lookup: public (registration needs it), names and region names only, one short page,
rate limited; and the user admin form's search-then-choose."""

from __future__ import annotations

from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.auth.views.org_picker import PAGE_SIZE
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import make_org, make_user, valid_id_number


def lookup(client, q: str, **params):
    return client.get("/organizations/lookup", query_string={"q": q, **params})


def test_anyone_finds_organizations_by_name_or_region_and_sees_nothing_else(app, client):
    liaocheng = make_org("东昌府区人力资源和社会保障局", kind="hrss", region_code="371502")
    make_org("历下区人力资源和社会保障局", kind="hrss", region_code="370102")
    member = make_user("trainee", username="member_x", name="秘密姓名", org=liaocheng)
    response = lookup(client, "聊城 人力资源")
    body = response.get_json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert body["items"] == [{"id": liaocheng.id, "name": "东昌府区人力资源和社会保障局",
                              "region": "山东省 / 聊城市 / 东昌府区"}]
    assert body["has_more"] is False and body["page"] == 1
    raw = response.get_data(as_text=True)
    for secret in (member.name, member.username, member.phone, member.id_number, "hrss", "371502"):
        assert secret not in raw
    assert [i["name"] for i in lookup(client, "济南 历下").get_json()["items"]] == ["历下区人力资源和社会保障局"]


def test_only_active_organizations_and_escaped_wildcards(app, client):
    closed = make_org("停办的培训学校")
    closed.active = False
    make_org("100%_培训学校")
    db.session.commit()
    assert lookup(client, "培训学校").get_json()["items"][0]["name"] == "100%_培训学校"
    assert len(lookup(client, "培训学校").get_json()["items"]) == 1
    assert lookup(client, "%").get_json()["items"][0]["name"] == "100%_培训学校"
    assert lookup(client, "_").get_json()["items"][0]["name"] == "100%_培训学校"


def test_results_come_a_page_at_a_time_within_limits(app, client):
    for n in range(PAGE_SIZE + 5):
        make_org(f"聊城第{n:02d}职业培训学校", kind="school")
    first = lookup(client, "职业培训").get_json()
    assert len(first["items"]) == PAGE_SIZE and first["has_more"] is True
    second = lookup(client, "职业培训", page="2").get_json()
    assert len(second["items"]) == 5 and second["has_more"] is False
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    for bad in ("0", "-1", "abc", "²", "99999999999"):
        assert lookup(client, "职业培训", page=bad).status_code == 200
    assert lookup(client, "").get_json()["items"] == []
    assert lookup(client, "x" * 5000).status_code == 200


def test_the_lookup_is_rate_limited(app, client):
    statuses = [lookup(client, "培训").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_an_admin_places_a_user_by_searching_without_javascript(app, client):
    make_user("admin", username="boss")
    target = make_org("聊城市总工会", kind="union", region_code="371500")
    make_org("济南市总工会", kind="union", region_code="370100")
    login(client, "boss")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'data-search-url="/organizations/lookup"' in page and "combobox.js" in page
    data = {"username": "placed", "password": "Peixun#2026ok", "name": "王五", "roles": ["trainee"],
            "id_number": valid_id_number(seq=77)}
    search = post_form(client, "/admin/users/new", {**data, "organization_q": "总工会", "org_search": "1"},
                       token_from="/admin/users/new").get_data(as_text=True)
    assert "找到 2 个单位" in search and "聊城市总工会" in search
    assert db.session.execute(select(User).where(User.username == "placed")).scalar_one_or_none() is None
    post_form(client, "/admin/users/new", {**data, "organization_q": "总工会", "organization_id": str(target.id)},
              token_from="/admin/users/new")
    user = db.session.execute(select(User).where(User.username == "placed")).scalar_one()
    assert user.organization_id == target.id
    edit = client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'value="聊城市总工会"' in edit


def test_organization_staff_keep_their_own_organization_only(app, client):
    org = make_org("聊城市技工学校", kind="school")
    make_user("org_staff", username="clerk", org=org)
    login(client, "clerk")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'name="organization_q"' not in page
    assert "聊城市技工学校" in page


def test_organization_staff_create_people_in_their_own_organization(app, client):
    org = make_org("聊城市技工学校", kind="school")
    make_user("org_staff", username="clerk2", org=org)
    login(client, "clerk2")
    post_form(client, "/admin/users/new", {"username": "pupil", "password": "Peixun#2026ok", "name": "赵六",
                                           "roles": ["trainee"], "organization_id": str(org.id)})
    assert db.session.execute(select(User.organization_id).where(User.username == "pupil")).scalar_one() == org.id
