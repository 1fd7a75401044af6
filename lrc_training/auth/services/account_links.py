"""Links sent by email to a person's own address: resetting a forgotten password, and confirming a new email
address before it replaces the old one. Also the contact details a person edits themself (phone, email).

A request only records that a link is wanted; the `auth.account_mail` job (jobs.py) writes the message
and draws the token then, so the page answers in the same time whether or not an account was found and the token
is never stored in clear (only its SHA-256, on the AccountToken row)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from ...core.access import hash_token
from ...core.audit import record_audit
from ...core.errors import NotFound, ValidationFailed
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import AccountToken, User
from .identity import mask_email, mask_phone
from .sessions import revoke_all_tokens
from .validation import clean_email, clean_password, clean_phone
from .web_sessions import end_user_sessions

RESET = "password_reset"
EMAIL_CHANGE = "email_change"
# Where the links point; the routes in views/accounts.py use the same patterns.
RESET_ROUTE = "/forgot-password/<token>"
CONFIRM_EMAIL_ROUTE = "/profile/email/<token>"
LINKS_PER_HOUR = 3  # per account and purpose: a stranger cannot fill someone's mailbox
MAX_ACCOUNTS_PER_ADDRESS = 5  # one address may serve several accounts (a parent, a shared office mailbox)
INVALID_LINK = "链接无效、已使用或已过期，请重新申请"


def link_path(route: str, token: str) -> str:
    return route.replace("<token>", token)


def link_lifetime(purpose: str) -> timedelta:
    if purpose == RESET:
        return timedelta(minutes=current_app.config["LRC_RESET_LINK_MINUTES"])
    return timedelta(hours=current_app.config["LRC_EMAIL_LINK_HOURS"])


def _accounts_named(identifier: str) -> list[User]:
    """The active accounts a username or an email address names (none for anything else)."""
    value = (identifier or "").strip()[:254]
    if "@" not in value:
        stmt = select(User).where(User.username == value)
    else:
        try:
            address = clean_email(value)
        except ValueError:
            return []
        stmt = select(User).where(func.lower(User.email) == (address or "").lower()).order_by(User.id)
    return list(db.session.execute(stmt.where(User.active.is_(True)).limit(MAX_ACCOUNTS_PER_ADDRESS)).scalars())


def _recent_links(user_id: int, purpose: str) -> int:
    return db.session.execute(select(func.count()).where(
        AccountToken.user_id == user_id, AccountToken.purpose == purpose,
        AccountToken.created_at > utcnow() - timedelta(hours=1))).scalar_one()


def _queue_link(user: User, purpose: str, address: str) -> AccountToken | None:
    if _recent_links(user.id, purpose) >= LINKS_PER_HOUR:
        return None
    row = AccountToken(user_id=user.id, purpose=purpose, email=address, created_at=utcnow(),
                       expires_at=utcnow() + link_lifetime(purpose), mail_status="pending", mail_attempts=0)
    db.session.add(row)
    db.session.flush()
    return row


def request_password_reset(identifier: str) -> None:
    """Queue a reset link to each active account the username or email names that has an email address. Says
    nothing to the caller: the page answers the same whether an account exists, has an address, or was limited."""
    for user in _accounts_named(identifier):
        queued = _queue_link(user, RESET, user.email) if user.email else None
        record_audit("auth.password_reset_requested", "user", user.id, actor_id=None,
                     new={"queued": queued is not None,
                          **({} if queued else {"reason": "no_email" if not user.email else "too_many"})})


def load_link(token: str, purpose: str) -> AccountToken | None:
    """The usable link with this token, or None (unknown, used, expired, its account deactivated, or — for a
    reset — the password set again since the link was asked for)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose)).scalar_one_or_none()
    if row is None or not row.usable(utcnow()) or not row.user.active:
        return None
    changed = row.user.password_changed_at
    if purpose == RESET and changed is not None and changed > row.created_at:
        return None
    return row


def _use(row: AccountToken) -> None:
    """Mark the link used; a second request racing with this one finds it used and fails."""
    claimed = db.session.execute(update(AccountToken).where(
        AccountToken.id == row.id, AccountToken.used_at.is_(None)).values(used_at=utcnow())
        .execution_options(synchronize_session="fetch")).rowcount
    if claimed != 1:
        raise NotFound(INVALID_LINK)


def _close_links(user_id: int, purpose: str) -> None:
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session="fetch"))


