"""登录设备: the signed-in user's open sign-ins, and signing out one, the others or all of them."""

from __future__ import annotations

from flask import abort, redirect, render_template, session, url_for
from flask_login import current_user, logout_user

from ...core.access import login_required
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.web_forms import ActionForm
from ..models import User
from ..queries import active_token_count, open_sessions_of
from ..services.sessions import end_other_sign_in, end_other_sign_ins, end_own_sign_in
from ..services.web_sessions import describe_user_agent, get_own_session, idle_limit, mask_address
from . import bp

NAV = [
    NavItem("登录设备", "auth.sessions", description="查看在哪些设备上登录，退出其他设备", group="账号"),
]


def sign_out_here(user: User, reason: str) -> None:
    """End this device's sign-in: its record (so copies of the cookies stop working), then the cookies."""
    end_own_sign_in(user, user.login_session, reason)
    logout_user()
    session.clear()


@bp.route("/account/sessions")
@login_required
def sessions():
    current = current_user.login_session
    items = [{"row": row, "current": current is not None and row.id == current.id,
              "device": describe_user_agent(row.user_agent), "address": mask_address(row.ip_address)}
             for row in open_sessions_of(current_user.id)]
    return render_template("auth/sessions.html", items=items, tokens=active_token_count(current_user.id),
                           idle_minutes=int(idle_limit().total_seconds() // 60))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def session_end(session_id: int):
    user = current_user._get_current_object()
    row = get_own_session(user, session_id)
    if row is None:
        abort(404)
    if user.login_session is not None and row.id == user.login_session.id:
        if run_action(ActionForm(), lambda: sign_out_here(user, "logout"), "已退出本设备。"):
            return redirect(url_for("auth.login"))
        return redirect(url_for("auth.sessions"))
    run_action(ActionForm(), lambda: end_other_sign_in(user, row),
               f"已退出该设备（{describe_user_agent(row.user_agent)}）。")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def sessions_end_others():
    run_action(ActionForm(), lambda: end_other_sign_ins(current_user._get_current_object(), "others"),
               lambda ended: f"已退出其他 {ended} 台设备，API 令牌已全部撤销。" if ended
               else "没有其他设备登录；API 令牌已全部撤销。")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def sessions_end_all():
    user = current_user._get_current_object()
    if run_action(ActionForm(), lambda: (end_other_sign_ins(user, "all"), sign_out_here(user, "logout")),
                  "已退出所有设备，API 令牌已全部撤销。"):
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.sessions"))
