"""One password policy for every password being set, with Chinese field errors on every path; and the user edit
form that no longer sends the full ID number to the browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.auth.models import User
from lrc_training.auth.services.validation import clean_password
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.factories import NEW_PASSWORD, make_user, valid_id_number

ID = valid_id_number("371502", "19950410", 26)


@pytest.mark.parametrize(("password", "reason"), [
    ("Passw0rd1", "至少 10 位"),  # the old rule's favourite
    ("abcdefghijkl", "一类字符"),
    ("123456789012", "一类字符"),
    ("qwertyuiop", "一类字符"),
    ("1qaz2wsx3edc", "过于常见"),
    ("Password2026!", "过于常见"),
    ("aaaaaaaaaaA1", "过于简单"),
    ("xiaoyan#2026", "用户名"),
    (f"Lc{ID[-6:]}abcd", "身份证号"),  # ID number's last six digits: China's favourite default password
    (f"Birth{ID[6:14]}x", "身份证号"),
    ("A1" + "x" * 127, "128"),
])
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(ValueError, match=reason):
        clean_password(password, username="xiaoyan", id_number=ID)


def test_a_good_password_passes():
    assert clean_password(NEW_PASSWORD, username="xiaoyan", id_number=ID) == NEW_PASSWORD
    assert clean_password("长城永不倒-abcde", username="xiaoyan") == "长城永不倒-abcde"


def test_registration_refuses_a_weak_password_in_chinese(client):
    data = {"name": "陈晓燕", "id_number": ID, "phone": "13863500001", "organization_id": "0",
            "username": "xiaoyan", "password": "xiaoyan2026", "password_confirm": "xiaoyan2026"}
    page = post_form(client, "/register", data).get_data(as_text=True)
    assert "密码不能包含用户名" in page
    assert db.session.execute(select(User)).first() is None


def test_password_change_refuses_a_weak_password(client):
    make_user("trainee", username="changer")
    login(client, "changer")
    page = post_form(client, "/password", {"current_password": "Passw0rd1", "new_password": "Password2026!",
                                           "new_password_confirm": "Password2026!"}).get_data(as_text=True)
    assert "密码过于常见" in page
    assert db.session.execute(select(User)).scalar_one().check_password("Passw0rd1")


def test_admin_create_and_reset_refuse_weak_passwords(client):
    make_user("admin", username="root")
    target = make_user("trainee", username="target")
    login(client, "root")
    page = post_form(client, "/admin/users/new", {
        "username": "newbie", "password": "Short1", "name": "周明", "organization_id": "0",
        "roles": ["trainee"]}).get_data(as_text=True)
    assert "密码至少 10 位" in page
    reset = post_form(client, f"/admin/users/{target.id}/password", {"reset-password": "target-2026"},
                      token_from=f"/admin/users/{target.id}/edit", follow_redirects=True)
    assert "密码不能包含用户名" in reset.get_data(as_text=True)
    assert db.session.get(User, target.id).check_password("Passw0rd1")


def test_api_user_creation_refuses_a_weak_password_naming_the_field(client):
    make_user("admin", username="api_root")
    response = client.post("/api/v1/users", headers=api_token(client, "api_root"), json={
        "username": "api_new", "password": "1234567890", "name": "王五", "id_number": ID, "phone": "13912340000"})
    assert response.status_code == 422
    assert "一类字符" in response.get_json()["fields"]["password"]


def test_signing_in_with_an_existing_password_is_not_judged_by_the_policy(client):
    make_user("trainee", username="veteran")  # "Passw0rd1", set before the policy
    response = login(client, "veteran")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")


def test_the_user_edit_form_shows_the_id_number_masked_and_keeps_it_when_left_empty(client):
    make_user("admin", username="editor")
    target = make_user("trainee", username="edited", name="原名")
    login(client, "editor")
    page = client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert target.id_number not in page  # before: the input was pre-filled with the full number
    assert target.id_number_masked in page
    data = {"name": "新名字", "id_number": "", "phone": target.phone, "organization_id": "0",
            "roles": ["trainee"], "version": str(target.version)}
    assert post_form(client, f"/admin/users/{target.id}/edit", data).status_code == 302
    db.session.expire_all()
    kept = db.session.get(User, target.id)
    assert kept.name == "新名字" and kept.id_number == target.id_number
    new_number = valid_id_number("370102", "19880808", 321)
    data.update(id_number=new_number, version=str(kept.version))
    assert post_form(client, f"/admin/users/{target.id}/edit", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).id_number == new_number
