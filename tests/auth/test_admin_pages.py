"""User and organization administration pages: scoping, version conflicts, imports, query counts."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from lrc_training.auth.models import Organization, User
from lrc_training.core.models import AuditLog
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number


@pytest.fixture
def admin_client(client):
    make_user("admin", username="root", name="管理员")
    login(client, "root")
    return client


def user_form(**overrides):
    data = {"username": "newbie", "password": NEW_PASSWORD, "name": "周明", "id_number": valid_id_number(seq=77),
            "phone": "13912345678", "organization_id": "0", "roles": ["examiner", "judge"]}
    data.update(overrides)
    return data


def test_admin_creates_user_with_roles_and_organization(admin_client):
    org = make_org("山东省劳动关系协调员职业技能等级认定中心", region_code="370000")
    response = post_form(admin_client, "/admin/users/new", user_form(organization_id=str(org.id)))
    assert response.status_code == 302
    user = db.session.execute(select(User).where(User.username == "newbie")).scalar_one()
    assert user.roles == ["examiner", "judge"] and user.organization_id == org.id
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert user.id_number_masked in page and user.id_number not in page
    assert "138****" not in page and "139****5678" in page


def test_user_form_shows_field_errors(admin_client):
    response = post_form(admin_client, "/admin/users/new", user_form(id_number="123", roles=[]))
    page = response.get_data(as_text=True)
    assert "身份证号应为 18 位" in page
    assert "至少选择一个角色" in page
    assert db.session.execute(select(User).where(User.username == "newbie")).first() is None


def test_stale_edit_is_detected_and_not_saved(admin_client, app):
    target = make_user("trainee", username="target", name="原名")
    form_page = admin_client.get(f"/admin/users/{target.id}/edit")
    assert form_page.status_code == 200
    stale_version = target.version
    data = {"name": "第一次修改", "id_number": target.id_number, "phone": target.phone, "organization_id": "0",
            "roles": ["trainee"], "version": str(stale_version)}
    assert post_form(admin_client, f"/admin/users/{target.id}/edit", data).status_code == 302
    data["name"] = "第二次修改"  # same old version: someone else saved in between
    response = post_form(admin_client, f"/admin/users/{target.id}/edit", data)
    assert "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, target.id).name == "第一次修改"


def test_deactivate_with_reason_is_audited_and_blocks_login(admin_client, app):
    target = make_user("trainee", username="leaver")
    response = post_form(admin_client, f"/admin/users/{target.id}/active", {"act-reason": "离职"},
                         token_from=f"/admin/users/{target.id}/edit")
    assert response.status_code == 302
    assert db.session.get(User, target.id).active is False
    record = db.session.execute(select(AuditLog).where(AuditLog.action == "user.deactivate")).scalar_one()
    assert record.reason == "离职"
    other = app.test_client()
    assert "账号已停用" in post_form(other, "/login", {"username": "leaver", "password": "Passw0rd1"}).get_data(
        as_text=True)


def test_admin_resets_password(admin_client, app):
    target = make_user("trainee", username="forgetful")
    post_form(admin_client, f"/admin/users/{target.id}/password", {"reset-password": "Fresh12345"},
              token_from=f"/admin/users/{target.id}/edit")
    response = login(app.test_client(), "forgetful", "Fresh12345")
    assert response.headers["Location"] == "/dashboard"


def test_org_staff_sees_and_manages_only_their_organization(client):
    mine, other = make_org("聊城高级技工学校", kind="school"), make_org("济南技师学院", kind="school")
    make_user("org_staff", username="staffer", org=mine)
    colleague = make_user("instructor", username="colleague", org=mine)
    stranger = make_user("instructor", username="stranger", org=other)
    login(client, "staffer")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "colleague" in page and "stranger" not in page
    assert client.get(f"/admin/users/{stranger.id}/edit").status_code == 404
    assert client.get(f"/admin/users/{colleague.id}/edit").status_code == 200
    assert client.get("/admin/organizations").status_code == 403
    # staff cannot grant admin
    response = post_form(client, "/admin/users/new", user_form(organization_id=str(mine.id), roles=["admin"]))
    assert response.status_code == 200
    assert db.session.execute(select(User).where(User.username == "newbie")).first() is None


def test_users_list_uses_constant_queries(admin_client, count_queries):
    org = make_org()
    for _ in range(3):
        make_user("trainee", org=org)
    with count_queries() as few:
        admin_client.get("/admin/users")
    for _ in range(25):
        make_user("trainee", org=org)
    with count_queries() as many:
        assert admin_client.get("/admin/users").status_code == 200
    assert many.count == few.count


def test_admin_creates_and_edits_organization_with_region_display(admin_client):
    response = post_form(admin_client, "/admin/organizations/new",
                         {"name": "东昌府区古楼街道劳动关系服务站", "kind": "platform", "region_code": "371502",
                          "active": "y"})
    assert response.status_code == 302
    page = admin_client.get("/admin/organizations").get_data(as_text=True)
    assert "山东省 / 聊城市 / 东昌府区" in page
    bad = post_form(admin_client, "/admin/organizations/new", {"name": "某机构", "kind": "platform",
                                                              "region_code": "991502"})
    assert "前两位不是有效的省级代码" in bad.get_data(as_text=True)
    dup = post_form(admin_client, "/admin/organizations/new",
                    {"name": "东昌府区古楼街道劳动关系服务站", "kind": "platform", "region_code": "371502"})
    assert "机构名称已存在" in dup.get_data(as_text=True)
    assert db.session.query(Organization).count() == 1


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["用户名", "姓名", "身份证号", "手机号", "角色", "所属机构", "初始密码"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _upload(client, data: bytes, name="users.xlsx"):
    return client.post("/admin/users/import", data={
        "csrf_token": csrf_token(client, "/admin/users/import"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def test_import_reports_bad_rows_creates_good_ones_and_is_idempotent(admin_client):
    make_org("聊城高级技工学校", kind="school")
    sheet = _sheet([
        ["li.ming", "李明", valid_id_number(seq=301), "13800000001", "学员", "聊城高级技工学校", "Start#2026ab"],
        ["bad.id", "王五", "371502199001011230", "13800000002", "学员", "", "Start#2026ab"],
        ["bad.role", "赵六", valid_id_number(seq=302), "13800000003", "校长", "", "Start#2026ab"],
        ["no.org", "钱七", valid_id_number(seq=303), "13800000004", "学员", "不存在的机构", ""],
        ["auto.pw", "孙八", valid_id_number(seq=304), "13800000005", "考评员、裁判员", "", ""],
    ]).getvalue()
    page = _upload(admin_client, sheet).get_data(as_text=True)
    assert "第 3 行" in page and "校验码" in page
    assert "第 4 行" in page and "未知角色：校长" in page
    assert "第 5 行" in page and "不存在的机构" in page
    assert "新建 2 人" in page
    created = db.session.execute(select(User).where(User.username == "auto.pw")).scalar_one()
    assert created.roles == ["examiner", "judge"]
    again = _upload(admin_client, sheet).get_data(as_text=True)
    assert "新建 0 人" in again and "已存在跳过 2 人" in again
    assert db.session.query(User).count() == 3  # root + 2


def test_import_refuses_a_file_that_is_not_xlsx(admin_client):
    page = _upload(admin_client, b"not a spreadsheet").get_data(as_text=True)
    assert "无法读取文件" in page
    wrong_ext = _upload(admin_client, b"x", name="users.csv").get_data(as_text=True)
    assert "只支持 .xlsx" in wrong_ext


def test_import_template_downloads_with_headers(admin_client):
    response = admin_client.get("/admin/users/import/template.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in wb.active[1]][:3] == ["用户名", "姓名", "身份证号"]
