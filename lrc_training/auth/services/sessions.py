"""Signing in: password checks with throttling, and API bearer tokens with expiry and revocation."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, has_request_context, request, url_for
from sqlalchemy import select

from ...core.access import hash_token
from ...core.audit import record_audit
from ...core.errors import DomainError
from ...core.notifications import notify
from ...core.throttle import check_login_allowed, clear_login_failures, record_login_failure
from ...core.timeutil import format_local
from ...db import utcnow
from ...extensions import db
from ..models import ApiToken, User, UserSession
from .web_sessions import end_session, end_user_sessions, mask_address


class BadCredentials(DomainError):
    status = 401
    code = "bad_credentials"


@cache
def _dummy_user() -> User:
    """A user with a real hash, checked when the username does not exist so timing does not reveal it."""
    dummy = User(username="-", name="-")
    dummy.set_password(secrets.token_hex(16))
    return dummy


def authenticate(username: str, password: str, address: str | None) -> User:
    """The active user with these credentials. Raises LoginThrottled or BadCredentials.

    Failures and the lock they cause go to the audit log (the attempted username and the address, never the
    password) and a lock notifies the account's owner; the caller commits on failure too."""
    username = (username or "").strip()
    check_login_allowed(username, address)
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    valid = (user or _dummy_user()).check_password(password or "")
    if user is None or not valid or not user.active:
        inactive = user is not None and valid and not user.active
        locked = record_login_failure(username, address)
        record_audit("auth.login_failed", "user", user.id if user else None,
                     new={"username": username[:32], "reason": "inactive" if inactive else "bad_credentials"},
                     actor_id=None)
        if locked:
            _account_locked(user, username)
        raise BadCredentials("账号已停用，请联系管理员" if inactive else "用户名或密码错误")
    clear_login_failures(username)
    return user


def _account_locked(user: User | None, username: str) -> None:
    minutes = current_app.config["LRC_LOGIN_LOCK_MINUTES"]
    record_audit("auth.account_locked", "user", user.id if user else None,
                 new={"username": username[:32], "minutes": minutes}, actor_id=None)
    if user is not None:
        notify(user.id, "您的账号因多次密码错误已被暂时锁定",
               f"有人连续 {current_app.config['LRC_LOGIN_MAX_FAILURES']} 次用错误的密码登录您的账号"
               f"（最近一次来自 {mask_address(request.remote_addr if has_request_context() else None)}，"
               f"{format_local(utcnow())}），账号已锁定 {minutes} 分钟。"
               "如果不是您本人，请在解锁后修改密码，并在“登录设备”页面退出不认识的设备。",
               link=url_for("auth.sessions") if has_request_context() else None, kind="general")


def record_sign_in(user: User, channel: str) -> None:
    """Audit a successful sign-in (`channel`: "web" or "api")."""
    row = user.login_session
    record_audit("auth.login", "user", user.id,
                 new={"channel": channel, **({"session": row.id, "remember": row.remember_until is not None}
                                             if row is not None and channel == "web" else {})},
                 actor_id=user.id)


def issue_token(user: User, address: str | None) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        token_hash=hash_token(token),
        expires_at=utcnow() + timedelta(hours=current_app.config["LRC_TOKEN_HOURS"]),
        created_from=address,
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def revoke_token(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()


def revoke_all_tokens(user: User) -> None:
    now = utcnow()
    for token in db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalars():
        token.revoked_at = now


# -- ending one's own sign-ins (登录设备) ----------------------------------------------------------------------------

def end_own_sign_in(user: User, row: UserSession | None, reason: str) -> None:
    """Sign out the device of `row` (the current one, or none): its record ends, so copies of its cookies stop
    working. The caller forgets the cookies (flask_login.logout_user)."""
    if row is not None:
        end_session(row, reason)
    record_audit("auth.logout", "user", user.id, new={"session": row.id if row else None, "reason": reason},
                 actor_id=user.id)


def end_other_sign_in(user: User, row: UserSession) -> None:
    """Sign out another device of one's own."""
    end_session(row, "signed_out")
    record_audit("auth.sessions_ended", "user", user.id, new={"sessions": [row.id], "scope": "one"}, actor_id=user.id)


def end_other_sign_ins(user: User, scope: str) -> int:
    """End every other sign-in of `user` and revoke their API tokens (scope "others", or "all" when the caller
    signs this device out too); returns how many sign-ins ended."""
    ended = end_user_sessions(user, "signed_out", keep=user.login_session)
    revoke_all_tokens(user)
    record_audit("auth.sessions_ended", "user", user.id, new={"count": ended, "scope": scope}, actor_id=user.id)
    return ended
