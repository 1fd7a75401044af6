"""Stages and qualifiers: a final takes the top N of its preliminary (初赛 → 决赛), and a national competition takes
the top N of each provincial competition, in one step. Contestants who share the last qualifying rank all advance."""

from __future__ import annotations

from sqlalchemy import select

from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.notifications import notify
from ...extensions import db
from ..models import Competition, Qualification, Registration
from .access import is_committee
from .results import standings


def qualifier_sources(competition: Competition) -> list[Competition]:
    """Competitions whose qualifiers this one may take: the committee's own published preliminaries for a final,
    published provincial competitions for a national one."""
    stmt = select(Competition).where(Competition.state.in_(("published", "final")), Competition.id != competition.id)
    if competition.tier == "national":
        stmt = stmt.where(Competition.tier == "provincial")
    elif competition.stage == "final":
        stmt = stmt.where(Competition.stage == "preliminary", Competition.organization_id == competition.organization_id)
    else:
        return []
    return list(db.session.execute(stmt.order_by(Competition.id.desc())).scalars())


def take_qualifiers(actor, competition: Competition, source_id: int, top_n: int | None = None) -> list[Registration]:
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    if competition.state != "registration":
        raise Conflict("报名阶段结束后不能再录入晋级选手", {"competition": "报名已结束"}, code="wrong_state")
    source = next((c for c in qualifier_sources(competition) if c.id == source_id), None)
    if source is None:
        raise ValidationFailed("该竞赛不能作为晋级来源（须为结果已公布的本机构初赛，或国赛取省赛选手）",
                               {"source_id": "不能作为晋级来源"})
    top_n = top_n if top_n is not None else source.advance_count
    if not isinstance(top_n, int) or not 1 <= top_n <= 10000:
        raise ValidationFailed("晋级人数应为 1 到 10000", {"top_n": "应为 1 到 10000"})
    if db.session.execute(select(Qualification.id).where(
            Qualification.competition_id == competition.id, Qualification.source_id == source.id)).scalar():
        raise Conflict("已录入该竞赛的晋级选手", {"source_id": "已录入"}, code="duplicate")
    already = set(db.session.execute(select(Registration.user_id).where(
        Registration.competition_id == competition.id)).scalars())
    source_regs = {r.id: r for r in db.session.execute(select(Registration).where(
        Registration.competition_id == source.id)).scalars()}
    taken = []
    for s in standings(source):
        reg = source_regs[s.key]
        if s.rank > top_n or reg.user_id in already:
            continue
        registration = Registration(competition_id=competition.id, user_id=reg.user_id,
                                    organization_id=reg.organization_id, status="approved",
                                    registered_by_id=actor.id, qualified_from_id=source.id)
        db.session.add(registration)
        taken.append(registration)
        already.add(reg.user_id)
    db.session.add(Qualification(competition_id=competition.id, source_id=source.id, top_n=top_n, taken=len(taken),
                                 taken_by_id=actor.id))
    db.session.flush()
    record_audit("competition.take_qualifiers", "competition", competition.id,
                 new={"source_id": source.id, "top_n": top_n, "taken": len(taken)}, actor_id=actor.id)
    for registration in taken:
        notify(registration.user_id, f"晋级：{competition.title}",
               f"您在“{source.title}”中取得晋级资格，已报名{competition.title}。",
               link="/contests/", kind="competition_registration")
    return taken
