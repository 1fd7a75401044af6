"""Pages behind the email links: 忘记密码 (ask for a reset link, set a new password through it), editing one's
own phone and email, and confirming a new email address."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.access import login_required, public
from ...core.forms import run_action
from ...extensions import limiter
from ..services.account_links import (
    CONFIRM_EMAIL_ROUTE,
    EMAIL_CHANGE,
    INVALID_LINK,
    RESET,
    RESET_ROUTE,
    confirm_email_change,
    link_lifetime,
    load_link,
    pending_email,
    request_password_reset,
    reset_password_with_link,
    update_contact,
)
from ..services.identity import mask_email
from . import bp
from .forms import ConfirmForm, ContactForm, ForgotPasswordForm, NewPasswordForm, policy_error

FORGOT_LIMIT = "5 per 15 minutes"  # per address, POSTs only: the answer page stays reachable
SENT = ("如果账号存在，我们已发送邮件。请在 {minutes} 分钟内打开邮件中的链接设置新密码；"
        "没有收到请检查垃圾邮件，或联系所在机构、平台管理员。")


def _no_referrer(body: str, status: int = 200):
    """Pages whose URL holds a token: the token must not leave in a Referer header (nor stay in a cache)."""
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(FORGOT_LIMIT, methods=["POST"])
def forgot_password():
    """One answer for every input: an unknown username, an account without email and a real request look alike,
    and the mail is written later by the scheduler, so the response takes the same time too."""
    form = ForgotPasswordForm()
    minutes = int(link_lifetime(RESET).total_seconds() // 60)
    if form.is_submitted() and run_action(form, lambda data: request_password_reset(data.identifier),
                                          (SENT.format(minutes=minutes), "info"), on_form=True):
        return redirect(url_for("auth.forgot_password", sent=1))
    return render_template("auth/forgot.html", form=form, sent=request.args.get("sent") == "1")


@bp.route(RESET_ROUTE, methods=["GET", "POST"])
@public
@limiter.limit(FORGOT_LIMIT, methods=["POST"])
def reset_with_link(token: str):
    row = load_link(token, RESET)
    if row is None:
        return _no_referrer(render_template("auth/link_invalid.html", message=INVALID_LINK), 404)
    form = NewPasswordForm()
    if form.is_submitted():
        if run_action(form, lambda data: reset_password_with_link(token, data.password),
                      "新密码已设置，所有设备上的登录均已退出。请用新密码登录。", on_form=True):
            return redirect(url_for("auth.login"))
        policy_error(form.password, username=row.user.username, id_number=row.user.id_number)
    return _no_referrer(render_template("auth/reset.html", form=form, username=row.user.username))


@bp.route("/profile/contact", methods=["GET", "POST"])
@login_required
def contact():
    user = current_user._get_current_object()
    form = ContactForm()
    if request.method == "GET":
        form.phone.data, form.email.data = user.phone, user.email
    elif run_action(form, lambda data: update_contact(user, current_password=data.current_password,
                                                      phone=data.phone, email=data.email),
                    lambda done: _contact_message(done, form.email.data), on_form=True):
        return redirect(url_for("auth.profile"))
    return render_template("auth/contact.html", form=form, user=user, pending=pending_email(user))


def _contact_message(done: dict, address: str | None) -> str:
    parts = ["手机号已更新。"] if done["phone"] else []
    if done["email"] == "pending":
        parts.append(f"确认邮件已发送到 {mask_email((address or '').strip())}，打开其中的链接后新邮箱才生效，"
                     "在此之前仍使用原邮箱。")
    elif done["email"] == "removed":
        parts.append("邮箱已删除，今后只在站内收到通知。")
    return "".join(parts)


@bp.route(CONFIRM_EMAIL_ROUTE, methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """GET only shows the address (mail scanners open links); the button confirms."""
    row = load_link(token, EMAIL_CHANGE)
    if row is None:
        return _no_referrer(render_template("auth/link_invalid.html", message=INVALID_LINK), 404)
    form = ConfirmForm()
    if form.is_submitted() and run_action(form, lambda: confirm_email_change(token),
                                          "邮箱已确认，今后的邮件通知将发送到新邮箱。"):
        return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"))
    return _no_referrer(render_template("auth/email_confirm.html", form=form, address=row.email,
                                        username=row.user.username))