def reset_password_with_link(token: str, new_password: str) -> User:
    """Set a new password through a reset link: the link and every other open reset link of the account stop
    working, every sign-in and API token ends, and the owner is told."""
    row = load_link(token, RESET)
    if row is None:
        raise NotFound(INVALID_LINK)
    user = row.user
    try:
        password = clean_password(new_password, username=user.username, id_number=user.id_number)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"password": str(exc)}) from None
    _use(row)
    _close_links(user.id, RESET)
    user.set_password(password)
    revoke_all_tokens(user)
    ended = end_user_sessions(user, "reset_link")
    db.session.flush()
    record_audit("user.reset_password_by_email", "user", user.id, new={"sessions_ended": ended}, actor_id=user.id)
    notify(user.id, "您的密码已通过邮件链接重置",
           "您的账号刚刚通过“忘记密码”邮件中的链接设置了新密码，所有设备上的登录和 API 令牌均已失效。"
           "如果不是您本人操作，请立即联系所在机构或平台管理员。", link=None, kind="general")
    return user


# -- contact details the person edits themself ------------------------------------------------------------------

def pending_email(user: User) -> AccountToken | None:
    """The new address waiting for confirmation, if any."""
    return db.session.execute(select(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == EMAIL_CHANGE, AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(), AccountToken.mail_status.in_(("pending", "sent")))
        .order_by(AccountToken.id.desc()).limit(1)).scalar_one_or_none()


def update_contact(user: User, *, current_password: str, phone: str | None, email: str | None) -> dict:
    """Change one's own phone (at once) and email (a link goes to the new address; the old one stays until it is
    confirmed; an empty address removes it at once). Both need the current password: the address receives reset
    links, so whoever changes it could take the account. Returns what happened: {"phone": bool, "email": ...}."""
    errors = {}
    try:
        new_phone = clean_phone(phone) if (phone or "").strip() else None
    except ValueError as exc:
        errors["phone"] = str(exc)
    try:
        new_email = clean_email(email or "")
    except ValueError as exc:
        errors["email"] = str(exc)
    if errors:
        raise ValidationFailed("输入有误：" + "；".join(errors.values()), errors)
    phone_changed = new_phone != user.phone
    email_changed = (new_email or "").lower() != (user.email or "").lower()
    if not phone_changed and not email_changed:
        raise ValidationFailed("手机号和邮箱都与当前相同，没有需要保存的修改")
    if not user.check_password(current_password or ""):
        raise ValidationFailed("当前密码不正确", {"current_password": "当前密码不正确"})
    done = {"phone": phone_changed, "email": None}
    if phone_changed:
        old, user.phone = user.phone, new_phone
        record_audit("user.change_phone", "user", user.id, old={"phone": mask_phone(old)},
                     new={"phone": mask_phone(new_phone)}, actor_id=user.id)
    if email_changed:
        done["email"] = _change_email(user, new_email)
    db.session.flush()
    return done


def _change_email(user: User, address: str | None) -> str:
    _close_links(user.id, EMAIL_CHANGE)
    if address is None:
        record_audit("user.change_email", "user", user.id, old={"email": mask_email(user.email)},
                     new={"email": None}, actor_id=user.id)
        user.email = None
        return "removed"
    queued = _queue_link(user, EMAIL_CHANGE, address)
    if queued is None:
        raise ValidationFailed("一小时内申请次数过多，请稍后再试", {"email": "一小时内申请次数过多，请稍后再试"})
    record_audit("user.email_change_requested", "user", user.id, new={"email": mask_email(address)},
                 actor_id=user.id)
    return "pending"


def confirm_new_address(user: User, address: str) -> None:
    """A link to an address given at registration: it becomes the account's address once confirmed, so a mistyped
    address never receives the account's notifications or its reset links."""
    if _queue_link(user, EMAIL_CHANGE, address) is not None:
        record_audit("user.email_change_requested", "user", user.id, new={"email": mask_email(address)},
                     actor_id=user.id)


def confirm_email_change(token: str) -> User:
    """The new address proved to be its owner's: it replaces the old one."""
    row = load_link(token, EMAIL_CHANGE)
    if row is None:
        raise NotFound(INVALID_LINK)
    _use(row)
    user = row.user
    old, user.email = user.email, row.email
    db.session.flush()
    record_audit("user.change_email", "user", user.id, old={"email": mask_email(old)},
                 new={"email": mask_email(row.email)}, actor_id=user.id)
    notify(user.id, "您的邮箱已更改", f"今后的邮件通知将发送到 {mask_email(row.email)}。如果不是您本人操作，"
           "请立即修改密码并联系所在机构或平台管理员。", link=None, kind="general")
    return user
