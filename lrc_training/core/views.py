"""Home page, the role dashboard and the audit log viewer."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.roles import ADMIN
from . import bp
from .access import login_required, public, roles_required
from .models import AuditLog
from .navigation import items_for, register_nav
from .pagination import paginate_page

register_nav("审计日志", "core.audit_log", roles=(ADMIN,), description="所有成绩、结果、证书与账号变更的防篡改记录",
             group="管理")


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return render_template("core/index.html")


@bp.route("/dashboard")
@login_required
def dashboard():
    groups: dict[str, list] = {}
    for item in items_for(current_user):
        groups.setdefault(item.group or "常用", []).append(item)
    return render_template("core/dashboard.html", groups=groups)


@bp.route("/admin/audit")
@roles_required(ADMIN)
def audit_log():
    stmt = select(AuditLog).options(joinedload(AuditLog.actor)).order_by(AuditLog.id.desc())
    return render_template("core/audit_log.html", page=paginate_page(stmt))
