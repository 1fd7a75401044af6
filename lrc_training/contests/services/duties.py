"""Separation of duties in a competition: the code keepers (who hold the code ↔ name list), the supervision/
arbitration group and the judges are different people, fixed before check-in.

- Nobody appoints or removes themself to or from any of the three (403 `self_appointment`), admins included.
- One person holds at most one of them in a competition (422 `separation_of_duties`).
- Once check-in has opened (a contestant checked in, or codes drawn) only an admin changes them (409
  `duties_fixed`). The platform has no notion of an organization's head (负责人), so "the organizing body's head"
  of the rule is the platform administrator; every change is audited, and one after check-in says so.

The services of checkin (officials), setup (judges) and panels (chief judge, removal, automatic panels) call these
checks, so the API and the pages enforce the same rule."""

from __future__ import annotations

from sqlalchemy import select

from ...auth.roles import ADMIN
from ...core.errors import Conflict, Forbidden, ValidationFailed
from ...extensions import db
from ..models import DUTIES, Competition, CompetitionOfficial, JudgeAssignment, Registration

LABELS = {**DUTIES, "judge": "裁判员"}


def check_in_opened(competition: Competition) -> bool:
    """Check-in has opened: codes were drawn (scoring started) or a contestant has checked in."""
    if competition.state != "registration":
        return True
    return db.session.execute(select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.checked_in_at.is_not(None)).limit(1)
    ).scalar() is not None


def require_may_change(actor, competition: Competition, target_user_id: int | None, field: str) -> bool:
    """Refuse a change of duties the actor may not make; returns whether check-in has opened (for the audit)."""
    if target_user_id is not None and target_user_id == actor.id:
        raise Forbidden("不能为自己指定或取消编码保管员、监督仲裁组或裁判职责，须由组委会其他成员办理",
                        {field: "不能为自己指定或取消"}, code="self_appointment")
    opened = check_in_opened(competition)
    if opened and not actor.has_role(ADMIN):
        raise Conflict("签到已开始，编码保管员、监督仲裁组和裁判组已固定；确需调整的，请由平台管理员办理",
                       {"competition": "签到已开始，人员分工已固定"}, code="duties_fixed")
    return opened


def duties_of(competition: Competition, user_id: int) -> set[str]:
    held = set(db.session.execute(select(CompetitionOfficial.duty).where(
        CompetitionOfficial.competition_id == competition.id, CompetitionOfficial.user_id == user_id)).scalars())
    if db.session.execute(select(JudgeAssignment.id).where(
            JudgeAssignment.competition_id == competition.id, JudgeAssignment.user_id == user_id).limit(1)).scalar():
        held.add("judge")
    return held


def require_no_other_duty(competition: Competition, user_id: int, duty: str, field: str) -> None:
    others = duties_of(competition, user_id) - {duty}
    if others:
        held = "、".join(LABELS[d] for d in sorted(others))
        message = f"编码保管员、监督仲裁组和裁判员须由不同的人担任：此人已是本竞赛的{held}，不能再担任{LABELS[duty]}"
        raise ValidationFailed(message, {field: f"已是{held}"}, code="separation_of_duties")


def busy_with_other_duties(competition: Competition) -> set[int]:
    """Everyone who is a code keeper or in the supervision group (never a judge as well)."""
    return set(db.session.execute(select(CompetitionOfficial.user_id).where(
        CompetitionOfficial.competition_id == competition.id)).scalars())
