"""The proctor's live page (监考) per session: candidates by room and seat, refreshed every 15 s, and extending
one candidate's time with a reason."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ..core.access import roles_required
from ..core.errors import DomainError
from ..core.forms import run_action
from ..db import utcnow
from ..extensions import db
from . import bp
from .forms import ExtendForm
from .models import Attempt
from .proctoring import extend_attempt, get_session_for_proctor, monitor


@bp.route("/sessions/<int:session_id>/monitor")
@roles_required(ORG_STAFF, EXAMINER, ADMIN)
def session_monitor(session_id: int):
    try:
        session = get_session_for_proctor(current_user, session_id)
    except DomainError:
        abort(404)
    rows = monitor(session)
    rooms: dict[str, list] = {}
    for row in rows:
        rooms.setdefault(row.room or "未编排考场", []).append(row)
    template = "exams/staff/_monitor_rooms.html" if request.args.get("fragment") else "exams/staff/monitor.html"
    counts = {state: sum(1 for r in rows if r.state == state)
              for state in ("not_started", "answering", "offline", "submitted")}
    return render_template(template, session=session, rooms=rooms, counts=counts, now=utcnow(),
                           extend_form=ExtendForm(), may_extend=current_user.has_role(ORG_STAFF)
                           or current_user.has_role(ADMIN))


@bp.route("/attempts/<int:attempt_id>/extend", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def attempt_extend(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    session_id = attempt.application.session_id
    try:
        get_session_for_proctor(current_user, session_id)
    except DomainError:
        abort(404)
    form = ExtendForm()
    run_action(form, lambda: extend_attempt(current_user, attempt_id, form.minutes.data, form.reason.data),
               lambda a: f"已为考生 {a.application.anonymous_code or a.application_id} 延长 {form.minutes.data} 分钟。",
               failure="不能延时：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))
