"""Registration, sign-in, password change and profile pages."""

from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.factories import NEW_PASSWORD, make_org, make_user, valid_id_number


def register_data(**overrides):
    data = {"name": "陈晓燕", "id_number": valid_id_number("371502", "19950410", 26), "phone": "13863500001",
            "organization_id": "0", "username": "xiaoyan", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    data.update(overrides)
    return data


NEUTRAL_REGISTRATION = "注册申请已提交。若该身份证号此前未注册，账号已开通"


def test_visitor_registers_as_trainee_and_then_signs_in(client):
    org = make_org("聊城华信机械制造有限公司", kind="enterprise", region_code="371502")
    response = post_form(client, "/register", register_data(organization_id=str(org.id)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert NEUTRAL_REGISTRATION in client.get("/login").get_data(as_text=True)
    user = db.session.execute(select(User).where(User.username == "xiaoyan")).scalar_one()
    assert user.roles == ["trainee"] and user.organization_id == org.id
    assert user.password_hash.startswith("$argon2id$")
    assert db.session.execute(select(AuditLog.action)).scalars().all() == ["user.create"]
    login(client, "xiaoyan", NEW_PASSWORD)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "您好，陈晓燕" in page and "学员" in page


def test_registration_errors_are_shown_per_field_in_chinese_and_nothing_is_saved(client):
    bad_id = valid_id_number("371502", "19950410", 26)
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    response = post_form(client, "/register", register_data(id_number=bad_id, phone="123", password="short",
                                                            password_confirm="short"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "身份证号校验码不正确" in page
    assert "手机号应为 11 位" in page
    assert "密码至少 10 位" in page
    assert 'value="陈晓燕"' in page  # entered values are kept
    assert db.session.execute(select(User)).first() is None


def test_a_taken_username_is_reported(client):
    make_user("trainee", username="xiaoyan")
    page = post_form(client, "/register", register_data()).get_data(as_text=True)
    assert "用户名已被使用" in page
    assert db.session.query(User).count() == 1


def test_registering_an_id_number_that_has_an_account_does_not_reveal_it(app, client):
    """Account enumeration: the answer for a registered ID number is the answer for a new one (same redirect, same
    message); nothing is created and the holder is told. Before the fix the page said 该身份证号已注册."""
    existing = make_user("trainee", username="holder")
    taken = post_form(client, "/register", register_data(id_number=existing.id_number, username="prober"))
    fresh_client = app.test_client()
    new = post_form(fresh_client, "/register", register_data(username="newcomer"))
    assert (taken.status_code, taken.headers["Location"]) == (new.status_code, new.headers["Location"]) == (302, "/login")
    taken_page, new_page = client.get("/login").get_data(as_text=True), fresh_client.get("/login").get_data(as_text=True)
    assert NEUTRAL_REGISTRATION in taken_page and NEUTRAL_REGISTRATION in new_page
    assert "该身份证号已注册" not in taken_page
    assert db.session.execute(select(User.username).order_by(User.username)).scalars().all() == ["holder", "newcomer"]
    notes = db.session.execute(select(Notification).where(Notification.user_id == existing.id)).scalars().all()
    assert [n.title for n in notes] == ["有人尝试用您的身份证号注册新账号"]
    assert existing.id_number not in (notes[0].body or "")
    # Both a taken username and a taken ID number: only the username is named.
    both = post_form(app.test_client(), "/register", register_data(id_number=existing.id_number, username="holder"))
    assert "用户名已被使用" in both.get_data(as_text=True) and "身份证号已" not in both.get_data(as_text=True)


def test_overlong_and_empty_fields_get_clear_messages(client):
    response = post_form(client, "/register", register_data(name="", username="x" * 40))
    page = response.get_data(as_text=True)
    assert "此项为必填项" in page
    assert "用户名不能超过 32 位" in page


def test_login_with_safe_next_only(client):
    make_user("trainee", username="amy")
    response = post_form(client, "/login?next=/profile", {"username": "amy", "password": "Passw0rd1"},
                         token_from="/login")
    assert response.headers["Location"] == "/profile"
    client.post("/logout", data={"csrf_token": ""})
    client.get("/")  # new session
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        c2 = client.application.test_client()
        response = post_form(c2, f"/login?next={evil}", {"username": "amy", "password": "Passw0rd1"},
                             token_from="/login")
        assert response.headers["Location"] == "/dashboard"


def test_wrong_password_shows_form_error_and_five_failures_lock_the_username(client):
    make_user("trainee", username="bob")
    for _ in range(5):
        response = post_form(client, "/login", {"username": "bob", "password": "wrong-pass1"})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)
    response = post_form(client, "/login", {"username": "bob", "password": "Passw0rd1"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client):
    make_user("trainee", username="gone", active=False)
    response = post_form(client, "/login", {"username": "gone", "password": "Passw0rd1"})
    assert "账号已停用" in response.get_data(as_text=True)


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile"


def test_profile_shows_full_id_number_to_its_holder(client):
    user = make_user("trainee", username="carl", name="张志强")
    login(client, "carl")
    page = client.get("/profile").get_data(as_text=True)
    assert user.id_number in page
    assert "1990年01月01日" in page


def test_change_password_ends_other_sessions(app, client):
    make_user("trainee", username="dora")
    login(client, "dora")
    other = app.test_client()
    login(other, "dora")
    response = post_form(client, "/password", {"current_password": "Passw0rd1", "new_password": "NewPass456",
                                               "new_password_confirm": "NewPass456"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # this session continues
    assert other.get("/profile").status_code == 302  # the other one is signed out
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"username": "dora", "password": "Passw0rd1"}).status_code == 200
    login(fresh, "dora", "NewPass456")


def test_change_password_rejects_wrong_current_password(client):
    make_user("trainee", username="eve")
    login(client, "eve")
    response = post_form(client, "/password", {"current_password": "nope12345", "new_password": "NewPass456",
                                               "new_password_confirm": "NewPass456"})
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_logout_requires_post_and_ends_session(client):
    make_user("trainee", username="finn")
    login(client, "finn")
    assert client.get("/logout").status_code == 405
    post_form(client, "/logout", {}, token_from="/profile")
    assert client.get("/profile").status_code == 302


def test_session_cookie_is_hardened(client):
    make_user("trainee", username="gail")
    response = login(client, "gail")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_pages(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True)


def test_every_registration_problem_is_shown_in_one_round(client):
    bad_id = valid_id_number("371502", "19950410", 26)
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    page = post_form(client, "/register", register_data(name="", id_number=bad_id, phone="123")).get_data(as_text=True)
    assert "此项为必填项" in page and "校验码" in page and "手机号应为 11 位" in page


def test_tampered_organization_choice_is_not_an_english_error(client):
    page = post_form(client, "/register", register_data(organization_id="abc")).get_data(as_text=True)
    assert "Invalid Choice" not in page
