"""The end of the notice period (公示期): a scheduler job makes results final once the period is over, no appeal
is pending and every sheet is submitted; then the rewards are recorded — one-level promotions for the configured
awards (each marked not eligible, with the reason, when the competition requires the lower certificate and the
person lacks it; the committee then asks an accredited evaluator to issue the level certificates,
promotions.py) and the honor title (技术能手) for the top N,
which the registry records in its honors through the listener it registers (on_honor_granted)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...certificates.queries import highest_level_of
from ...core.audit import record_audit
from ...core.errors import Conflict
from ...core.notifications import notify
from ...core.timeutil import to_local
from ...db import utcnow
from ...extensions import db
from ..models import AWARD_LABELS, Appeal, Competition, Registration, Reward
from .promotions import ineligible_reason
from .results import all_sheets_submitted, standings

# Called for every honor title granted: (person's user id, title, granting organization's name, date). The registry
# keeps its register of honors this way; it registers its listener in create_app (contests imports no registry).
HonorListener = Callable[[int, str, str, date], None]
HONOR_LISTENERS = "contests.honor_listeners"


def on_honor_granted(app: Flask, listener: HonorListener) -> None:
    listeners = app.extensions.setdefault(HONOR_LISTENERS, [])
    if listener not in listeners:
        listeners.append(listener)


def honor_listeners() -> list[HonorListener]:
    return list(current_app.extensions.get(HONOR_LISTENERS, []))


def blocking_reason(competition: Competition) -> str | None:
    """Why the results cannot be final yet (None when they can)."""
    if competition.state != "published":
        return "结果尚未公布" if competition.state != "final" else "结果已确定"
    if utcnow() < competition.notice_ends_at:
        return "公示期未结束"
    if db.session.execute(select(Appeal.id).where(Appeal.competition_id == competition.id,
                                                  Appeal.status == "pending")).scalar():
        return "还有申诉待处理"
    if not all_sheets_submitted(competition):
        return "还有更正中的评分表未提交"
    return None


def promoted_level(competition: Competition, user_id: int) -> tuple[int | None, int | None]:
    """(the level held, the level promoted to): one level above the highest level held (capped at level 1);
    someone without a level certificate is promoted to the competition's standard level. The target is None when
    there is nothing to promote to."""
    held = highest_level_of(user_id)
    target = competition.level if held is None else held - 1
    return held, (target if target >= 1 and (held is None or target < held) else None)


def _promotion(competition: Competition, registration_id: int, user_id: int, award: str) -> Reward | None:
    held, level = promoted_level(competition, user_id)
    if level is None:
        return None
    reason = ineligible_reason(competition, held, level)
    return Reward(competition_id=competition.id, registration_id=registration_id, user_id=user_id, kind="promotion",
                  level=level, title=f"{AWARD_LABELS[award]}，晋升{level}级", ineligible_reason=reason)


def record_rewards(competition: Competition) -> list[Reward]:
    registrations = {r.id: r for r in db.session.execute(select(Registration).options(
        joinedload(Registration.user)).where(Registration.competition_id == competition.id)).scalars()}
    granted_on = to_local(utcnow()).date()
    rewards = []
    for s in standings(competition):
        user = registrations[s.key].user
        if s.award and s.award in (competition.promotion_awards or []):
            promotion = _promotion(competition, s.key, user.id, s.award)
            if promotion is not None:
                rewards.append(promotion)
        if competition.honor_top_n and s.rank <= competition.honor_top_n:
            rewards.append(Reward(competition_id=competition.id, registration_id=s.key, user_id=user.id,
                                  kind="honor", title=competition.honor_title))
            for listener in honor_listeners():
                listener(user.id, competition.honor_title, competition.organization.name, granted_on)
    db.session.add_all(rewards)
    db.session.flush()
    for reward in rewards:
        body = reward.title + (f"（不符合晋级条件：{reward.ineligible_reason}）" if reward.ineligible_reason else "")
        notify(reward.user_id, f"竞赛奖励：{competition.title}", body,
               link=f"/contests/{competition.id}/mine", kind="results")
    return rewards


def finalize(competition: Competition) -> list[Reward]:
    reason = blocking_reason(competition)
    if reason:
        raise Conflict(f"结果还不能确定：{reason}", {"competition": reason}, code="wrong_state")
    competition.state, competition.finalized_at = "final", utcnow()
    rewards = record_rewards(competition)
    record_audit("competition.finalize", "competition", competition.id,
                 new={"rewards": len(rewards), "promotions": sum(r.kind == "promotion" for r in rewards),
                      "not_eligible": sum(bool(r.ineligible_reason) for r in rewards)})
    return rewards
