"""The proctor's view of a running session (监考): each candidate's state by anonymous code and seat, answered
count, last save, devices and focus losses — and the proctor's action of extending one candidate's time.

A candidate is `offline` when neither a save nor the exam page's state poll (every 20 s) reached the server for
OFFLINE_AFTER. Presence is written by the poll, not by saves, so the save path stays one statement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ..core.audit import record_audit
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..db import utcnow
from ..extensions import db
from .models import Application, Attempt, AttemptEvent, ExamSession, Response

OFFLINE_AFTER = timedelta(seconds=60)
MAX_FOCUS_EVENTS = 500  # per attempt: a page stuck in a blur loop must not fill the table
MAX_EXTENSION_MINUTES = 120
STATE_LABELS = {"not_started": "未开始", "answering": "答题中", "offline": "离线", "submitted": "已交卷"}


def get_session_for_proctor(actor, session_id: int) -> ExamSession:
    """Org staff and examiners of the session's organization (and admins) watch a session."""
    session = db.session.get(ExamSession, session_id)
    if session is None or not (actor.has_role(ADMIN) or (
            (actor.has_role(ORG_STAFF) or actor.has_role(EXAMINER))
            and actor.organization_id == session.organization_id)):
        raise NotFound("认定批次不存在")
    return session


def device_key(user_agent: str, address: str) -> str:
    return hashlib.sha256(f"{user_agent}\n{address}".encode()).hexdigest()[:16]


def _browser(user_agent: str) -> str:
    for marker, label in (("MicroMessenger", "微信"), ("Edg/", "Edge"), ("Chrome/", "Chrome"),
                          ("Firefox/", "Firefox"), ("Safari/", "Safari")):
        if marker in user_agent:
            platform = "手机" if "Mobile" in user_agent else "电脑"
            return f"{label}（{platform}）"
    return "其他浏览器"


def _mask_address(address: str) -> str:
    if ":" in address:
        return address.split(":")[0] + ":…"
    parts = address.split(".")
    return ".".join(parts[:2] + ["*", "*"]) if len(parts) == 4 else "—"


def record_presence(attempt: Attempt, user_agent: str, address: str, now: datetime | None = None) -> None:
    """The exam page is alive on this device: remember when, and note a device or address not seen before."""
    now = now or utcnow()
    db.session.execute(update(Attempt).where(Attempt.id == attempt.id).values(last_seen_at=now))
    key = device_key(user_agent or "", address or "")
    known = db.session.execute(select(AttemptEvent.id).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "device",
        AttemptEvent.detail["key"].as_string() == key).limit(1)).first()
    if known is None:
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind="device", at=now, detail={
            "key": key, "browser": _browser(user_agent or ""), "address": _mask_address(address or "")}))
    db.session.flush()


def record_focus_loss(attempt: Attempt, now: datetime | None = None) -> bool:
    """The candidate left the exam tab or window. False when the attempt is closed or already has too many."""
    if attempt.status != "in_progress":
        return False
    count = db.session.execute(select(func.count()).select_from(AttemptEvent).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "focus_lost")).scalar_one()
    if count >= MAX_FOCUS_EVENTS:
        return False
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind="focus_lost", at=now or utcnow()))
    db.session.flush()
    return True


