"""Home page, the role dashboard (工作台: the user's to-dos, then every page they may open) and the audit log
viewer."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from . import bp
from .access import login_required, public, roles_required, safe_next_url
from .accounts import accounts
from .audit import record_audit
from .forms import run_action
from .models import AuditLog
from .navigation import NavItem, items_for
from .notifications import email_kinds, mark_read, notifications_of, set_email_kinds
from .pagination import paginate_page
from .params import ascii_int
from .roles import ADMIN
from .todo import time_left, todos_for
from .web_forms import ActionForm, NotificationSettingsForm, WorkAreaForm
from .work_areas import all_work_areas, save_work_area

NAV = [
    NavItem("审计日志", "core.audit_log", roles=(ADMIN,), description="所有成绩、结果、证书与账号变更的防篡改记录",
            group="管理"),
    NavItem("职业功能", "core.work_areas", roles=(ADMIN,), description="维护课程、试题、竞赛项目使用的职业功能列表",
            group="管理"),
    NavItem("消息通知", "core.notifications", description="报名审核、候补递补、成绩发布等站内通知", group="账号"),
    NavItem("通知设置", "core.notification_settings", description="选择哪些通知同时发送邮件", group="账号"),
]


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return render_template("core/index.html")


MAIN_LINKS = 4  # pages offered when there is nothing to do


@bp.route("/dashboard")
@login_required
def dashboard():
    groups: dict[str, list] = {}
    pages = items_for(current_user)
    for item in pages:
        groups.setdefault(item.group or "常用", []).append(item)
    now = utcnow()
    areas = [item for item in pages if item.group != "账号"]
    main_links = ([item for item in areas if item.roles] or areas)[:MAIN_LINKS]
    return render_template("core/dashboard.html", groups=groups, todos=todos_for(current_user, now),
                           main_links=main_links, time_left=lambda due: time_left(due, now))


@bp.route("/admin/audit")
@roles_required(ADMIN)
def audit_log():
    page = paginate_page(select(AuditLog).order_by(AuditLog.id.desc()))
    actors = accounts().names({row.actor_id for row in page.items if row.actor_id is not None})
    return render_template("core/audit_log.html", page=page, actors=actors)


@bp.route("/notifications")
@login_required
def notifications():
    page = paginate_page(notifications_of(current_user.id), per_page=30)
    return render_template("core/notifications.html", page=page, form=ActionForm())


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Each user chooses which notifications also come by email. The address is changed on the profile page, where
    a new one must be confirmed through a link before it is used (it also receives password reset links)."""
    form = NotificationSettingsForm()
    if request.method == "GET":
        form.kinds.data = sorted(email_kinds(current_user.id))
    elif form.validate_on_submit():
        old = {"kinds": sorted(email_kinds(current_user.id))}
        set_email_kinds(current_user.id, set(form.kinds.data or []))
        record_audit("user.notification_settings", "user", current_user.id, old=old,
                     new={"kinds": sorted(form.kinds.data or [])}, actor_id=current_user.id)
        db.session.commit()
        flash("通知设置已保存。" + ("" if current_user.email else "未填写邮箱，只会收到站内通知。"), "success")
        return redirect(url_for("core.notification_settings"))
    return render_template("core/notification_settings.html", form=form)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    form = ActionForm()
    if form.validate_on_submit():
        raw = request.form.get("notification_id", "")
        notification_id = ascii_int(raw, low=1)
        if raw and notification_id is None:
            abort(400)  # a tampered id ("²", 30 digits): mark nothing, rather than everything
        mark_read(current_user.id, notification_id)
        db.session.commit()
    target = request.form.get("next", "")
    return redirect(safe_next_url(target) or url_for("core.notifications"))


@bp.route("/admin/work-areas", methods=["GET", "POST"])
@roles_required(ADMIN)
def work_areas():
    form = WorkAreaForm()
    if form.is_submitted() and run_action(
            form, lambda: save_work_area(form.code.data, form.name.data, form.active.data,
                                         create=form.create.data == "1"),
            lambda _: f"已保存职业功能 {form.code.data.upper()}。", on_form=True):
        return redirect(url_for("core.work_areas"))
    return render_template("core/work_areas.html", areas=all_work_areas(), form=form)
