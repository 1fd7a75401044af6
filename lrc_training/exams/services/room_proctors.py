"""Who watches which room (监考员): organization staff assign one person per room of a session. On the monitor only
that person sees the names of the room's candidates; everyone else — other staff, examiners, admins — sees
anonymous codes and seats. The monitor API never carries names."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.models import User, UserRole
from ...auth.roles import EXAMINER, ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import ValidationFailed
from ...db import utcnow
from ...extensions import db
from ..models import Application, ExamSession
from ..review_models import RoomProctor
from .proctoring import _staff_session


def session_rooms(session: ExamSession) -> list[str]:
    return list(db.session.execute(select(Application.room).where(
        Application.session_id == session.id, Application.status == "approved", Application.room.is_not(None))
        .distinct().order_by(Application.room)).scalars())


def proctor_choices(session: ExamSession) -> list[tuple[int, str]]:
    """(user id, name) of the people who may watch a room: active staff and examiners of the organization."""
    return [(user_id, name) for user_id, name in db.session.execute(
        select(User.id, User.name).join(UserRole, UserRole.user_id == User.id).where(
            User.organization_id == session.organization_id, User.active.is_(True),
            UserRole.role.in_((ORG_STAFF, EXAMINER))).distinct().order_by(User.name, User.id)).all()]


def room_proctors(session: ExamSession) -> dict[str, tuple[int, str]]:
    """{room: (user id, name)} of the rooms with a proctor."""
    return {room: (user_id, name) for room, user_id, name in db.session.execute(
        select(RoomProctor.room, User.id, User.name).join(User, User.id == RoomProctor.user_id)
        .where(RoomProctor.session_id == session.id)).all()}


def assign_room_proctor(actor, session_id: int, room: str, user_id: int | None) -> RoomProctor | None:
    """Make `user_id` the proctor of `room` (None: nobody). Organization staff of the session only; audited."""
    session = _staff_session(actor, session_id)
    if room not in session_rooms(session):
        raise ValidationFailed("考场不存在，请先编排考场", {"room": "考场不存在"})
    if user_id is not None and user_id not in {u for u, _ in proctor_choices(session)}:
        raise ValidationFailed("监考员须为本机构的工作人员或考评员", {"user_id": "须为本机构的工作人员或考评员"})
    row = db.session.execute(select(RoomProctor).where(
        RoomProctor.session_id == session.id, RoomProctor.room == room)).scalar_one_or_none()
    old = row.user_id if row is not None else None
    if user_id is None:
        if row is not None:
            db.session.delete(row)
            row = None
    elif row is None:
        row = RoomProctor(session_id=session.id, room=room, user_id=user_id, assigned_by_id=actor.id)
        db.session.add(row)
    else:
        row.user_id, row.assigned_by_id, row.assigned_at = user_id, actor.id, utcnow()
    db.session.flush()
    record_audit("exam.room_proctor", "exam_session", session.id, old={"room": room, "user_id": old},
                 new={"room": room, "user_id": user_id})
    return row


def names_for_proctor(actor, session: ExamSession) -> dict[int, str]:
    """{application id: candidate's name} for the rooms `actor` is the proctor of; empty for everyone else."""
    rooms = select(RoomProctor.room).where(RoomProctor.session_id == session.id, RoomProctor.user_id == actor.id)
    return dict(db.session.execute(select(Application.id, User.name).join(User, User.id == Application.user_id).where(
        Application.session_id == session.id, Application.status == "approved",
        Application.room.in_(rooms))).all())
