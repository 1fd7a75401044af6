"""The proctor's live page (监考) per session: candidates by room and seat (names only for the room's own
proctor), refreshed every 15 s, extending one candidate's time with a reason, and assigning each room's proctor."""

from __future__ import annotations

import io

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...db import utcnow
from ..documents import integrity_report_pdf
from ..services.proctoring import (
    extend_attempt,
    get_session_for_proctor,
    monitor,
    pause_room,
    resume_room,
    session_of_attempt,
    void_attempt,
)
from ..services.room_proctors import assign_room_proctor, names_for_proctor, proctor_choices, room_proctors
from . import bp
from .forms import ExtendForm, ReasonForm, RoomForm, RoomProctorForm


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
    paused_rooms = {room for room, members in rooms.items() if any(r.paused for r in members)}
    may_act = current_user.has_role(ORG_STAFF) or current_user.has_role(ADMIN)
    proctors = room_proctors(session)
    return render_template(template, session=session, rooms=rooms, counts=counts, now=utcnow(),
                           paused_rooms=paused_rooms, extend_form=ExtendForm(), reason_form=ReasonForm(),
                           may_act=may_act, proctors=proctors, names=names_for_proctor(current_user, session),
                           proctor_form=_proctor_form(session) if may_act and not request.args.get("fragment") else None)


def _proctor_form(session) -> RoomProctorForm:
    form = RoomProctorForm()
    form.user_id.choices = [(0, "（不指定）"), *proctor_choices(session)]
    return form


@bp.route("/sessions/<int:session_id>/monitor/proctor", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def room_proctor(session_id: int):
    form, room = RoomProctorForm(), _room_value()
    try:
        get_session_for_proctor(current_user, session_id)
    except DomainError:
        abort(404)
    if room is None:
        abort(404)
    run_action(form, lambda data: assign_room_proctor(current_user, session_id, room, data.user_id or None),
               lambda row: f"{room}的监考员已{'指定' if row else '取消'}。", failure="不能指定监考员：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))


def _attempt_session_id(attempt_id: int) -> int:
    """The session of an attempt the caller may act on, or 404."""
    try:
        return session_of_attempt(current_user, attempt_id).id
    except DomainError:
        abort(404)


def _room_value() -> str | None:
    room = (request.form.get("room") or request.args.get("room") or "").strip()
    return None if room in ("", "未编排考场") else room[:50]


@bp.route("/sessions/<int:session_id>/monitor/pause", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def room_pause(session_id: int):
    form, room = RoomForm(), _room_value()
    if room is None:
        abort(404)
    run_action(form, lambda data: pause_room(current_user, session_id, room, data.reason),
               lambda n: f"{room}已暂停：{n} 名考生的计时已停止。", failure="不能暂停：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))


@bp.route("/sessions/<int:session_id>/monitor/resume", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def room_resume(session_id: int):
    form, room = ReasonForm(), _room_value()
    if room is None:
        abort(404)
    run_action(form, lambda _: resume_room(current_user, session_id, room),
               lambda n: f"{room}已恢复：{n} 名考生继续作答，剩余时间顺延。", failure="不能恢复：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))


@bp.route("/attempts/<int:attempt_id>/void", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def attempt_void(attempt_id: int):
    session_id = _attempt_session_id(attempt_id)
    form = RoomForm()
    run_action(form, lambda data: void_attempt(current_user, attempt_id, data.reason),
               "答卷已作废，理论成绩记为 0 分。", failure="不能作废：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))


@bp.route("/sessions/<int:session_id>/monitor/report.pdf")
@roles_required(ORG_STAFF, EXAMINER, ADMIN)
def room_report(session_id: int):
    try:
        session = get_session_for_proctor(current_user, session_id)
    except DomainError:
        abort(404)
    room = _room_value()
    response = send_file(io.BytesIO(integrity_report_pdf(session, room)), mimetype="application/pdf",
                         download_name=f"考场记录-{session.id}-{room or '未编排'}.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attempts/<int:attempt_id>/extend", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def attempt_extend(attempt_id: int):
    session_id = _attempt_session_id(attempt_id)
    form = ExtendForm()
    run_action(form, lambda data: extend_attempt(current_user, attempt_id, data.minutes, data.reason),
               lambda a: f"已为考生 {a.application.anonymous_code or a.application_id} 延长 {form.minutes.data} 分钟。",
               failure="不能延时：")
    return redirect(url_for("exams.session_monitor", session_id=session_id))
