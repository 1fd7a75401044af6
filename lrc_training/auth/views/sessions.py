"""登录设备: the signed-in user's open sign-ins, and signing out one, the others or all of them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from ...core.access import login_required
from ...core.audit import record_audit
from ...core.navigation import NavItem
from ...db import utcnow
from ...extensions import db
from ..models import ApiToken, User
from ..services.sessions import revoke_all_tokens
from ..services.web_sessions import (
    describe_user_agent,
    end_session,
    end_user_sessions,
    get_own_session,
    idle_limit,
    mask_address,
    open_sessions,
)
from . import bp

NAV = [
    NavItem("登录设备", "auth.sessions", description="查看在哪些设备上登录，退出其他设备", group="账号"),
]


def sign_out_here(user: User, reason: str) -> None:
    """End this device's sign-in: its record (so copies of the cookies stop working), then the cookies."""
    row = user.login_session
    if row is not None:
        end_session(row, reason)
    record_audit("auth.logout", "user", user.id, new={"session": row.id if row else None, "reason": reason},
                 actor_id=user.id)
    logout_user()
    session.clear()


def _active_token_count(user_id: int) -> int:
    return db.session.execute(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())).scalar_one()


@bp.route("/account/sessions")
@login_required
def sessions():
    rows = db.session.execute(open_sessions(current_user.id)).scalars().all()
    current = current_user.login_session
    items = [{"row": row, "current": current is not None and row.id == current.id,
              "device": describe_user_agent(row.user_agent), "address": mask_address(row.ip_address)}
             for row in rows]
    return render_template("auth/sessions.html", items=items, tokens=_active_token_count(current_user.id),
                           idle_minutes=int(idle_limit().total_seconds() // 60))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def session_end(session_id: int):
    user = current_user._get_current_object()
    row = get_own_session(user, session_id)
    if row is None:
        abort(404)
    if user.login_session is not None and row.id == user.login_session.id:
        sign_out_here(user, "logout")
        db.session.commit()
        flash("已退出本设备。", "success")
        return redirect(url_for("auth.login"))
    end_session(row, "signed_out")
    record_audit("auth.sessions_ended", "user", user.id, new={"sessions": [row.id], "scope": "one"}, actor_id=user.id)
    db.session.commit()
    flash(f"已退出该设备（{describe_user_agent(row.user_agent)}）。", "success")
    return redirect(url_for("auth.sessions"))


def _end_other_sessions(scope: str) -> tuple:
    """End every other sign-in of the current user and revoke their API tokens (audited); returns (user, count)."""
    user = current_user._get_current_object()
    ended = end_user_sessions(user, "signed_out", keep=user.login_session)
    revoke_all_tokens(user)
    record_audit("auth.sessions_ended", "user", user.id, new={"count": ended, "scope": scope}, actor_id=user.id)
    return user, ended


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def sessions_end_others():
    _user, ended = _end_other_sessions("others")
    db.session.commit()
    flash(f"已退出其他 {ended} 台设备，API 令牌已全部撤销。" if ended else "没有其他设备登录；API 令牌已全部撤销。",
          "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def sessions_end_all():
    user, _ended = _end_other_sessions("all")
    sign_out_here(user, "logout")
    db.session.commit()
    flash("已退出所有设备，API 令牌已全部撤销。", "success")
    return redirect(url_for("auth.login"))
