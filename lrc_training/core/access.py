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
from flask.ctx import _AppCtxGlobals
from flask_login import current_user

from .accounts import accounts
from .errors import DomainError, Forbidden

POLICY_ATTR = "_access_policy"
FAST_PATH_ATTR = "_api_fast_path"


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


@dataclass(frozen=True)
class ApiIdentity:
    """Who an API request is from, read in one statement without loading ORM objects: enough for the access
    check and for hot paths such as autosave. `g.api_user` (the User) and `g.api_token` (the ApiToken) are
    loaded from it only when a view touches them (see RequestGlobals)."""

    user_id: int
    token_id: int
    roles: frozenset[str]

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)


def bearer_token_hash() -> str | None:
    """The SHA-256 of a well-formed `Authorization: Bearer <token>`, else None (no error: for fast paths)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return hash_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None


def _identity_from_bearer_token() -> ApiIdentity | None:
    """Resolve `Authorization: Bearer <token>`; None when absent; raise ApiAuthError when invalid."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiAuthError("认证信息格式不正确，请使用 Bearer 令牌", code="invalid_token")
    # Every API request pays this check: one statement, plain values (auth answers it, core/accounts.py).
    record = accounts().token_record(hash_token(token.strip()))
    if record is None or record.revoked_at is not None or record.expires_at <= datetime.now(UTC) or not record.user_active:
        raise ApiAuthError("令牌无效、已过期或已被撤销，请重新登录", code="invalid_token")
    return ApiIdentity(user_id=record.user_id, token_id=record.token_id, roles=record.roles)


def _load_api_user(identity: ApiIdentity):
    return accounts().load_user(identity.user_id)


def _load_api_token(identity: ApiIdentity):
    return accounts().load_token(identity.token_id)


class RequestGlobals(_AppCtxGlobals):
    """Flask's `g`, where `g.api_user` and `g.api_token` of an authenticated API request are loaded on first
    use from `g.api_identity`: the access check needs neither, and the autosave path never loads them."""

    _lazy = {"api_user": _load_api_user, "api_token": _load_api_token}

    def __getattr__(self, name: str):
        loader = RequestGlobals._lazy.get(name)
        identity = self.__dict__.get("api_identity")
        if loader is None or identity is None:
            raise AttributeError(name)
        value = loader(identity)
        self.__dict__[name] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.__dict__:
            return self.__dict__[name]
        try:
            return self.__getattr__(name)
        except AttributeError:
            return default

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__ or (item in RequestGlobals._lazy and "api_identity" in self.__dict__)


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

        fast = getattr(view, FAST_PATH_ATTR, None)

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if fast is not None and policy.kind == "roles" and is_api_request():
                answer = fast(policy.roles, *args, **kwargs)
                if answer is not None:
                    return answer
            if is_api_request():
                try:
                    identity = _identity_from_bearer_token()
                except ApiAuthError:
                    if policy.kind != "public":
                        raise
                    # A client still sending its expired token must be able to sign in again.
                    identity = None
                if identity is None:
                    g.api_user = None
                else:
                    g.api_identity = identity  # g.api_user loads from it when a view asks
                if policy.kind != "public" and identity is None:
                    raise ApiAuthError("请先登录：缺少访问令牌")
                if policy.kind == "roles" and not identity.has_role(*policy.roles):
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


def api_fast_path(handler: Callable) -> Callable:
    """Give an API view a fast path for its common case (under roles_required): `handler(roles, **kwargs)` runs
    first and either answers the request itself — having checked the bearer token and that its user holds one of
    `roles`, typically inside its one SQL statement — or returns None, and the normal path (this module's check,
    then the view) answers, with its errors. Used where every millisecond counts (autosave)."""

    def decorator(view: Callable) -> Callable:
        setattr(view, FAST_PATH_ATTR, handler)
        return view

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