def extend_attempt(actor, attempt_id: int, minutes: int, reason: str) -> Attempt:
    """Give one candidate more time (an incident at their seat). Staff of the session's organization only;
    recorded as an event the monitor shows and in the audit log."""
    attempt = db.session.get(Attempt, attempt_id)
    session = attempt.application.session if attempt is not None else None
    if session is None or not (actor.has_role(ADMIN) or actor.organization_id == session.organization_id):
        raise NotFound("答卷不存在")
    if not (actor.has_role(ORG_STAFF) or actor.has_role(ADMIN)):
        raise Forbidden("只有评价机构工作人员可以延长考试时间")
    reason = (reason or "").strip()
    errors = {}
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        errors["minutes"] = f"延长时间应为 1–{MAX_EXTENSION_MINUTES} 分钟"
    if not reason:
        errors["reason"] = "请填写延时原因"
    elif len(reason) > 500:
        errors["reason"] = "原因不能超过 500 个字符"
    if errors:
        raise ValidationFailed("延时信息不完整", errors)
    if attempt.status != "in_progress":
        raise Conflict("该考生已交卷，不能延时", {"attempt": "已交卷"}, code="submitted")
    old = attempt.deadline
    attempt.deadline = old + timedelta(minutes=minutes)
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind="extended", actor_id=actor.id,
                                detail={"minutes": minutes, "reason": reason}))
    db.session.flush()
    record_audit("exam.extend_attempt", "exam_attempt", attempt.id, old={"deadline": old.isoformat()},
                 new={"deadline": attempt.deadline.isoformat(), "minutes": minutes}, reason=reason)
    return attempt


@dataclass
class MonitorRow:
    application_id: int
    anonymous_code: str | None
    room: str | None
    seat: str | None
    attempt_id: int | None
    state: str
    answered: int
    last_saved_at: datetime | None
    last_seen_at: datetime | None
    deadline: datetime | None
    devices: int
    addresses: int
    focus_losses: int
    extensions: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def monitor(session: ExamSession, now: datetime | None = None) -> list[MonitorRow]:
    """Every approved candidate of the session, in room and seat order. Three statements whatever the size."""
    now = now or utcnow()
    candidates = db.session.execute(
        select(Application.id, Application.anonymous_code, Application.room, Application.seat, Attempt.id,
               Attempt.status, Attempt.last_seen_at, Attempt.deadline)
        .outerjoin(Attempt, Attempt.application_id == Application.id)
        .where(Application.session_id == session.id, Application.status == "approved")
        .order_by(Application.room, Application.seat, Application.id)).all()
    attempt_ids = [row[4] for row in candidates if row[4] is not None]
    saves = {attempt_id: (answered, last) for attempt_id, answered, last in db.session.execute(
        select(Response.attempt_id, func.count(Response.id), func.max(Response.saved_at))
        .where(Response.attempt_id.in_(attempt_ids)).group_by(Response.attempt_id)).all()} if attempt_ids else {}
    events: dict[int, dict[str, object]] = {}
    if attempt_ids:
        for attempt_id, kind, detail in db.session.execute(
                select(AttemptEvent.attempt_id, AttemptEvent.kind, AttemptEvent.detail)
                .where(AttemptEvent.attempt_id.in_(attempt_ids))).all():
            bucket = events.setdefault(attempt_id, {"devices": set(), "addresses": set(), "focus_lost": 0,
                                                    "extended": 0})
            if kind == "device":
                bucket["devices"].add((detail or {}).get("key"))
                bucket["addresses"].add((detail or {}).get("address"))
            else:
                bucket[kind] += 1
    rows = []
    for application_id, code, room, seat, attempt_id, status, seen, deadline in candidates:
        answered, last_saved = saves.get(attempt_id, (0, None))
        bucket = events.get(attempt_id, {"devices": set(), "addresses": set(), "focus_lost": 0, "extended": 0})
        if attempt_id is None:
            state = "not_started"
        elif status == "submitted":
            state = "submitted"
        else:
            activity = max((t for t in (seen, last_saved) if t is not None), default=None)
            state = "answering" if activity is not None and now - activity <= OFFLINE_AFTER else "offline"
        rows.append(MonitorRow(
            application_id=application_id, anonymous_code=code, room=room, seat=seat, attempt_id=attempt_id,
            state=state, answered=answered, last_saved_at=last_saved, last_seen_at=seen, deadline=deadline,
            devices=len(bucket["devices"]), addresses=len(bucket["addresses"]),
            focus_losses=bucket["focus_lost"], extensions=bucket["extended"]))
    return rows
