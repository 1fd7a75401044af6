"""Results of a competition: item scores aggregated from the judges' sheets, weighted totals, ranks with the
tie-break order, awards, and publication. Every number can be traced to the sheets it came from."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...auth.models import User
from ...core.audit import record_audit
from ...core.errors import Conflict
from ...core.notifications import notify
from ...db import utcnow
from ...exams.queries import published_session_count, theory_scores
from ...extensions import db
from ..models import AWARD_LABELS, Competition, JudgeAssignment, JudgingSheet, Registration
from .ranking import Standing, aggregate, assign_awards, rank, to_decimal, to_fraction


def all_sheets_submitted(competition: Competition) -> bool:
    """Scoring is complete: every judge on every judged item has submitted a sheet for every coded contestant
    (a sheet nobody has opened yet counts as missing), and every exam-scored item's exam session has published
    its results."""
    judged = [i.id for i in competition.items if i.exam_session_id is None]
    exams = [i.exam_session_id for i in competition.items if i.exam_session_id is not None]
    if exams:
        if published_session_count(exams) < len(set(exams)):
            return False
    if not judged:
        return bool(exams)
    coded = (select(Registration.id).where(
        Registration.competition_id == competition.id, Registration.status == "approved",
        Registration.contestant_code.is_not(None)))
    contestants = select(func.count()).where(
        Registration.competition_id == competition.id, Registration.status == "approved",
        Registration.contestant_code.is_not(None)).scalar_subquery()
    panel_seats = select(func.count()).where(JudgeAssignment.item_id.in_(judged)).scalar_subquery()
    panels = select(func.count(func.distinct(JudgeAssignment.item_id))).where(
        JudgeAssignment.item_id.in_(judged)).scalar_subquery()
    open_sheets, submitted, expected, staffed = db.session.execute(select(
        func.count(JudgingSheet.id) - func.count(JudgingSheet.submitted_at),
        func.count(JudgingSheet.submitted_at), panel_seats * contestants, panels).select_from(JudgingSheet).join(
        JudgeAssignment, (JudgeAssignment.item_id == JudgingSheet.item_id)
        & (JudgeAssignment.user_id == JudgingSheet.judge_id)).where(
        JudgingSheet.item_id.in_(judged), JudgingSheet.registration_id.in_(coded))).one()
    return staffed == len(judged) and expected > 0 and open_sheets == 0 and submitted >= expected


def _exam_scores(competition: Competition, user_ids: dict[int, int]) -> dict[tuple[int, int], Fraction]:
    """(registration id, item id) → the published theory score (0–100) of an exam-scored item."""
    items = {i.exam_session_id: i.id for i in competition.items if i.exam_session_id is not None}
    if not items or not user_ids:
        return {}
    registration_of = {user_id: reg_id for reg_id, user_id in user_ids.items()}
    scores = {}
    for session_id, user_id, score in theory_scores(items, registration_of):
        scores[(registration_of[user_id], items[session_id])] = to_fraction(score)
    return scores


def standings(competition: Competition) -> list[Standing]:
    """Ranked standings from the submitted sheets, in a fixed number of queries."""
    # Plain rows, not ORM objects: on a big day this reads tens of thousands of sheets.
    registrations = dict(db.session.execute(select(Registration.id, Registration.user_id).where(
        Registration.competition_id == competition.id, Registration.status == "approved",
        Registration.contestant_code.is_not(None))).all())
    items = {i.id: i for i in competition.items}
    exam_scores = _exam_scores(competition, registrations)
    per_cell: dict[tuple[int, int], dict[int, Fraction]] = defaultdict(dict)
    for registration_id, item_id, judge_id, total in db.session.execute(select(
            JudgingSheet.registration_id, JudgingSheet.item_id, JudgingSheet.judge_id, JudgingSheet.total).where(
            JudgingSheet.item_id.in_(list(items)), JudgingSheet.submitted_at.is_not(None))):
        # The sheet total is the exact decimal sum kept on every save; one conversion to a fraction per sheet.
        per_cell[(registration_id, item_id)][judge_id] = to_fraction(total)
    result = []
    for registration_id in registrations:
        totals = {"total": Fraction(0), "practical": Fraction(0), "theory": Fraction(0)}
        detail = {}
        for item in items.values():
            judged = per_cell.get((registration_id, item.id), {})
            if item.exam_session_id is not None:
                score = exam_scores.get((registration_id, item.id), Fraction(0))
                weighted = score / 100 * to_fraction(item.weight)
                totals["total"] += weighted
                totals[item.kind] += weighted
                detail[item.position] = {
                    "item": item.name, "kind": item.kind, "weight": float(item.weight), "max_points": 100.0,
                    "score": float(to_decimal(score)), "weighted": float(to_decimal(weighted)), "method": "exam",
                    "judges": [], "dropped": []}
                continue
            if judged:
                agg = aggregate(list(judged.values()), competition.aggregation)
                weighted = agg.score / to_fraction(item.max_points) * to_fraction(item.weight)
            else:
                agg, weighted = None, Fraction(0)
            totals["total"] += weighted
            totals[item.kind] += weighted
            detail[item.position] = {
                "item": item.name, "kind": item.kind, "weight": float(item.weight), "max_points": float(item.max_points),
                "score": float(to_decimal(agg.score)) if agg else None, "weighted": float(to_decimal(weighted)),
                "method": agg.method if agg else None,
                "judges": [float(to_decimal(v)) for v in sorted(judged.values())],
                "dropped": [float(to_decimal(v)) for v in agg.dropped] if agg else []}
        result.append(Standing(registration_id, totals["total"], totals["practical"], totals["theory"],
                               item_scores=detail))
    ordered = rank(result, tuple(competition.tie_break or ()))
    assign_awards(ordered, competition.award_mode, competition.award_ratios)
    return ordered


EXACT_PLACES = Decimal("0.000001")
AWARDS_PENDING = "待全部评分完成"


def result_rows(competition: Competition) -> list[dict]:
    """Ranked rows. Totals are posted rounded half-up to 2 decimals — the values that were ranked — with the
    unrounded total beside them; awards only once every sheet is in (until then `award` is None and
    `award_pending` True: an award on partial scores would announce a prize that may not stand)."""
    complete = all_sheets_submitted(competition)
    reveal = competition.state in ("published", "final") or complete
    people = {reg_id: (code, user_id, name) for reg_id, code, user_id, name in db.session.execute(
        select(Registration.id, Registration.contestant_code, Registration.user_id, User.name)
        .join(User, User.id == Registration.user_id).where(Registration.competition_id == competition.id))}
    rows = []
    for s in standings(competition):
        code, user_id, name = people[s.key]
        rows.append({"rank": s.rank, "contestant_code": code, "user_id": user_id if reveal else None,
                     "name": name if reveal else None,
                     "item_scores": {str(k): v["score"] for k, v in s.item_scores.items()},
                     "item_details": s.item_scores, "total": float(to_decimal(s.total)),
                     "total_exact": str(to_decimal(s.total, EXACT_PLACES)),
                     "award": s.award if complete else None, "award_pending": not complete})
    return rows


def publish(actor, competition: Competition) -> list[dict]:
    if competition.state in ("published", "final"):
        raise Conflict("结果已公布", {"competition": "已公布"}, code="frozen")
    if not all_sheets_submitted(competition):
        raise Conflict("还有评分表未提交，不能公布结果", {"competition": "评分未完成"}, code="wrong_state")
    competition.state, competition.published_at = "published", utcnow()
    rows = result_rows(competition)
    db.session.flush()
    record_audit("competition.publish", "competition", competition.id,
                 new={"contestants": len(rows), "awarded": sum(1 for r in rows if r["award"])})
    for row in rows:
        notify(row["user_id"], f"竞赛结果公示：{competition.title}",
               f"您的名次：第 {row['rank']} 名，总分 {row['total']}。公示期 {competition.notice_days} 天，"
               f"如有异议请在公布后 {competition.appeal_hours} 小时内提出书面申诉。",
               link=f"/contests/{competition.id}/mine", kind="results")
    return rows


def issue_award_certificates(actor, competition_id: int) -> list:
    """The competition source for the certificates area: an award certificate (获奖证书) for every awarded
    contestant, numbered in the committee's scheme (year + competition code + serial)."""
    from ...certificates.services.issuing import IssueRequest, issue_many
    from .access import get_competition_for_committee

    competition = get_competition_for_committee(actor, competition_id)
    if competition.state != "final":
        reason = "结果尚未公布" if competition.state not in ("published", "final") else "公示期未结束或申诉未处理完"
        raise Conflict(f"结果确定后才能签发获奖证书：{reason}（公示期满且没有待处理的申诉，结果才确定）",
                       {"competition_id": reason}, code="wrong_state")
    registrations = {r.id: r for r in db.session.execute(select(Registration).options(
        joinedload(Registration.user)).where(Registration.competition_id == competition.id)).scalars()}
    requests = []
    for s in standings(competition):
        if not s.award:
            continue
        user = registrations[s.key].user
        requests.append(IssueRequest(
            kind="award", holder_name=user.name, holder_user_id=user.id, id_number=user.id_number,
            issuer_organization_id=competition.organization_id, award=AWARD_LABELS[s.award], rank=s.rank,
            event_title=competition.title, number_prefix=competition.number_prefix, source_type="competition",
            source_id=str(competition.id), source_key=f"competition:{competition.id}:registration:{s.key}"))
    return issue_many(requests, actor_id=actor.id)
