"""Sessions that end: each sign-in is a server-side record, and a cookie (the session's or the remember-me one) opens
pages only while its record is open. Every test here plays the attack: a copied or left-behind cookie used after
the sign-in should have ended. Before the records existed each of them got the profile page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lrc_training.auth.models import ApiToken
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.factories import NEW_PASSWORD, make_user

SESSION, REMEMBER = "session", "remember_token"


@pytest.fixture(autouse=True)
def production_idle_limit(app, monkeypatch):
    """The testing config stretches the idle limit for other areas' time travel; here it is the default again."""
    monkeypatch.setitem(app.config, "LRC_IDLE_MINUTES", 30)
CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Safari/537.36")


def sign_in(client, username: str, *, remember: bool = False):
    data = {"username": username, "password": "Passw0rd1"}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/login", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def with_cookie(app, name: str, value: str):
    """Another browser holding only a copy of one cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def signed_in(client) -> bool:
    response = client.get("/profile")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def log_out(client):
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/profile")})
    assert response.status_code == 302


def test_a_copied_session_cookie_stops_working_at_logout(app, client):
    make_user("trainee", username="copied")
    sign_in(client, "copied")
    stolen = cookie(client, SESSION)
    assert signed_in(with_cookie(app, SESSION, stolen))  # the copy works while the sign-in lasts ...
    log_out(client)
    response = with_cookie(app, SESSION, stolen).get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")  # ... not after


def test_the_remember_cookie_alone_does_not_sign_in_after_logout(app, client):
    make_user("trainee", username="remembered")
    sign_in(client, "remembered", remember=True)
    left_behind = cookie(client, REMEMBER)
    assert signed_in(with_cookie(app, REMEMBER, left_behind))
    log_out(client)
    assert not signed_in(with_cookie(app, REMEMBER, left_behind))


def test_the_remember_cookie_is_bounded_and_survives_idle_time_until_then(app, client, time_machine):
    make_user("trainee", username="bounded")
    start = datetime.now(UTC)
    time_machine.move_to(start)
    sign_in(client, "bounded", remember=True)
    kept = cookie(client, REMEMBER)
    expires = client.get_cookie(REMEMBER).expires
    days = app.config["LRC_REMEMBER_DAYS"]
    assert expires is not None and expires.replace(tzinfo=UTC) <= start + timedelta(days=days, minutes=1)
    time_machine.move_to(start + timedelta(days=days) - timedelta(hours=1))  # long idle, but remembered
    assert signed_in(with_cookie(app, REMEMBER, kept))
    time_machine.move_to(start + timedelta(days=days, minutes=1))
    assert not signed_in(with_cookie(app, REMEMBER, kept))  # a cookie kept past its date is refused by the server


def test_changing_the_password_ends_the_other_devices_and_their_remember_cookies(app, client):
    make_user("trainee", username="changer")
    sign_in(client, "changer", remember=True)
    other = app.test_client()
    sign_in(other, "changer", remember=True)
    other_remember = cookie(other, REMEMBER)
    response = post_form(client, "/password", {"current_password": "Passw0rd1", "new_password": NEW_PASSWORD,
                                               "new_password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other)
    assert not signed_in(with_cookie(app, REMEMBER, other_remember))
    assert signed_in(with_cookie(app, REMEMBER, cookie(client, REMEMBER)))  # this device's new cookie works
    from lrc_training.auth.models import UserSession

    reasons = db.session.execute(select(UserSession.end_reason).order_by(UserSession.id)).scalars().all()
    assert reasons == [None, "password"]


def test_an_idle_session_ends_after_the_idle_limit(app, client, time_machine):
    make_user("trainee", username="idler")
    start = datetime.now(UTC)
    time_machine.move_to(start)
    sign_in(client, "idler")
    idle = timedelta(minutes=app.config["LRC_IDLE_MINUTES"])
    time_machine.move_to(start + idle - timedelta(minutes=1))
    assert signed_in(client)  # activity moves the limit on ...
    time_machine.move_to(start + 2 * idle - timedelta(minutes=2))
    assert signed_in(client)
    time_machine.move_to(start + 3 * idle)
    response = client.get("/profile")  # ... and a full idle period without any ends the session
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    from lrc_training.auth.models import UserSession

    assert db.session.execute(select(UserSession.end_reason)).scalar_one() == "idle"


def test_an_open_exam_page_keeps_the_session_alive(app, client, time_machine):
    """The exam page polls its clock (every 60 s) and autosaves answers with the session cookie, through the same
    sign-in record: a candidate who reads longer than the idle limit without typing is not signed out, and the
    answer saved at the end still counts."""
    from lrc_training.exams.models import Attempt
    from lrc_training.exams.services.applications import apply, decide
    from tests.exams.helpers import make_bank, make_session, setup_org

    _org, staff = setup_org()
    make_bank(staff)
    exam = make_session(staff)
    candidate = make_user("trainee", username="candidate")
    decide(staff, apply(candidate, exam.id, work_years=5), True)
    db.session.commit()
    start = datetime.now(UTC)
    time_machine.move_to(start)
    sign_in(client, "candidate")
    assert post_form(client, f"/exams/sessions/{exam.id}/exam", {}).status_code == 302
    attempt = db.session.execute(select(Attempt)).scalar_one()
    page = client.get(f"/exams/sessions/{exam.id}/exam").get_data(as_text=True)
    question_id = int(re.search(r'data-question-id="(\d+)"', page).group(1))
    token = csrf_token(client, f"/exams/sessions/{exam.id}/exam")
    idle = app.config["LRC_IDLE_MINUTES"]
    for minute in range(1, 2 * idle + 10):  # only the page's clock poll, once a minute
        time_machine.move_to(start + timedelta(minutes=minute))
        assert client.get(f"/exams/attempts/{attempt.id}/state").status_code == 200
    response = client.put(f"/exams/attempts/{attempt.id}/responses/{question_id}", json={"response": "A"},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    time_machine.move_to(start + timedelta(minutes=2 * idle + 10 + idle + 1))  # the page closed: the limit applies
    assert not signed_in(client)


def test_sign_out_everywhere_ends_another_clients_session_and_api_tokens(app, client):
    make_user("trainee", username="everywhere")
    sign_in(client, "everywhere")
    phone = app.test_client()
    sign_in(phone, "everywhere", remember=True)
    phone_remember = cookie(phone, REMEMBER)
    headers = api_token(app.test_client(), "everywhere")
    response = post_form(client, "/account/sessions/end-all", {}, token_from="/account/sessions")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not signed_in(client)
    assert not signed_in(phone)
    assert not signed_in(with_cookie(app, REMEMBER, phone_remember))
    assert app.test_client().get("/api/v1/users/me", headers=headers).status_code == 401


def test_sign_out_other_devices_keeps_this_one(app, client):
    make_user("trainee", username="others")
    sign_in(client, "others")
    laptop = app.test_client()
    sign_in(laptop, "others")
    response = post_form(client, "/account/sessions/end-others", {}, token_from="/account/sessions")
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(laptop)


def test_one_device_is_signed_out_from_the_list_and_nobody_else_can_end_it(app, client):
    make_user("trainee", username="owner")
    make_user("trainee", username="stranger")
    sign_in(client, "owner")
    tablet = app.test_client()
    sign_in(tablet, "owner")
    from lrc_training.auth.models import UserSession

    tablet_row = db.session.execute(select(UserSession).order_by(UserSession.id.desc())).scalars().first()
    intruder = app.test_client()
    sign_in(intruder, "stranger")
    assert post_form(intruder, f"/account/sessions/{tablet_row.id}/end", {},
                     token_from="/account/sessions").status_code == 404
    assert signed_in(tablet)
    assert client.post(f"/account/sessions/{tablet_row.id}/end").status_code == 400  # no CSRF token: refused
    assert signed_in(tablet)
    response = post_form(client, f"/account/sessions/{tablet_row.id}/end", {}, token_from="/account/sessions")
    assert response.status_code == 302 and response.headers["Location"] == "/account/sessions"
    assert not signed_in(tablet)
    assert signed_in(client)


def test_the_sessions_page_lists_devices_with_masked_addresses(app, client):
    make_user("trainee", username="lister")
    sign_in(client, "lister")
    office = app.test_client()
    office.environ_base.update({"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": CHROME_WINDOWS})
    sign_in(office, "lister")
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count(">本设备</span>") == 1
    assert "Chrome · Windows" in page and "203.0.113.*" in page and "203.0.113.77" not in page
    assert "退出其他设备" in page and "退出所有设备" in page
    assert 'href="/account/sessions"' in page  # in the account menu


def test_deactivation_ends_the_session_and_the_remember_cookie(app, client):
    make_user("admin", username="boss")
    target = make_user("trainee", username="leaving")
    sign_in(client, "leaving", remember=True)
    kept = cookie(client, REMEMBER)
    admin = app.test_client()
    sign_in(admin, "boss")
    post_form(admin, f"/admin/users/{target.id}/active", {"act-reason": "离职"}, token_from=f"/admin/users/{target.id}/edit")
    assert not signed_in(client)
    assert not signed_in(with_cookie(app, REMEMBER, kept))


def test_an_admin_password_reset_ends_the_users_sessions(app, client):
    make_user("admin", username="resetter")
    target = make_user("trainee", username="forgetful")
    sign_in(client, "forgetful", remember=True)
    kept = cookie(client, REMEMBER)
    admin = app.test_client()
    sign_in(admin, "resetter")
    post_form(admin, f"/admin/users/{target.id}/password", {"reset-password": NEW_PASSWORD},
              token_from=f"/admin/users/{target.id}/edit")
    assert not signed_in(client)
    assert not signed_in(with_cookie(app, REMEMBER, kept))
    login(app.test_client(), "forgetful", NEW_PASSWORD)


def test_a_cookie_without_a_session_record_is_refused(app, client):
    """A session id in the old format (user id and password stamp, no record key) opens nothing."""
    user = make_user("trainee", username="legacy")
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{user.id}:{user.session_stamp}"
        sess["_fresh"] = True
    assert not signed_in(client)


@pytest.mark.parametrize(("address", "shown"), [
    ("203.0.113.77", "203.0.113.*"), ("2001:db8:85a3::8a2e:370:7334", "2001:0db8:85a3:*"), (None, "未知"),
    ("not-an-ip", "未知")])
def test_addresses_are_masked(address, shown):
    from lrc_training.auth.services.web_sessions import mask_address

    assert mask_address(address) == shown


@pytest.mark.parametrize(("agent", "shown"), [
    (CHROME_WINDOWS, "Chrome · Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 "
     "MicroMessenger/8.0.47", "微信 · iPhone"),
    ("python-requests/2.31", "其他客户端"), ("", "未知设备")])
def test_user_agents_are_summarised(agent, shown):
    from lrc_training.auth.services.web_sessions import describe_user_agent

    assert describe_user_agent(agent) == shown


def test_api_tokens_are_listed_as_a_count(app, client):
    make_user("trainee", username="scripted")
    api_token(app.test_client(), "scripted")
    sign_in(client, "scripted")
    assert "另有 1 个有效的 API 令牌" in client.get("/account/sessions").get_data(as_text=True)
    assert db.session.execute(select(ApiToken)).scalars().one().revoked_at is None
