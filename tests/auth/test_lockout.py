"""Wrong passwords lock the account, not the address: an exam hall behind one NAT address is not locked out by
one person (or one attacker) failing; an address is locked only at a much higher count, never inside a trusted
network. The owner of a locked account is notified. Sign-in keeps working when the shared limit store is down."""

from __future__ import annotations

import json

from limits.storage import RedisStorage
from sqlalchemy import select

from lrc_training.core import throttle
from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db
from tests.conftest import post_form
from tests.factories import make_user

HALL = "10.20.5.5"
TOKEN = "/api/v1/auth/token"


def web_login(app, username: str, password: str, address: str = HALL):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return post_form(client, "/login", {"username": username, "password": password})


def test_five_failures_on_one_account_do_not_block_another_account_from_the_same_address(app):
    make_user("trainee", username="victim_a")
    make_user("trainee", username="neighbour_b")
    for _ in range(5):
        assert "用户名或密码错误" in web_login(app, "victim_a", "Wrong-guess1").get_data(as_text=True)
    assert web_login(app, "neighbour_b", "Passw0rd1").status_code == 302  # before: 429 for the whole address
    locked = web_login(app, "victim_a", "Passw0rd1", "192.0.2.9")  # the account itself is locked, from anywhere
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)


def test_the_account_lock_notifies_its_owner_and_is_audited(app):
    owner = make_user("trainee", username="owner_a")
    for _ in range(app.config["LRC_LOGIN_MAX_FAILURES"] - 1):
        web_login(app, "owner_a", "Wrong-guess1")
    assert db.session.execute(select(Notification)).first() is None  # not before the lock
    web_login(app, "owner_a", "Wrong-guess1")
    note = db.session.execute(select(Notification).where(Notification.user_id == owner.id)).scalar_one()
    assert "锁定" in note.title
    assert "10.20.5.*" in note.body and HALL not in note.body
    assert note.link == "/account/sessions"
    lock = db.session.execute(select(AuditLog).where(AuditLog.action == "auth.account_locked")).scalar_one()
    assert lock.object_id == str(owner.id) and lock.ip_address == HALL


def test_an_address_in_a_trusted_network_is_never_address_locked(app, monkeypatch):
    make_user("trainee", username="examinee")
    monkeypatch.setitem(app.config, "LRC_TRUSTED_NETWORKS", "10.20.0.0/16, 192.168.8.0/24")
    monkeypatch.setitem(app.config, "LRC_LOGIN_MAX_FAILURES_PER_ADDRESS", 6)
    for n in range(12):  # twelve different people mistyping in the exam hall
        web_login(app, f"someone{n}", "Wrong-guess1", HALL)
    assert web_login(app, "examinee", "Passw0rd1", HALL).status_code == 302
    for n in range(6):  # the same from an ordinary address: password spraying, locked at the address threshold
        web_login(app, f"someone{n}", "Wrong-guess1", "198.51.100.7")
    assert web_login(app, "examinee", "Passw0rd1", "198.51.100.7").status_code == 429


def test_the_api_token_endpoint_locks_the_account_with_429_and_retry_after(app, client):
    make_user("trainee", username="api_victim")
    make_user("trainee", username="api_neighbour")
    for _ in range(5):
        assert client.post(TOKEN, json={"username": "api_victim", "password": "Wrong-guess1"},
                           environ_base={"REMOTE_ADDR": HALL}).status_code == 401
    response = client.post(TOKEN, json={"username": "api_victim", "password": "Passw0rd1"},
                           environ_base={"REMOTE_ADDR": HALL})
    assert response.status_code == 429 and response.get_json()["error"] == "throttled"
    assert 0 < int(response.headers["Retry-After"]) <= app.config["LRC_LOGIN_LOCK_MINUTES"] * 60
    assert client.post(TOKEN, json={"username": "api_neighbour", "password": "Passw0rd1"},
                       environ_base={"REMOTE_ADDR": HALL}).status_code == 200


def test_sign_in_works_and_stays_limited_when_the_redis_store_is_unreachable(app, client, monkeypatch):
    make_user("trainee", username="redis_down")
    unreachable = RedisStorage("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setattr(throttle, "_primary_storage", lambda: unreachable)
    throttle._fallback_storage.reset()
    assert client.post(TOKEN, json={"username": "redis_down", "password": "Passw0rd1"}).status_code == 200
    for _ in range(5):
        assert client.post(TOKEN, json={"username": "redis_down", "password": "Wrong-guess1"}).status_code == 401
    assert client.post(TOKEN, json={"username": "redis_down", "password": "Passw0rd1"}).status_code == 429
    throttle._fallback_storage.reset()


def test_sign_ins_failures_and_sign_outs_are_audited_without_the_password(app, client):
    user = make_user("trainee", username="audited")
    client.environ_base["REMOTE_ADDR"] = HALL
    post_form(client, "/login", {"username": "audited", "password": "Secret-typo-42"})
    post_form(client, "/login", {"username": "nobody_here", "password": "Secret-typo-43"})
    assert post_form(client, "/login", {"username": "audited", "password": "Passw0rd1"}).status_code == 302
    post_form(client, "/logout", {}, token_from="/profile")
    client.post(TOKEN, json={"username": "audited", "password": "Passw0rd1"})
    rows = db.session.execute(select(AuditLog).order_by(AuditLog.id)).scalars().all()
    assert [r.action for r in rows] == ["auth.login_failed", "auth.login_failed", "auth.login", "auth.logout",
                                       "auth.login"]
    failed, unknown, signed_in, signed_out, api = rows
    assert failed.object_id == str(user.id) and failed.new["username"] == "audited" and failed.actor_id is None
    assert unknown.object_id is None and unknown.new["username"] == "nobody_here"
    assert all(r.ip_address == HALL for r in rows[:4])
    assert signed_in.actor_id == user.id and signed_in.new["channel"] == "web"
    assert signed_out.actor_id == user.id and signed_out.new["reason"] == "logout"
    assert api.new["channel"] == "api"
    everything = json.dumps([[r.old, r.new, r.reason] for r in rows], ensure_ascii=False)
    assert "Secret-typo" not in everything and "Passw0rd1" not in everything
