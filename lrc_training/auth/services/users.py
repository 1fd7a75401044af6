"""User use cases: registration, creation, editing, activation and passwords, with the scoping rules
(admins manage everyone; organization staff manage the people of their own organization)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.loading import get_allowed
from ...core.notifications import notify
from ...extensions import db
from ..models import Organization, User, UserSession
from ..roles import ADMIN, ORG_STAFF, TRAINEE
from .account_links import confirm_new_address
from .sessions import revoke_all_tokens
from .validation import (
    clean_email,
    clean_id_number,
    clean_name,
    clean_password,
    clean_phone,
    clean_roles,
    clean_username,
    collect,
)
from .web_sessions import end_user_sessions


def _optional(rule):
    return lambda value: rule(value) if value not in (None, "") else None


def audit_view(user: User) -> dict:
    """What the audit log keeps of a user: personal data masked."""
    return {
        "username": user.username,
        "name": user.name,
        "id_number": user.id_number_masked,
        "phone": user.phone_masked,
        "roles": user.roles,
        "organization_id": user.organization_id,
        "active": user.active,
    }


# -- scoping -------------------------------------------------------------------

def can_manage_users(actor) -> bool:
    return actor is not None and actor.has_role(ADMIN, ORG_STAFF)


def visible_users(actor) -> Select:
    """Users the actor may see in management lists."""
    stmt = select(User).options(joinedload(User.organization)).order_by(User.id)
    if actor.has_role(ADMIN):
        return stmt
    if actor.has_role(ORG_STAFF) and actor.organization_id:
        return stmt.where(User.organization_id == actor.organization_id)
    return stmt.where(False)


def get_user_for_edit(actor, user_id: int) -> User:
    """The user if the actor may manage them; 404 otherwise (ids outside the scope are not revealed)."""
    return get_allowed(User, user_id, lambda user: _in_scope(actor, user), "用户不存在")


def _in_scope(actor, user: User) -> bool:
    if actor.has_role(ADMIN):
        return True
    return bool(actor.has_role(ORG_STAFF) and actor.organization_id
                and user.organization_id == actor.organization_id and not user.has_role(ADMIN))


def _check_assignment(actor, roles: list[str], organization_id: int | None) -> dict[str, str]:
    """Organization staff may only place people in their own organization and never grant admin
    (403: their role forbids it); an unknown organization is a field error."""
    errors = {}
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        errors["organization_id"] = "机构不存在"
    if actor is None or actor.has_role(ADMIN):
        return errors
    if ADMIN in roles:
        raise Forbidden("只有系统管理员可以授予管理员角色", {"roles": "只有系统管理员可以授予管理员角色"})
    if actor.organization_id is None or organization_id != actor.organization_id:
        raise Forbidden("只能在本机构内创建或调整人员", {"organization_id": "只能在本机构内创建或调整人员"})
    return errors


def _check_unique(username: str | None, id_number: str | None, exclude_id: int | None = None) -> None:
    fields = {}
    if username:
        other = db.session.execute(select(User.id).where(User.username == username)).scalar()
        if other is not None and other != exclude_id:
            fields["username"] = "用户名已被使用"
    if id_number:
        other = db.session.execute(select(User.id).where(User.id_number == id_number)).scalar()
        if other is not None and other != exclude_id:
            fields["id_number"] = "该身份证号已注册"
    if fields:
        raise Conflict("、".join(fields.values()), fields, code="duplicate")


# -- use cases -----------------------------------------------------------------

def create_user(actor, *, username: str, password: str, name: str, id_number: str | None = None,
                phone: str | None = None, roles=(TRAINEE,), organization_id: int | None = None,
                require_identity: bool = True) -> User:
    """Create an account. `actor` None means the person registers themself (or the CLI acts)."""
    if actor is not None and not can_manage_users(actor):
        raise Forbidden("无权创建用户")
    id_rule = clean_id_number if require_identity else _optional(clean_id_number)
    phone_rule = clean_phone if require_identity else _optional(clean_phone)
    clean, errors = collect({
        "username": (clean_username, username),
        "password": (lambda value: clean_password(value, username=username, id_number=id_number), password),
        "name": (clean_name, name),
        "id_number": (id_rule, id_number),
        "phone": (phone_rule, phone),
        "roles": (clean_roles, roles),
    })
    if actor is not None and organization_id is None and not actor.has_role(ADMIN):
        organization_id = actor.organization_id
    errors.update(_check_assignment(actor, clean.get("roles", []), organization_id))
    if errors:
        raise ValidationFailed("输入有误：" + "；".join(errors.values()), errors)
    _check_unique(clean["username"], clean["id_number"])
    user = User(username=clean["username"], name=clean["name"], id_number=clean["id_number"],
                phone=clean["phone"], organization_id=organization_id, active=True)
    user.set_password(clean["password"])
    user.set_roles(clean["roles"])
    db.session.add(user)
    db.session.flush()
    record_audit("user.create", "user", user.id, new=audit_view(user),
                 actor_id=actor.id if actor is not None else user.id)
    return user


def register_trainee(*, username: str, password: str, name: str, id_number: str, phone: str,
                     email: str | None = None, organization_id: int | None = None) -> User | None:
    """A visitor registers themself. Returns the new account, or None when the ID number already has one: then
    nothing is created, the holder is told someone tried, and the caller answers exactly as for a new account,
    so the form cannot be used to find out whether a person is registered. (Usernames are not personal data:
    a taken one is still reported.) An email address gets a confirmation link first (confirm_new_address); only a
    registrant may pick an active organization."""
    try:
        address = clean_email(email or "")
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"email": str(exc)}) from None
    if organization_id is not None and not db.session.execute(select(Organization.id).where(
            Organization.id == organization_id, Organization.active.is_(True))).scalar():
        raise ValidationFailed("机构不存在", {"organization_id": "机构不存在"})
    try:
        user = create_user(None, username=username, password=password, name=name, id_number=id_number,
                           phone=phone, roles=[TRAINEE], organization_id=organization_id)
    except Conflict as exc:
        if "id_number" not in exc.fields:
            raise
        if "username" in exc.fields:
            raise Conflict(exc.fields["username"], {"username": exc.fields["username"]}, code="duplicate") from None
    else:
        if address:
            confirm_new_address(user, address)
        return user
    User(username="-", name="-").set_password(password)  # the same work as a real registration: no timing tell
    holder = db.session.execute(select(User).where(User.id_number == clean_id_number(id_number))).scalar_one()
    notify(holder.id, "有人尝试用您的身份证号注册新账号",
           "平台收到一份使用您身份证号的注册申请，未创建新账号。若是您本人，请直接使用原账号登录"
           "（忘记密码可在登录页点击“忘记密码”通过邮箱重置，或联系所在机构、平台管理员）；若不是您本人，请联系平台管理员。",
           link=None, kind="general")
    record_audit("user.register_refused", "user", holder.id, new={"username_tried": (username or "").strip()[:32]},
                 reason="身份证号已注册", actor_id=None)
    return None


def update_user(actor, user: User, *, version: int, name: str, id_number: str | None, phone: str | None,
                roles, organization_id: int | None) -> User:
    """Edit a user's profile, roles and organization. A stale `version` means someone else saved first."""
    if not _in_scope(actor, user):
        raise NotFound("用户不存在")
    if version != user.version:
        raise Conflict("该用户信息已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    clean, errors = collect({
        "name": (clean_name, name),
        "id_number": (_optional(clean_id_number), id_number),
        "phone": (_optional(clean_phone), phone),
        "roles": (clean_roles, roles),
    })
    errors.update(_check_assignment(actor, clean.get("roles", []), organization_id))
    if user.id == actor.id and ADMIN in user.roles and ADMIN not in clean.get("roles", [ADMIN]):
        errors["roles"] = "不能移除自己的管理员角色"
    if errors:
        raise ValidationFailed("输入有误：" + "；".join(errors.values()), errors)
    _check_unique(None, clean["id_number"], exclude_id=user.id)
    old = audit_view(user)
    user.name, user.id_number, user.phone = clean["name"], clean["id_number"], clean["phone"]
    user.organization_id = organization_id
    user.set_roles(clean["roles"])
    db.session.flush()
    record_audit("user.update", "user", user.id, old=old, new=audit_view(user))
    return user


