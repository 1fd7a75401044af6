"""Signing in: password checks with throttling, and API bearer tokens with expiry and revocation."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import select

from ..core.access import hash_token
from ..core.errors import DomainError
from ..core.throttle import check_login_allowed, clear_login_failures, record_login_failure
from ..db import utcnow
from ..extensions import db
from .models import ApiToken, User


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
    """The active user with these credentials. Raises LoginThrottled or BadCredentials."""
    username = (username or "").strip()
    check_login_allowed(username, address)
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    valid = (user or _dummy_user()).check_password(password or "")
    if user is None or not valid or not user.active:
        record_login_failure(username, address)
        message = "账号已停用，请联系管理员" if (user is not None and valid and not user.active) else "用户名或密码错误"
        raise BadCredentials(message)
    clear_login_failures(username)
    return user


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
