"""The auth pages' forms are parsed by the schemas in auth/schemas/inputs.py: each limit is written once (the
column lengths in models.py), every reason is Chinese and shows at its field, and the rules run in one round."""

import io

from PIL import Image
from sqlalchemy import select

from lrc_training.auth.models import NAME_MAX, USERNAME_MAX, Organization, PersonPhoto, User
from lrc_training.auth.queries import users_matching
from lrc_training.auth.schemas import NewUserFormIn, UserQuery
from lrc_training.auth.services.photos import upload_photo
from lrc_training.extensions import db
from tests.auth.test_pages import register_data
from tests.conftest import login, post_form
from tests.factories import make_org, make_user


def test_registration_shows_the_schemas_chinese_reasons_at_their_fields(client):
    page = post_form(client, "/register", register_data(
        name="张" * (NAME_MAX + 1), email="not-an-address", password_confirm="something-else1")).get_data(as_text=True)
    assert f"姓名不能超过 {NAME_MAX} 个字符" in page
    assert "邮箱地址格式不正确" in page  # the field rule, in the same round as the limits
    assert "两次输入的密码不一致" in page
    assert f'maxlength="{USERNAME_MAX}"' in page  # the input's hint comes from the same declaration
    assert db.session.execute(select(User)).first() is None


def test_the_new_user_page_names_a_missing_password_in_its_own_words(client):
    make_user("admin", username="root")
    login(client, "root")
    page = post_form(client, "/admin/users/new", {"username": "newbie", "name": "周明", "organization_id": "0",
                                                  "roles": ["trainee"]}).get_data(as_text=True)
    assert "请设置初始密码" in page
    assert NewUserFormIn.model_fields["password"].title == "初始密码"


def test_an_organizations_headcount_outside_its_range_is_named(client):
    make_user("admin", username="root")
    login(client, "root")
    response = post_form(client, "/admin/organizations/new", {
        "name": "聊城新材料有限公司", "kind": "enterprise", "region_code": "371502", "employees": "-5"})
    assert response.status_code == 200
    assert "职工人数应在 0 到 10000000 之间" in response.get_data(as_text=True)
    assert db.session.execute(select(Organization)).first() is None


def test_a_bad_user_list_filter_is_named_and_the_others_still_apply(client):
    root = make_user("admin", username="root")
    make_user("trainee", username="amy", name="艾米")
    make_user("examiner", username="bob", name="鲍勃")
    login(client, "root")
    page = client.get("/admin/users?role=wizard&q=amy").get_data(as_text=True)
    assert "已忽略无效的筛选条件：角色" in page
    assert "艾米" in page and "鲍勃" not in page
    examiners = db.session.execute(users_matching(root, UserQuery(role="examiner"))).scalars().all()
    assert [user.username for user in examiners] == ["bob"]


def test_forgot_password_without_an_identifier_stays_on_the_form(client):
    response = post_form(client, "/forgot-password", {"identifier": ""})
    assert response.status_code == 200 and "此项为必填项" in response.get_data(as_text=True)


def test_a_too_long_rejection_reason_is_refused_at_its_field(client):
    org = make_org("聊城高级技工学校", kind="school")
    trainee = make_user("trainee", username="trainee", name="陈晓燕", org=org)
    make_user("org_staff", username="staff", org=org)
    buffer = io.BytesIO()
    Image.new("RGB", (800, 1000), (30, 120, 200)).save(buffer, "JPEG")
    photo = upload_photo(trainee, trainee, buffer.getvalue())
    db.session.commit()
    login(client, "staff")
    response = post_form(client, f"/account/photos/{photo.id}/review",
                         {f"p{photo.id}-decision": "reject", f"p{photo.id}-reason": "字" * 201},
                         token_from="/account/photos/review")
    assert response.status_code == 422 and "长度不能超过 200 个字符" in response.get_data(as_text=True)
    assert db.session.get(PersonPhoto, photo.id).status == "pending"
