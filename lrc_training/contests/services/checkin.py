"""Check-in and anonymity: each contestant who checks in draws a random contestant code (一次加密) and a random
station number for practical items (二次加密). Designated code keepers alone (besides admins) see the mapping
once any are designated; closing check-in starts scoring. Appointing officials follows contests.duties."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select

from ...auth.models import User
from ...auth.roles import ADMIN, ORG_STAFF
from ...core.audit import record_audit
from ...core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ...db import utcnow
from ...extensions import db
from ..models import DUTIES, Competition, CompetitionItem, CompetitionOfficial, JudgingSheet, Registration
from .access import is_committee
from .duties import duties_of, require_may_change, require_no_other_duty

CODE_SPACE = 99999


def officials(competition: Competition, duty: str) -> list[CompetitionOfficial]:
    return list(db.session.execute(select(CompetitionOfficial).where(
        CompetitionOfficial.competition_id == competition.id, CompetitionOfficial.duty == duty)
        .order_by(CompetitionOfficial.id)).scalars())


def _judges_or_supervises(actor, competition: Competition) -> bool:
    return bool(duties_of(competition, actor.id) & {"judge", "supervisor"})


def holds_mapping(actor, competition: Competition) -> bool:
    """A designated code keeper, or an admin — never a judge or member of the supervision group of this
    competition. What the control room shows codes and stations to."""
    if actor is None or not is_committee(actor, competition) or _judges_or_supervises(actor, competition):
        return False
    return actor.has_role(ADMIN) or actor.id in {o.user_id for o in officials(competition, "code_keeper")}


def can_see_mapping(actor, competition: Competition) -> bool:
    """Who may check contestants in and draw codes: the holders above, or — while no code keeper is designated,
    as API v1 has it (the draw's answer goes to the committee) — the committee's staff, still never a judge or a
    supervisor of this competition. Once a keeper is designated the committee cannot fall back to this (the last
    keeper cannot be removed except by an admin)."""
    if holds_mapping(actor, competition):
        return True
    if actor is None or not is_committee(actor, competition) or _judges_or_supervises(actor, competition):
        return False
    return not officials(competition, "code_keeper")


def require_mapping(actor, competition: Competition) -> None:
    if not can_see_mapping(actor, competition):
        raise Forbidden("选手编号与姓名的对应关系只有指定的编码保管员可以查看", {"competition": "无权查看编码"})


NO_SUCH_OFFICIAL = "未找到可担任该职责的用户"


def _eligible(user: User | None, competition: Competition, duty: str) -> bool:
    """A code keeper is one of the committee's staff; the supervision group are staff of an organization (or
    admins). Anyone else — and nobody at all — gets the same answer, so the field is no username oracle."""
    if user is None or not user.is_active:
        return False
    if duty == "code_keeper":
        return is_committee(user, competition)
    return user.has_role(ORG_STAFF) or user.has_role(ADMIN)


def designate(actor, competition: Competition, username: str, duty: str) -> CompetitionOfficial:
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    if duty not in DUTIES:
        raise ValidationFailed("职责应为编码保管员或监督仲裁组", {"duty": "未知职责"})
    user = db.session.execute(select(User).where(User.username == (username or "").strip())).scalar()
    after_check_in = require_may_change(actor, competition, user.id if user else None, "username")
    if not _eligible(user, competition, duty):
        raise ValidationFailed(NO_SUCH_OFFICIAL, {"username": NO_SUCH_OFFICIAL})
    if db.session.execute(select(Registration.id).where(
            Registration.competition_id == competition.id, Registration.user_id == user.id)).scalar():
        raise ValidationFailed("参赛选手不能担任该职责", {"username": "是参赛选手"})
    if db.session.execute(select(CompetitionOfficial.id).where(
            CompetitionOfficial.competition_id == competition.id, CompetitionOfficial.user_id == user.id,
            CompetitionOfficial.duty == duty)).scalar():
        raise Conflict("已指定", {"username": "已指定"}, code="duplicate")
    require_no_other_duty(competition, user.id, duty, "username")
    official = CompetitionOfficial(competition_id=competition.id, user_id=user.id, duty=duty)
    db.session.add(official)
    db.session.flush()
    record_audit("competition.designate", "competition", competition.id,
                 new={"user_id": user.id, "duty": duty, "after_check_in": after_check_in}, actor_id=actor.id)
    return official


def remove_official(actor, competition: Competition, official_id: int) -> None:
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    official = db.session.get(CompetitionOfficial, official_id)
    if official is None or official.competition_id != competition.id:
        raise NotFound("指定记录不存在")
    after_check_in = require_may_change(actor, competition, official.user_id, "official_id")
    if official.duty == "code_keeper" and not actor.has_role(ADMIN) and len(officials(competition, "code_keeper")) == 1:
        raise Conflict("不能取消唯一的编码保管员（否则组委会全体都能看到编号对应关系）；请先指定新的编码保管员",
                       {"official_id": "唯一的编码保管员"}, code="last_code_keeper")
    db.session.execute(delete(CompetitionOfficial).where(CompetitionOfficial.id == official.id))
    record_audit("competition.undesignate", "competition", competition.id,
                 old={"user_id": official.user_id, "duty": official.duty}, new={"after_check_in": after_check_in},
                 actor_id=actor.id)


def _free_codes(competition: Competition) -> tuple[set[str], set[str], int]:
    rows = db.session.execute(select(Registration.contestant_code, Registration.station_number).where(
        Registration.competition_id == competition.id, Registration.contestant_code.is_not(None))).all()
    approved = db.session.execute(select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.status == "approved")).all()
    return {r[0] for r in rows}, {r[1] for r in rows if r[1]}, len(approved)


def check_in(actor, competition: Competition, registration: Registration) -> Registration:
    """Check one contestant in: a random code no one else in the competition has, and a random free station."""
    require_mapping(actor, competition)
    if registration.competition_id != competition.id:
        raise NotFound("报名记录不存在")
    if competition.state != "registration":
        raise Conflict("签到已结束", {"competition": "签到已结束"}, code="wrong_state")
    if registration.status != "approved":
        raise ValidationFailed("只有审核通过的选手可以签到", {"registration_id": "报名未通过审核"})
    if registration.checked_in_at is not None:
        raise Conflict("该选手已签到", {"registration_id": "已签到"}, code="duplicate")
    codes, stations, approved = _free_codes(competition)
    rng = secrets.SystemRandom()
    code = f"C{rng.randint(1, CODE_SPACE):05d}"
    while code in codes:
        code = f"C{rng.randint(1, CODE_SPACE):05d}"
    free_stations = [f"{n:03d}" for n in range(1, approved + 1) if f"{n:03d}" not in stations]
    registration.contestant_code = code
    registration.station_number = rng.choice(free_stations) if free_stations else f"{approved + len(stations) + 1:03d}"
    registration.checked_in_at = utcnow()
    db.session.flush()
    record_audit("competition.check_in", "competition_registration", registration.id,
                 new={"checked_in": True}, actor_id=actor.id)
    return registration


def close_check_in(actor, competition: Competition) -> int:
    """End check-in: scoring starts for the contestants who checked in; the others are absent."""
    require_mapping(actor, competition)
    if competition.state != "registration":
        raise Conflict("签到已结束", {"competition": "签到已结束"}, code="wrong_state")
    present = db.session.execute(select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.checked_in_at.is_not(None))).all()
    if not present:
        raise ValidationFailed("还没有选手签到", {"competition": "无人签到"})
    competition.state = "drawn"
    db.session.flush()
    record_audit("competition.close_check_in", "competition", competition.id, new={"present": len(present)}, actor_id=actor.id)
    return len(present)


def draw(actor, competition: Competition) -> list[Registration]:
    """Give every approved contestant a random code (and a station number for practical items)."""
    if not is_committee(actor, competition):
        raise NotFound("竞赛不存在")
    started = db.session.execute(select(func.count()).select_from(JudgingSheet).join(
        CompetitionItem, CompetitionItem.id == JudgingSheet.item_id).where(
        CompetitionItem.competition_id == competition.id, JudgingSheet.version > 1)).scalar_one()
    if started or competition.state in ("published", "final"):
        raise Conflict("评分已开始，不能重新抽签", {"competition": "评分已开始"}, code="scoring_started")
    approved = list(db.session.execute(select(Registration).where(
        Registration.competition_id == competition.id, Registration.status == "approved")).scalars())
    rng = secrets.SystemRandom()
    codes = rng.sample(range(1, 1000 * max(1, len(approved))), len(approved))
    stations = rng.sample(range(1, len(approved) + 1), len(approved))
    for registration in approved:
        registration.contestant_code = None
    db.session.flush()
    for registration, code, station in zip(approved, codes, stations, strict=True):
        registration.contestant_code = f"C{code:05d}"
        registration.station_number = f"{station:03d}"
        registration.checked_in_at = registration.checked_in_at or utcnow()
    competition.state = "drawn"
    db.session.flush()
    record_audit("competition.draw", "competition", competition.id, new={"contestants": len(approved)})
    return approved
