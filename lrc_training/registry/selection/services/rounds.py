"""Rounds of a selection: who may do what with one (capacities), opening, editing a draft and moving it on.

Capacities, worked out per round and caller:
* manage — admins, and staff of an hrss organization whose region scope contains the round's (the registry's
  rule: 人社 staff read and write their region). They see everything of the round.
* nominate — staff of any other organization whose region lies in the round's scope, once the round is open. They
  see the round and their own organization's nominations only.
* review — the round's appointed reviewers, once it is open. From the review on they see every nomination, to
  score it.
Anyone else gets 404, as if the round did not exist (a draft is invisible to all but its managers)."""

from __future__ import annotations

from sqlalchemy import select

from ....auth.roles import ORG_STAFF
from ....core.audit import record_audit
from ....core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ....core.regions import in_region
from ....db import utcnow
from ....extensions import db
from ..models import Reviewer, SelectionRound
from ..queries import hrss_scope, round_scope
from ..schemas import RoundIn


def capacities(actor, rnd: SelectionRound) -> frozenset[str]:
    caps = set()
    scope = hrss_scope(actor)
    if scope is not None and round_scope(rnd).startswith(scope):
        caps.add("manage")
    if rnd.state == "draft":
        return frozenset(caps)
    org = actor.organization if actor.has_role(ORG_STAFF) else None
    if org is not None and org.kind != "hrss" and org.active and in_region(org.region_code, round_scope(rnd)):
        caps.add("nominate")
    if db.session.execute(select(Reviewer.id).where(
            Reviewer.round_id == rnd.id, Reviewer.user_id == actor.id)).scalar() is not None:
        caps.add("review")
    return frozenset(caps)


def get_round(actor, round_id: int, need: str | None = None, *, lock: bool = False
              ) -> tuple[SelectionRound, frozenset[str]]:
    """The round and the caller's capacities; 404 when they have none, 403 when they lack `need`."""
    stmt = select(SelectionRound).where(SelectionRound.id == round_id)
    rnd = db.session.execute(stmt.with_for_update() if lock else stmt).scalar()
    caps = capacities(actor, rnd) if rnd is not None else frozenset()
    if not caps:
        raise NotFound("评选不存在或不在您的范围内", {"round_id": "不存在"})
    if need and need not in caps:
        raise Forbidden({"manage": "只有评选所在地区的人社部门工作人员可以办理",
                         "nominate": "只有评选范围内单位的工作人员可以推荐",
                         "review": "您不是本次评选的评审专家"}[need])
    return rnd, caps


def check_round(data: RoundIn) -> dict[str, str]:
    """What the schema cannot know: the nomination deadline must still be ahead (in Chinese, by field)."""
    return {"nomination_deadline": "应晚于现在"} if data.nomination_deadline <= utcnow() else {}


def _audit_view(rnd: SelectionRound) -> dict:
    return {"title": rnd.title, "kind": rnd.kind, "quota": rnd.quota, "per_org_limit": rnd.per_org_limit,
            "nomination_deadline": rnd.nomination_deadline.isoformat(),
            "review_deadline": rnd.review_deadline.isoformat(), "notice_days": rnd.notice_days, "state": rnd.state}


def _apply(rnd: SelectionRound, data: RoundIn) -> None:
    fields = check_round(data)
    if fields:
        raise ValidationFailed("输入不符合要求：" + "；".join(f"{k} {v}" for k, v in fields.items()), fields)
    rnd.title, rnd.kind, rnd.standard = data.title, data.kind, data.standard
    rnd.quota, rnd.per_org_limit, rnd.notice_days = data.quota, data.per_org_limit, data.notice_days
    rnd.nomination_deadline, rnd.review_deadline = data.nomination_deadline, data.review_deadline


def create_round(actor, data: RoundIn) -> SelectionRound:
    """A draft round for the caller's hrss organization and its region (hrss staff only; audited)."""
    org = actor.organization if actor.has_role(ORG_STAFF) else None
    if org is None or org.kind != "hrss":
        raise Forbidden("只有人力资源社会保障部门的工作人员可以开启评选")
    rnd = SelectionRound(organization_id=org.id, region_code=org.region_code, state="draft", created_by_id=actor.id)
    _apply(rnd, data)
    db.session.add(rnd)
    db.session.flush()
    record_audit("selection.create", "selection_round", rnd.id, new=_audit_view(rnd), actor_id=actor.id)
    return rnd


def update_round(actor, round_id: int, data: RoundIn, version: int | None) -> SelectionRound:
    """Edit a draft (409 once it is open, or when someone else saved first)."""
    rnd, _ = get_round(actor, round_id, "manage")
    if rnd.state != "draft":
        raise Conflict("评选开始推荐后不能再修改", {"state": rnd.state_label}, code="wrong_state")
    if version != rnd.version:
        raise Conflict("该评选已被他人修改，请刷新后重新编辑", {"version": "版本已过期"}, code="stale_version")
    old = _audit_view(rnd)
    _apply(rnd, data)
    db.session.flush()
    record_audit("selection.update", "selection_round", rnd.id, old=old, new=_audit_view(rnd), actor_id=actor.id)
    return rnd


TRANSITIONS = {"open": "open_nominations", "review": "start_review", "notice": "post_notice"}


def move_round(actor, round_id: int, step: str) -> SelectionRound:
    """open (start nominating), review (close nominations), notice (post the shortlist) — by the round's
    managers; the model method refuses an illegal move. Posting the notice also needs a complete panel's scores."""
    if step not in TRANSITIONS:
        raise ValidationFailed("未知操作", {"step": "取值应为：" + "、".join(TRANSITIONS)})
    rnd, _ = get_round(actor, round_id, "manage", lock=True)
    old = rnd.state
    if step == "notice":
        from .review import notice_blocker

        reason = notice_blocker(rnd)
        if reason:
            raise Conflict(f"还不能公示：{reason}", {"state": reason}, code="not_ready")
    getattr(rnd, TRANSITIONS[step])()
    db.session.flush()
    record_audit(f"selection.{step}", "selection_round", rnd.id, old={"state": old}, new={"state": rnd.state},
                 actor_id=actor.id)
    return rnd


def close_due_nominations() -> int:
    """Move every nominating round past its deadline into review (the scheduler job's first half; idempotent)."""
    due = db.session.execute(select(SelectionRound).where(SelectionRound.state == "nominating",
                                                          SelectionRound.nomination_deadline <= utcnow())).scalars()
    moved = 0
    for rnd in due:
        rnd.start_review()
        record_audit("selection.review", "selection_round", rnd.id, old={"state": "nominating"},
                     new={"state": rnd.state}, reason="推荐截止，自动进入评审")
        moved += 1
    db.session.flush()
    return moved
