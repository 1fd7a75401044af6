"""The one access mechanism: every view declares a policy with one of these decorators.

Pages redirect anonymous visitors to the login page (with a safe `next`) and answer 403 for a wrong role;
API endpoints (under /api/) authenticate with a bearer token and answer JSON 401/403. A test walks
`app.url_map` and fails on any view without a declared policy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .errors import DomainError, Forbidden

POLICY_ATTR = "_access_policy"


@dataclass(frozen=True)
class Policy:
    kind: str  # "public" | "authenticated" | "roles"
    roles: tuple[str, ...] = ()

    def describe(self) -> str:
        return self.kind if self.kind != "roles" else "roles:" + ",".join(self.roles)


class ApiAuthError(DomainError):
    status = 401
    code = "unauthorized"


def is_api_request() -> bool:
    return has_request_context() and request.path.startswith("/api/")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user_from_bearer_token():
    """Resolve `Authorization: Bearer <token>`; None when absent; raise ApiAuthError when invalid."""
    from ..auth.models import ApiToken, User

    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiAuthError("认证信息格式不正确，请使用 Bearer 令牌", code="invalid_token")
    # Token, user and roles in one query: every API request pays this check.
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    ).unique().scalar_one_or_none()
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        raise ApiAuthError("令牌无效、已过期或已被撤销，请重新登录", code="invalid_token")
    g.api_token = row
    return row.user


def acting_user():
    """The user behind this request: the token's user for API calls, the session's user for pages."""
    if is_api_request():
        return g.get("api_user")
    return current_user if current_user.is_authenticated else None


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are allowed as redirect targets."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _deny_page(user):
    if user is None:
        path = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=path))
    abort(403)


def _guard(policy: Policy) -> Callable:
    def decorator(view: Callable) -> Callable:
        earlier = policy_of(view)
        if earlier is not None:
            # Two decorators would both run, and the outer one would hide the inner one from the permission test.
            raise TypeError(f"{view.__qualname__} already declares {earlier.describe()}; "
                            f"use exactly one of public, login_required, roles_required")

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if is_api_request():
                try:
                    user = _user_from_bearer_token()
                except ApiAuthError:
                    if policy.kind != "public":
                        raise
                    # A client still sending its expired token must be able to sign in again.
                    user = None
                g.api_user = user
                if policy.kind != "public" and user is None:
                    raise ApiAuthError("请先登录：缺少访问令牌")
                if policy.kind == "roles" and not user.has_role(*policy.roles):
                    raise Forbidden("您的角色无权执行此操作")
            else:
                user = current_user if current_user.is_authenticated else None
                if policy.kind != "public" and user is None:
                    return _deny_page(None)
                if policy.kind == "roles" and not user.has_role(*policy.roles):
                    return _deny_page(user)
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTR, policy)
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    return _guard(Policy("public"))(view)


def login_required(view: Callable) -> Callable:
    """Any signed-in user, whatever the role."""
    return _guard(Policy("authenticated"))(view)


def roles_required(*roles: str) -> Callable:
    """Signed-in users holding at least one of `roles`."""
    return _guard(Policy("roles", tuple(roles)))


def policy_of(view: Callable) -> Policy | None:
    return getattr(view, POLICY_ATTR, None)
