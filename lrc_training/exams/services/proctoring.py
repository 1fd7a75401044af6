"""The proctor's view of a running session (监考): each candidate's state by anonymous code and seat, answered
count, last save, devices and focus losses — and the proctor's action of extending one candidate's time.

A candidate is `offline` when neither a save nor the exam page's state poll (every 20 s) reached the server for
OFFLINE_AFTER. Presence is written by the poll, not by saves, so the save path stays one statement.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.loading import get_allowed
from ...db import utcnow
from ...extensions import db
from ..models import Application, Attempt, AttemptEvent, ExamSession, GradingTask, Response

OFFLINE_AFTER = timedelta(seconds=60)
MAX_FOCUS_EVENTS = 500  # per attempt: a page stuck in a blur loop must not fill the table
MAX_EXTENSION_MINUTES = 120
STATE_LABELS = {"not_started": "未开始", "answering": "答题中", "offline": "离线", "submitted": "已交卷"}


def get_session_for_proctor(actor, session_id: int) -> ExamSession:
    """Org staff and examiners of the session's organization (and admins) watch a session."""
    return get_allowed(ExamSession, session_id, lambda session: actor.has_role(ADMIN) or (
        (actor.has_role(ORG_STAFF) or actor.has_role(EXAMINER)) and actor.organization_id == session.organization_id),
        "认定批次不存在")


def session_of_attempt(actor, attempt_id: int) -> ExamSession:
    """The session of an attempt, for whoever may watch it (get_session_for_proctor); NotFound otherwise."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("答卷不存在")
    return get_session_for_proctor(actor, attempt.application.session_id)


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


class TakenOver(Conflict):
    """This page is no longer the attempt's active device."""

    code = "taken_over"


def take_over(attempt: Attempt, user_agent: str, now: datetime | None = None) -> str:
    """The exam page opened on this device becomes the only one that may answer; a page opened earlier is told
    at its next save or poll. Returns the new device token for the page."""
    token = secrets.token_hex(16)
    if attempt.active_device is not None and attempt.status == "in_progress":
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind="takeover", at=now or utcnow(),
                                    detail={"browser": _browser(user_agent or "")}))
    attempt.active_device = token
    db.session.flush()
    return token


def check_device(attempt: Attempt, token: str | None) -> None:
    """Pages send their device token; API clients (no token) are not a page and are not checked."""
    if token and attempt.active_device and not secrets.compare_digest(token, attempt.active_device):
        raise TakenOver("本场考试已在另一台设备或另一个页面上打开，本页面已停止作答。如非本人操作，请立即举手联系监考员。",
                        {"attempt": "已在其他设备上继续"})


def _staff_session(actor, session_id: int) -> ExamSession:
    session = get_session_for_proctor(actor, session_id)
    if not (actor.has_role(ORG_STAFF) or actor.has_role(ADMIN)):
        raise Forbidden("只有评价机构工作人员可以执行此操作")
    return session


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("请填写原因", {"reason": "请填写原因"})
    if len(reason) > 500:
        raise ValidationFailed("原因不能超过 500 个字符", {"reason": "不能超过 500 个字符"})
    return reason


def _room_attempts(session: ExamSession, room: str, *, paused: bool) -> list[Attempt]:
    condition = Attempt.paused_at.is_not(None) if paused else Attempt.paused_at.is_(None)
    return list(db.session.execute(select(Attempt).join(Application).where(
        Application.session_id == session.id, Application.room == room, Application.status == "approved",
        Attempt.status == "in_progress", condition)).scalars())


def pause_room(actor, session_id: int, room: str, reason: str, now: datetime | None = None) -> int:
    """An incident in a room (power cut, fire alarm): every candidate's clock in it stops. Returns how many."""
    session = _staff_session(actor, session_id)
    reason, now = _reason(reason), now or utcnow()
    attempts = [a for a in _room_attempts(session, room, paused=False) if a.deadline > now]
    for attempt in attempts:
        attempt.paused_at = now
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind="paused", at=now, actor_id=actor.id,
                                    detail={"room": room, "reason": reason}))
    db.session.flush()
    record_audit("exam.pause_room", "exam_session", session.id, new={"room": room, "attempts": len(attempts)},
                 reason=reason)
    return len(attempts)


def resume_room(actor, session_id: int, room: str, now: datetime | None = None) -> int:
    """The clocks run again; each deadline moves on by exactly the time that candidate was paused."""
    session = _staff_session(actor, session_id)
    now = now or utcnow()
    attempts = _room_attempts(session, room, paused=True)
    for attempt in attempts:
        paused_for = now - attempt.paused_at
        attempt.deadline += paused_for
        attempt.paused_at = None
        db.session.add(AttemptEvent(attempt_id=attempt.id, kind="resumed", at=now, actor_id=actor.id,
                                    detail={"room": room, "seconds": int(paused_for.total_seconds())}))
    db.session.flush()
    record_audit("exam.resume_room", "exam_session", session.id, new={"room": room, "attempts": len(attempts)})
    return len(attempts)


