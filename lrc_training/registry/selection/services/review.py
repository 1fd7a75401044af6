"""The review panel: appointing reviewers, their scores, the ranking and the shortlist.

Conflicts of interest (回避): a nominee of the round may not review it (refused at appointment, and their scores
refused should they be nominated later); a reviewer never scores a nomination made by their own organization.
Each reviewer scores each other nomination 0–100 (two decimals) with a comment; a nomination's result is the mean
of its scores rounded half-up to two decimals *before* ranking, so two means equal to the cent share a rank (1, 2, 2,
4). The shortlist is every nomination ranked within the quota; a tie across the last place blocks the notice until
the panel settles it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ....auth.models import User
from ....core.audit import record_audit
from ....core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ....core.notifications import notify
from ....db import utcnow
from ....extensions import db
from ..models import MAX_SCORE, Nomination, Reviewer, Score, SelectionRound
from ..queries import reviewers_of
from ..schemas import ScoreIn
from .rounds import get_round

CENT = Decimal("0.01")


# -- the panel ---------------------------------------------------------------------------------------------------

def _nominee_ids(round_id: int) -> set[int]:
    return set(db.session.execute(select(Nomination.nominee_user_id).where(
        Nomination.round_id == round_id, Nomination.nominee_user_id.is_not(None))).scalars())


def appoint_reviewer(actor, round_id: int, username: str | None) -> Reviewer:
    """Add someone to the panel (the round's managers, until the notice; audited and notified)."""
    rnd, _ = get_round(actor, round_id, "manage")
    if rnd.state in ("notice", "final"):
        raise Conflict("公示后不能再调整评审专家", {"state": rnd.state_label}, code="wrong_state")
    user = db.session.execute(select(User).where(User.username == (username or "").strip())).scalar()
    if user is None or not user.active:
        raise ValidationFailed("用户不存在或已停用", {"username": "用户不存在或已停用"})
    if user.id in _nominee_ids(rnd.id):
        raise Conflict("被推荐人不能担任本次评选的评审专家（回避）", {"username": "该用户是被推荐人"},
                       code="conflict_of_interest")
    reviewer = Reviewer(round_id=rnd.id, user_id=user.id, appointed_by_id=actor.id)
    try:
        with db.session.begin_nested():  # a savepoint: the duplicate fails alone, not the request's transaction
            db.session.add(reviewer)
    except IntegrityError:
        raise Conflict("该用户已是评审专家", {"username": "已是评审专家"}, code="duplicate") from None
    record_audit("selection.reviewer.appoint", "selection_round", rnd.id, new={"user_id": user.id},
                 actor_id=actor.id)
    notify(user.id, f"评审任务：{rnd.title}", f"评审截止 {rnd.review_deadline:%Y-%m-%d}",
           f"/registry/selections/{rnd.id}", kind="selection")
    return reviewer


def remove_reviewer(actor, round_id: int, user_id: int) -> None:
    """Take someone off the panel with their scores (the round's managers, until the notice; audited)."""
    rnd, _ = get_round(actor, round_id, "manage")
    if rnd.state in ("notice", "final"):
        raise Conflict("公示后不能再调整评审专家", {"state": rnd.state_label}, code="wrong_state")
    reviewer = db.session.execute(select(Reviewer).where(Reviewer.round_id == rnd.id,
                                                         Reviewer.user_id == user_id)).scalar()
    if reviewer is None:
        raise NotFound("该用户不是评审专家", {"user_id": "不是评审专家"})
    nominations = select(Nomination.id).where(Nomination.round_id == rnd.id)
    removed = db.session.execute(delete(Score).where(Score.reviewer_user_id == user_id,
                                                     Score.nomination_id.in_(nominations))
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.delete(reviewer)
    db.session.flush()
    record_audit("selection.reviewer.remove", "selection_round", rnd.id,
                 old={"user_id": user_id, "scores": removed}, actor_id=actor.id)


def recusal(reviewer: User, nomination: Nomination, nominee_ids: set[int]) -> str | None:
    """Why this reviewer may not score this nomination (None when they may)."""
    if reviewer.id in nominee_ids:
        return "您是本次评选的被推荐人，不能评分（回避）"
    if reviewer.organization_id is not None and reviewer.organization_id == nomination.organization_id:
        return "不能为本单位推荐的人选评分（回避）"
    return None


# -- scores ------------------------------------------------------------------------------------------------------

def parse_score(value) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("分数应为 0–100 的数字", {"score": "应为 0–100 的数字"}) from None
    if not score.is_finite() or not 0 <= score <= MAX_SCORE or score != score.quantize(CENT):
        raise ValidationFailed("分数应为 0–100，最多两位小数", {"score": "应为 0–100，最多两位小数"})
    return score


def submit_score(actor, round_id: int, data: ScoreIn) -> Score:
    """Save a reviewer's score (audited, old and new). Changing one needs the version the reviewer saw (409 when
    it moved on, or when a first score was saved by another tab a moment ago). The schema bounds the score and the
    comment; at most two decimals is checked here (a float cannot say)."""
    rnd, _ = get_round(actor, round_id, "review", lock=True)
    if rnd.state != "reviewing" or utcnow() >= rnd.review_deadline:
        raise Conflict("评审已截止" if rnd.state == "reviewing" else "本次评选不在评审阶段",
                       {"score": "评审已截止"}, code="closed")
    nomination = db.session.execute(select(Nomination).where(Nomination.id == data.nomination_id,
                                                             Nomination.round_id == rnd.id)).scalar()
    if nomination is None:
        raise NotFound("推荐人选不存在", {"nomination_id": "不存在"})
    reason = recusal(actor, nomination, _nominee_ids(rnd.id))
    if reason:
        raise Forbidden(reason, {"nomination_id": reason}, code="conflict_of_interest")
    value, comment = parse_score(data.score), data.comment
    row = db.session.execute(select(Score).where(Score.nomination_id == nomination.id,
                                                 Score.reviewer_user_id == actor.id)).scalar()
    if (row.version if row else None) != data.version:
        raise Conflict("评分已在别处修改，请刷新后重新填写", {"version": "版本已过期"}, code="stale_version")
    old = {"score": str(row.score), "comment": row.comment} if row else None
    try:
        with db.session.begin_nested():
            if row is None:
                row = Score(nomination_id=nomination.id, reviewer_user_id=actor.id)
                db.session.add(row)
            row.score, row.comment = value, comment
    except IntegrityError:
        raise Conflict("评分已在别处提交，请刷新后重新填写", {"version": "版本已过期"}, code="stale_version") from None
    record_audit("selection.score", "selection_score", row.id, old=old, actor_id=actor.id,
                 new={"nomination_id": nomination.id, "score": str(value), "comment": comment})
    return row


# -- ranking -----------------------------------------------------------------------------------------------------

@dataclass
class Standing:
    nomination_id: int
    mean: Decimal | None
    count: int
    rank: int | None = None
    shortlisted: bool = False


def mean_of(scores: list[Decimal]) -> Decimal | None:
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


def standings(rnd: SelectionRound) -> dict[int, Standing]:
    """Every nomination's mean, rank and place on the shortlist (two statements)."""
    ids = list(db.session.execute(select(Nomination.id).where(Nomination.round_id == rnd.id)
                                  .order_by(Nomination.id)).scalars())
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for nomination_id, value in db.session.execute(select(Score.nomination_id, Score.score).join(
            Nomination, Nomination.id == Score.nomination_id).where(Nomination.round_id == rnd.id)):
        scores[nomination_id].append(Decimal(value))
    result = {i: Standing(i, mean_of(scores[i]), len(scores[i])) for i in ids}
    ranked = sorted((s for s in result.values() if s.mean is not None), key=lambda s: (-s.mean, s.nomination_id))
    for position, standing in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        standing.rank = previous.rank if previous is not None and previous.mean == standing.mean else position
        standing.shortlisted = standing.rank <= rnd.quota
    return result


def missing_scores(rnd: SelectionRound) -> int:
    """Score sheets the panel still owes: every reviewer × every nomination they may score, minus those given."""
    nominee_ids = _nominee_ids(rnd.id)
    nominations = list(db.session.execute(select(Nomination).where(Nomination.round_id == rnd.id)).scalars())
    given = {(n, r) for n, r in db.session.execute(select(Score.nomination_id, Score.reviewer_user_id).join(
        Nomination, Nomination.id == Score.nomination_id).where(Nomination.round_id == rnd.id))}
    return sum(1 for _, user in reviewers_of(rnd.id) for n in nominations
               if recusal(user, n, nominee_ids) is None and (n.id, user.id) not in given)


def notice_blocker(rnd: SelectionRound) -> str | None:
    """Why the shortlist cannot be posted yet (None when it can)."""
    if not reviewers_of(rnd.id):
        return "尚未指定评审专家"
    table = standings(rnd)
    if not table:
        return "没有推荐人选"
    missing = missing_scores(rnd)
    if missing:
        return f"还有 {missing} 份评分未提交"
    if any(s.mean is None for s in table.values()):
        return "有推荐人选没有可评分的评审专家（均需回避）"
    shortlisted = sum(s.shortlisted for s in table.values())
    if shortlisted > rnd.quota:
        return f"名额 {rnd.quota} 名，末位并列后入围 {shortlisted} 名：请评审专家复核评分"
    return None
