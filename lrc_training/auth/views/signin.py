"""Sign in, sign out, registration, profile and password pages."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ...core.access import login_required, public, safe_next_url
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.throttle import LoginThrottled
from ...core.web_forms import ActionForm
from ...extensions import db
from ..services.account_links import pending_email
from ..services.identity import parse_id_number
from ..services.sessions import authenticate, record_sign_in
from ..services.users import change_password, register_trainee
from ..services.web_sessions import start_session
from . import bp
from .forms import ChangePasswordForm, LoginForm, RegisterForm, policy_error
from .org_picker import parse_unsettled, prepare_picker, resolve_picker, searching
from .sessions import sign_out_here

NAV = [
    NavItem("个人信息", "auth.profile", description="查看个人资料，修改手机号、邮箱和密码", group="账号"),
]


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    form.remember.label.text = f"在此设备上保持登录（{current_app.config['LRC_REMEMBER_DAYS']} 天）"
    status = 200
    data = form.parse() if form.is_submitted() else None
    if data is not None:
        # Not run_action: a failed sign-in is committed too (its audit record, a lock's notification), and too
        # many failures answer 429 with the wait at the password.
        try:
            user = authenticate(data.username, data.password, request.remote_addr)
        except LoginThrottled as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            form.password.errors = [f"登录失败次数过多，请 {minutes} 分钟后再试"]
            status = 429
        except DomainError as exc:
            db.session.commit()  # the failure's audit record (and a lock's notification)
            form.password.errors = [exc.message]
        else:
            session.clear()  # a fresh session on sign-in: no fixation
            start_session(user, remember=data.remember)
            login_user(user, remember=data.remember)
            record_sign_in(user, "web")
            db.session.commit()
            return redirect(safe_next_url(request.args.get("next")) or url_for("core.dashboard"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    run_action(ActionForm(), lambda: sign_out_here(current_user._get_current_object(), "logout"), "您已安全退出。")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = RegisterForm()
    prepare_picker(form, none_label="暂不选择")
    if searching():
        return render_template("auth/register.html", form=form)
    if form.is_submitted():
        organization_id, settled = resolve_picker(form)
        if not settled:
            parse_unsettled(form)
        elif run_action(form, lambda data: register_trainee(**data.account(), organization_id=organization_id),
                        lambda _: _registered(bool(form.email.data)), on_form=True):
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


def _registered(with_email: bool) -> str:
    """The same answer whether or not the ID number already had an account (see register_trainee)."""
    return ("注册申请已提交。若该身份证号此前未注册，账号已开通，请用刚才设置的用户名和密码登录"
            + ("，并打开我们发到您邮箱的确认邮件" if with_email else "")
            + "；若已注册过，请使用原账号登录，忘记密码可点击“忘记密码”。")


@bp.route("/profile")
@login_required
def profile():
    identity = None
    if current_user.id_number:
        identity = parse_id_number(current_user.id_number)
    return render_template("auth/profile.html", user=current_user, identity=identity,
                           pending=pending_email(current_user))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.is_submitted():
        if run_action(form, lambda data: change_password(current_user, data.current_password, data.new_password,
                                                         keep_session=current_user.login_session),
                      "密码已修改。其他设备上的登录和 API 令牌已失效。", on_form=True):
            # The cookies carry the password stamp: issue them again for this device (its record stays open).
            login_user(current_user._get_current_object(), remember=_remembered())
            return redirect(url_for("auth.profile"))
        policy_error(form.new_password, username=current_user.username, id_number=current_user.id_number)
    return render_template("auth/password.html", form=form)


def _remembered() -> bool:
    row = current_user.login_session
    return row is not None and row.remember_until is not None