def set_user_active(actor, user: User, active: bool, reason: str | None = None) -> User:
    if not _in_scope(actor, user):
        raise NotFound("用户不存在")
    if user.id == actor.id and not active:
        raise ValidationFailed("不能停用自己的账号", {"active": "不能停用自己的账号"})
    if user.active == active:
        return user
    user.active = active
    if not active:
        revoke_all_tokens(user)
        end_user_sessions(user, "deactivated")
    db.session.flush()
    record_audit("user.activate" if active else "user.deactivate", "user", user.id,
                 old={"active": not active}, new={"active": active}, reason=reason)
    return user


def reset_password(actor, user: User, new_password: str) -> None:
    if not _in_scope(actor, user):
        raise NotFound("用户不存在")
    try:
        password = clean_password(new_password, username=user.username, id_number=user.id_number)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"password": str(exc)}) from None
    user.set_password(password)
    revoke_all_tokens(user)
    end_user_sessions(user, "reset")
    db.session.flush()
    record_audit("user.reset_password", "user", user.id)


def change_password(user: User, current_password: str, new_password: str,
                    keep_session: UserSession | None = None) -> None:
    """Change one's own password; every other sign-in (and every API token) ends, `keep_session` stays."""
    if not user.check_password(current_password or ""):
        raise ValidationFailed("当前密码不正确", {"current_password": "当前密码不正确"})
    try:
        password = clean_password(new_password, username=user.username, id_number=user.id_number)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"new_password": str(exc)}) from None
    if user.check_password(password):
        raise ValidationFailed("新密码不能与当前密码相同", {"new_password": "新密码不能与当前密码相同"})
    user.set_password(password)
    revoke_all_tokens(user)
    end_user_sessions(user, "password", keep=keep_session)
    db.session.flush()
    record_audit("user.change_password", "user", user.id, actor_id=user.id)
