"""Sign in, sign out, registration, profile and password pages."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ...core.access import login_required, public, safe_next_url
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.throttle import LoginThrottled
from ...extensions import db
from ..services.account_links import pending_email
from ..services.identity import parse_id_number
from ..services.sessions import authenticate, record_sign_in
from ..services.users import change_password, register_trainee
from ..services.validation import clean_email, clean_id_number, clean_name, clean_password, clean_phone, clean_username
from ..services.web_sessions import start_session
from . import bp
from .forms import ChangePasswordForm, LoginForm, RegisterForm
from .org_picker import prepare_picker, resolve_picker, searching
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
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr)
        except LoginThrottled as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            form.password.errors = [f"登录失败次数过多，请 {minutes} 分钟后再试"]
            status = 429
        except DomainError as exc:
            db.session.commit()  # the failure's audit record (and a lock's notification)
            form.password.errors = [exc.message]
        else:
            session.clear()  # a fresh session on sign-in: no fixation
            start_session(user, remember=form.remember.data)
            login_user(user, remember=form.remember.data)
            record_sign_in(user, "web")
            db.session.commit()
            return redirect(safe_next_url(request.args.get("next")) or url_for("core.dashboard"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sign_out_here(current_user._get_current_object(), "logout")
    db.session.commit()
    flash("您已安全退出。", "success")
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
    valid = form.validate_on_submit()
    organization_id, settled = resolve_picker(form) if form.is_submitted() else (None, True)
    if valid and settled:
        # The same answer whether or not the ID number already had an account (see register_trainee).
        registered = ("注册申请已提交。若该身份证号此前未注册，账号已开通，请用刚才设置的用户名和密码登录"
                      + ("，并打开我们发到您邮箱的确认邮件" if form.email.data else "")
                      + "；若已注册过，请使用原账号登录，忘记密码可点击“忘记密码”。")
        if run_action(form, lambda: register_trainee(
                username=form.username.data, password=form.password.data, name=form.name.data,
                id_number=form.id_number.data, phone=form.phone.data, email=form.email.data,
                organization_id=organization_id), registered, on_form=True):
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        _add_rule_errors(form, {"name": clean_name, "id_number": clean_id_number, "phone": clean_phone,
                                "username": clean_username, "email": clean_email,
                                "password": lambda value: clean_password(value, username=form.username.data,
                                                                         id_number=form.id_number.data)})
    return render_template("auth/register.html", form=form)


def _add_rule_errors(form, rules: dict) -> None:
    """When the form failed its own checks, also run the domain rules on the filled-in fields, so the
    person sees every problem at once instead of one round at a time."""
    for name, rule in rules.items():
        field = getattr(form, name)
        if field.data and not field.errors:
            try:
                rule(field.data)
            except ValueError as exc:
                field.errors = [*field.errors, str(exc)]


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
    if form.validate_on_submit():
        if run_action(form, lambda: change_password(current_user, form.current_password.data,
                                                    form.new_password.data, keep_session=current_user.login_session),
                      "密码已修改。其他设备上的登录和 API 令牌已失效。", on_form=True):
            # The cookies carry the password stamp: issue them again for this device (its record stays open).
            login_user(current_user._get_current_object(), remember=_remembered())
            return redirect(url_for("auth.profile"))
    elif form.is_submitted():
        _add_rule_errors(form, {"new_password": lambda value: clean_password(
            value, username=current_user.username, id_number=current_user.id_number)})
    return render_template("auth/password.html", form=form)


def _remembered() -> bool:
    row = current_user.login_session
    return row is not None and row.remember_until is not None
