"""Appeals (申诉): a contestant files a written appeal within the appeal window after publication (default 2 hours);
the supervision/arbitration group (监督仲裁组) decides it, with a recorded reason. An upheld appeal lets the chief
judge reopen that contestant's sheets during the notice period; results recompute from the corrected sheets."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.roles import ADMIN
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import Appeal, Competition, CompetitionOfficial, Registration
from .access import is_committee


def supervisors(competition: Competition) -> set[int]:
    return set(db.session.execute(select(CompetitionOfficial.user_id).where(
        CompetitionOfficial.competition_id == competition.id, CompetitionOfficial.duty == "supervisor")).scalars())


def can_decide(actor, competition: Competition) -> bool:
    """The designated supervision group; while none is designated, the committee (and admins)."""
    group = supervisors(competition)
    if group:
        return actor.id in group or actor.has_role(ADMIN)
    return is_committee(actor, competition)


def can_view_appeals(actor, competition: Competition) -> bool:
    return is_committee(actor, competition) or actor.id in supervisors(competition)


def appeal_window_open(competition: Competition) -> bool:
    return competition.state == "published" and utcnow() <= competition.appeals_close_at


def file_appeal(actor, competition_id: int, text: str) -> Appeal:
    competition = db.session.get(Competition, competition_id)
    if competition is None:
        raise NotFound("竞赛不存在")
    registration = db.session.execute(select(Registration).where(
        Registration.competition_id == competition.id, Registration.user_id == actor.id,
        Registration.contestant_code.is_not(None))).scalar()
    if registration is None:
        raise Forbidden("只有参赛选手可以对本竞赛结果提出申诉", {"competition": "不是参赛选手"})
    if not appeal_window_open(competition):
        raise ValidationFailed(f"申诉须在结果公布后 {competition.appeal_hours} 小时内提出，现已不能申诉",
                               {"text": "不在申诉期内"}, code="closed")
    text = (text or "").strip()
    if not 10 <= len(text) <= 2000:
        raise ValidationFailed("申诉内容应为 10 到 2000 字，写明事实和理由", {"text": "应为 10 到 2000 字"})
    if db.session.execute(select(Appeal.id).where(Appeal.registration_id == registration.id,
                                                  Appeal.status == "pending")).scalar():
        raise Conflict("您已有一份待处理的申诉", {"text": "已有待处理的申诉"}, code="duplicate")
    appeal = Appeal(competition_id=competition.id, registration_id=registration.id, filed_by_id=actor.id,
                    text=text, status="pending")
    db.session.add(appeal)
    db.session.flush()
    record_audit("competition.appeal_file", "competition_appeal", appeal.id, new={"registration_id": registration.id},
                 actor_id=actor.id)
    for user_id in supervisors(competition):
        notify(user_id, f"新的竞赛申诉：{competition.title}", f"选手 {registration.contestant_code} 提出申诉，请处理。",
               link=f"/contests/{competition.id}/appeals", kind="appeal")
    return appeal


def decide_appeal(actor, appeal_id: int, upheld: bool, decision: str, version: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    competition = db.session.get(Competition, appeal.competition_id) if appeal else None
    if appeal is None or not can_view_appeals(actor, competition):
        raise NotFound("申诉不存在")
    if not can_decide(actor, competition):
        raise Forbidden("申诉由监督仲裁组处理", {"appeal": "不是监督仲裁组成员"})
    if appeal.version != version:
        raise Conflict("该申诉已被他人处理或修改，请刷新", {"version": "版本已过期"}, code="stale_version")
    if appeal.status != "pending":
        raise Conflict("该申诉已处理", {"appeal": "已处理"}, code="wrong_state")
    if competition.state != "published":
        raise Conflict("公示期已结束，结果已确定", {"appeal": "已结束"}, code="frozen")
    decision = (decision or "").strip()
    if not 2 <= len(decision) <= 2000:
        raise ValidationFailed("请写明处理意见（2 到 2000 字）", {"decision": "必填"})
    appeal.status = "upheld" if upheld else "dismissed"
    appeal.decision, appeal.decided_by_id, appeal.decided_at = decision, actor.id, utcnow()
    db.session.flush()  # the version goes up by one (VersionMixin)
    record_audit("competition.appeal_decide", "competition_appeal", appeal.id, old={"status": "pending"},
                 new={"status": appeal.status}, reason=decision, actor_id=actor.id)
    notify(appeal.filed_by_id, f"申诉处理结果：{competition.title}",
           f"{appeal.status_label}。处理意见：{decision}", link=f"/contests/{competition.id}/mine", kind="appeal")
    return appeal


def appeals_of(competition: Competition) -> list[Appeal]:
    return list(db.session.execute(select(Appeal).where(Appeal.competition_id == competition.id)
                                   .order_by(Appeal.id.desc())).scalars())
