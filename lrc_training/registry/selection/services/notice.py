"""The public notice (公示), objections, and the final result: honors in the registry and numbered certificates.

The public sees a round only while it is in notice or final: the shortlist with masked names (张*), organization and
region — never ID numbers or phone numbers. Anyone may object during the notice (text + contact); the round's hrss
staff see the objections and decide them; an upheld one takes its nomination off the winners (the next in line does
not move up). The round becomes final once the notice period is over and no objection is open — by the scheduler job
or a button, either way through `finalize_round`, which a second time is a 409 (the job, registry/jobs.py, skips
it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ....auth.models import Organization, User
from ....auth.services.accreditation import local_today
from ....core.audit import record_audit
from ....core.errors import Conflict, NotFound, ValidationFailed
from ....core.notifications import notify
from ....db import utcnow
from ....extensions import db
from ...models import Honor
from ...services.work import hrss_staff_ids
from ..models import Award, Nomination, Objection, SelectionRound
from ..queries import PUBLIC_STATES
from ..schemas import ObjectionDecisionIn, ObjectionIn
from .review import standings
from .rounds import get_round


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname's first character and one star per other character."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


@dataclass
class PublicRow:
    nomination_id: int
    rank: int
    name: str  # masked for people
    organization: str
    region_code: str
    disqualified: bool


def public_round(round_id: int) -> SelectionRound:
    rnd = db.session.get(SelectionRound, round_id)
    if rnd is None or rnd.state not in PUBLIC_STATES:
        raise NotFound("公示不存在或已结束", {"round_id": "不存在"})
    return rnd


def shortlist(rnd: SelectionRound) -> list[PublicRow]:
    """The shortlisted nominations by rank, with only what the public may see (three statements)."""
    table = standings(rnd)
    listed = {s.nomination_id: s for s in table.values() if s.shortlisted}
    if not listed:
        return []
    rows = db.session.execute(select(Nomination, Organization.name, Organization.region_code, User.name)
                              .join(Organization, Organization.id == Nomination.organization_id)
                              .outerjoin(User, User.id == Nomination.nominee_user_id)
                              .where(Nomination.id.in_(listed))).all()
    result = [PublicRow(n.id, listed[n.id].rank, mask_name(person) if person else org_name, org_name, region,
                        n.disqualified) for n, org_name, region, person in rows]
    return sorted(result, key=lambda r: (r.rank, r.nomination_id))


# -- objections --------------------------------------------------------------------------------------------------

def submit_objection(round_id: int, data: ObjectionIn) -> Objection:
    """Anyone, during the notice period; the round's hrss staff are notified (audited without the contact). The
    texts' lengths are the schema's; whether the nomination named is on the shortlist is checked here."""
    rnd = public_round(round_id)
    if rnd.state != "notice" or rnd.notice_over:
        raise Conflict("公示期已结束，不再受理异议", {"text": "公示期已结束"}, code="closed")
    nomination_id, text = data.nomination_id, data.text
    if nomination_id is not None and nomination_id not in {r.nomination_id for r in shortlist(rnd)}:
        raise ValidationFailed("输入不符合要求：不在公示名单中", {"nomination_id": "不在公示名单中"})
    objection = Objection(round_id=rnd.id, nomination_id=nomination_id, text=text, contact=data.contact)
    db.session.add(objection)
    db.session.flush()
    record_audit("selection.objection", "selection_objection", objection.id,
                 new={"round_id": rnd.id, "nomination_id": nomination_id})
    for staff_id in hrss_staff_ids([rnd.organization_id]):
        notify(staff_id, f"评选公示收到异议：{rnd.title}", text[:200], f"/registry/selections/{rnd.id}",
               kind="selection")
    return objection


def decide_objection(actor, round_id: int, objection_id: int, data: ObjectionDecisionIn) -> Objection:
    """The round's managers decide an open objection during the notice (409 once decided; audited). Upholding one
    that names a shortlisted nomination takes that nomination off the winners."""
    rnd, _ = get_round(actor, round_id, "manage", lock=True)
    objection = db.session.execute(select(Objection).where(Objection.id == objection_id,
                                                           Objection.round_id == rnd.id)).scalar()
    if objection is None:
        raise NotFound("异议不存在", {"objection_id": "不存在"})
    if objection.status != "open" or rnd.state != "notice":
        raise Conflict("该异议已处理", {"status": "已处理"}, code="already_decided")
    reply, upheld = data.reply, data.outcome == "upheld"
    objection.status = data.outcome
    objection.reply, objection.handled_by_id, objection.handled_at = reply, actor.id, utcnow()
    if upheld and objection.nomination_id is not None:
        db.session.get(Nomination, objection.nomination_id).disqualified = True
    db.session.flush()
    record_audit("selection.objection.decide", "selection_objection", objection.id, old={"status": "open"},
                 new={"status": objection.status, "reply": reply, "nomination_id": objection.nomination_id},
                 actor_id=actor.id)
    return objection


# -- the result --------------------------------------------------------------------------------------------------

def finalize_blocker(rnd: SelectionRound) -> str | None:
    if rnd.state != "notice":
        return "结果已确定" if rnd.state == "final" else "本次评选尚未公示"
    if not rnd.notice_over:
        return "公示期未结束"
    if db.session.execute(select(func.count()).where(Objection.round_id == rnd.id,
                                                     Objection.status == "open")).scalar_one():
        return "还有异议待处理"
    return None


def award_number(rnd: SelectionRound, position: int, year: int) -> str:
    return f"RY{year}-{rnd.id:04d}-{position:02d}"


def record_awards(rnd: SelectionRound) -> list[Award]:
    """An award per winner (shortlisted and not disqualified), in rank order; a person's also an Honor."""
    table = standings(rnd)
    granted_on = local_today()
    issuer = db.session.get(Organization, rnd.organization_id).name
    winners = sorted((s for s in table.values() if s.shortlisted), key=lambda s: (s.rank, s.nomination_id))
    nominations = {n.id: n for n in db.session.execute(select(Nomination).where(
        Nomination.id.in_([s.nomination_id for s in winners]), Nomination.disqualified.is_(False))).scalars()}
    awards = []
    for standing in (s for s in winners if s.nomination_id in nominations):
        nomination = nominations[standing.nomination_id]
        honor = None
        if nomination.nominee_user_id is not None:
            honor = Honor(user_id=nomination.nominee_user_id, title=rnd.title, granted_by=issuer,
                          granted_on=granted_on)
            db.session.add(honor)
            db.session.flush()
        award = Award(round_id=rnd.id, nomination_id=nomination.id, rank=standing.rank, mean_score=standing.mean,
                      number=award_number(rnd, len(awards) + 1, granted_on.year),
                      honor_id=honor.id if honor else None, granted_on=granted_on)
        db.session.add(award)
        awards.append(award)
        link = f"/registry/selections/awards/{award.number}.pdf"
        for user_id in {nomination.nominee_user_id, nomination.nominated_by_id} - {None}:
            notify(user_id, f"评选结果：{rnd.title}", f"荣誉证书编号 {award.number}", link, kind="selection")
    db.session.flush()
    return awards


def finalize_round(rnd: SelectionRound, actor_id: int | None = None) -> list[Award]:
    reason = finalize_blocker(rnd)
    if reason:
        raise Conflict(f"结果还不能确定：{reason}", {"state": reason}, code="wrong_state")
    rnd.finalize()
    awards = record_awards(rnd)
    record_audit("selection.finalize", "selection_round", rnd.id, old={"state": "notice"}, actor_id=actor_id,
                 new={"state": "final", "awards": [{"nomination_id": a.nomination_id, "number": a.number,
                                                    "rank": a.rank, "mean": str(a.mean_score)} for a in awards]})
    return awards


def finalize_by(actor, round_id: int) -> list[Award]:
    rnd, _ = get_round(actor, round_id, "manage", lock=True)
    return finalize_round(rnd, actor.id)