def void_attempt(actor, attempt_id: int, reason: str, now: datetime | None = None) -> Attempt:
    """Cheating: the attempt is handed in (if still open) and its theory score becomes 0. Before publication
    only; afterwards results are frozen and a correction goes through re-grading."""
    from .attempts import submit  # papers imports nothing from here; the import is local to keep it that way

    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        raise NotFound("答卷不存在")
    session = _staff_session(actor, attempt.application.session_id)
    reason, now = _reason(reason), now or utcnow()
    if session.state == "published":
        raise Conflict("成绩已发布，不能再作废答卷", {"attempt": "成绩已发布"}, code="published")
    if attempt.voided_at is not None:
        raise Conflict("该答卷已作废", {"attempt": "已作废"}, code="voided")
    if attempt.status == "in_progress":
        attempt.paused_at = None
        submit(attempt, by="platform", now=min(now, attempt.deadline))
    attempt.voided_at, attempt.void_reason, attempt.objective_score = now, reason, 0
    db.session.execute(update(Response).where(Response.attempt_id == attempt.id).values(score=0,
                                                                                      needs_arbitration=False))
    db.session.execute(GradingTask.__table__.delete().where(
        GradingTask.score.is_(None), GradingTask.response_id.in_(
            select(Response.id).where(Response.attempt_id == attempt.id))))
    db.session.add(AttemptEvent(attempt_id=attempt.id, kind="voided", at=now, actor_id=actor.id,
                                detail={"reason": reason}))
    db.session.flush()
    record_audit("exam.void_attempt", "exam_attempt", attempt.id, new={"theory": 0}, reason=reason)
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
    paused: bool = False
    voided: bool = False
    takeovers: int = 0

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def monitor(session: ExamSession, now: datetime | None = None) -> list[MonitorRow]:
    """Every approved candidate of the session, in room and seat order. Three statements whatever the size."""
    now = now or utcnow()
    candidates = db.session.execute(
        select(Application.id, Application.anonymous_code, Application.room, Application.seat, Attempt.id,
               Attempt.status, Attempt.last_seen_at, Attempt.deadline, Attempt.paused_at, Attempt.voided_at)
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
            bucket = events.setdefault(attempt_id, _empty_bucket())
            if kind == "device":
                bucket["devices"].add((detail or {}).get("key"))
                bucket["addresses"].add((detail or {}).get("address"))
            elif kind in bucket:
                bucket[kind] += 1
    rows = []
    for application_id, code, room, seat, attempt_id, status, seen, deadline, paused_at, voided_at in candidates:
        answered, last_saved = saves.get(attempt_id, (0, None))
        bucket = events.get(attempt_id, _empty_bucket())
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
            focus_losses=bucket["focus_lost"], extensions=bucket["extended"], paused=paused_at is not None,
            voided=voided_at is not None, takeovers=bucket["takeover"]))
    return rows


def _empty_bucket() -> dict:
    return {"devices": set(), "addresses": set(), "focus_lost": 0, "extended": 0, "takeover": 0}


def integrity_report(session: ExamSession, room: str | None) -> dict:
    """Plain values for the room's integrity report (考场记录): every event by candidate code and seat, in time order,
    plus per-candidate counts. `room=None` covers candidates not yet seated."""
    from ...core.timeutil import format_local

    condition = Application.room.is_(None) if room is None else Application.room == room
    events = db.session.execute(
        select(Application.anonymous_code, Application.seat, AttemptEvent.kind, AttemptEvent.at, AttemptEvent.detail)
        .join(Attempt, Attempt.application_id == Application.id)
        .join(AttemptEvent, AttemptEvent.attempt_id == Attempt.id)
        .where(Application.session_id == session.id, condition, AttemptEvent.kind != "device")
        .order_by(AttemptEvent.at, AttemptEvent.id)).all()
    rows = [row for row in monitor(session) if row.room == room]
    from ..models import EVENT_KINDS

    def describe(kind: str, detail: dict | None) -> str:
        detail = detail or {}
        if kind == "extended":
            return f"延时 {detail.get('minutes')} 分钟：{detail.get('reason', '')}"
        if kind in ("paused", "voided"):
            return f"{EVENT_KINDS[kind]}：{detail.get('reason', '')}"
        if kind == "resumed":
            return f"恢复（暂停 {int(detail.get('seconds', 0)) // 60} 分 {int(detail.get('seconds', 0)) % 60} 秒）"
        if kind == "takeover":
            return f"在另一设备上继续：{detail.get('browser', '')}"
        return EVENT_KINDS.get(kind, kind)

    return {
        "room": room or "未编排考场",
        "candidates": [{"code": r.anonymous_code or f"#{r.application_id}", "seat": r.seat or "—",
                        "state": r.state_label + ("（已作废）" if r.voided else ""), "answered": r.answered,
                        "devices": r.devices, "addresses": r.addresses, "focus_losses": r.focus_losses,
                        "extensions": r.extensions, "takeovers": r.takeovers} for r in rows],
        "events": [{"time": format_local(at), "code": code or "—", "seat": seat or "—",
                    "what": describe(kind, detail)} for code, seat, kind, at, detail in events],
    }
