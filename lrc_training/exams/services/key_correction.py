"""Marking a question's answer key wrong in one session and re-grading that session.

The corrected key becomes a new revision of the question that *corrects* the one the papers used: the same stem,
options and points, only the answer differs, so every paper moved onto it still shows exactly what its candidate
saw. Each submitted attempt whose paper had the question is scored again (objective scoring, the session's
partial-credit rule); a voided attempt stays at 0. When the papers' revision is still the bank's current one, the
bank moves on to the corrected revision too, so later sessions draw the right key.

Before publication nothing else is stored (results are computed from the scores). After publication the correction
goes through the published results: each changed theory part result gets its new score and pass/fail, the monthly
outcome counters follow, every change is audited with the old and new score, and each affected candidate is
notified. A candidate who held a certificate from this session and no longer passes keeps it for now: the
certificate is flagged for the organization's staff to review (they revoke it through the certificates area if the
review confirms it) — a correction of the bank's mistake never silently takes a certificate away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ...auth.models import User, UserRole
from ...auth.roles import ORG_STAFF
from ...certificates.queries import valid_numbers_for_source_keys
from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.notifications import notify
from ...db import utcnow
from ...extensions import db
from ..models import OBJECTIVE_KINDS, Application, Attempt, PaperItem, PartResult, Question, QuestionRevision, Response
from ..review_models import KeyCorrection
from .attempts import close_if_overdue, objective_points_earned
from .item_analysis import ensure_analysable
from .outcomes import application_passed, record_regrade
from .results import compute_results
from .sessions import get_session_for_staff

MAX_REASON = 500


@dataclass
class KeyInput:
    revision_id: int  # the revision the staff member saw the wrong key on (a stale page is refused)
    answer: object  # "B" | ["A", "C"] | True / False
    reason: str


def clean_key(kind: str, options: dict | None, answer) -> object:
    """The answer in the bank's own form, or 422 naming `answer`."""
    keys = set(options or {})
    if kind == "single" and isinstance(answer, str) and answer.strip().upper() in keys:
        return answer.strip().upper()
    if kind == "multiple" and isinstance(answer, list) and all(isinstance(a, str) for a in answer):
        chosen = sorted({a.strip().upper() for a in answer})
        if len(chosen) >= 2 and set(chosen) <= keys:
            return chosen
    if kind == "true_false" and isinstance(answer, bool):
        return answer
    wanted = {"single": "一个选项", "multiple": "至少两个选项", "true_false": "对或错"}[kind]
    raise ValidationFailed(f"正确答案应为{wanted}", {"answer": f"请选择{wanted}"})


def _corrected_revision(actor, old: QuestionRevision, answer) -> QuestionRevision:
    """The revision correcting `old` with this answer: an earlier correction with the same answer (another session
    of the same papers) is reused, otherwise a new one is added."""
    for existing in db.session.execute(select(QuestionRevision).where(
            QuestionRevision.corrects_revision_id == old.id)).scalars():
        if existing.answer == answer:
            return existing
    number = db.session.execute(select(func.max(QuestionRevision.number)).where(
        QuestionRevision.question_id == old.question_id)).scalar() + 1
    revision = QuestionRevision(question_id=old.question_id, number=number, stem=old.stem, options=old.options,
                                answer=answer, points=old.points, explanation=old.explanation, rubric=old.rubric,
                                corrects_revision_id=old.id, created_by_id=actor.id)
    db.session.add(revision)
    db.session.flush()
    return revision


def _load(actor, session_id: int, question_id: int):
    session = get_session_for_staff(actor, session_id)  # org staff of the session's organization, or an admin
    question = db.session.get(Question, question_id)
    if question is None or question.organization_id != session.organization_id:
        raise NotFound("试题不存在")
    return session, question


def paper_revisions(session_id: int, question_id: int) -> list[QuestionRevision]:
    """The revisions of the question this session's papers carry (usually one)."""
    return list(db.session.execute(select(QuestionRevision).where(QuestionRevision.id.in_(
        select(PaperItem.revision_id).join(Application, Application.id == PaperItem.application_id).where(
            Application.session_id == session_id, PaperItem.question_id == question_id))).order_by(
        QuestionRevision.number)).scalars())


def key_correction_context(actor, session_id: int, question_id: int) -> tuple:
    """(session, question, the papers' revision) for the correction page; 404 when the session never drew it."""
    session, question = _load(actor, session_id, question_id)
    revisions = paper_revisions(session.id, question.id)
    if not revisions:
        raise NotFound("本批次的试卷中没有这道题")
    return session, question, revisions[-1]


def _regrade(session, question_id: int, old: QuestionRevision, new: QuestionRevision) -> dict[int, tuple]:
    """Move the session's items from `old` to `new` and score them again: {application id: (old, new) points}."""
    items = list(db.session.execute(select(PaperItem).join(Application, Application.id == PaperItem.application_id)
                                    .where(Application.session_id == session.id, PaperItem.question_id == question_id,
                                           PaperItem.revision_id == old.id)).scalars())
    attempts = {a.application_id: a for a in db.session.execute(select(Attempt).where(
        Attempt.application_id.in_([i.application_id for i in items]))).scalars()}
    responses = {r.attempt_id: r for r in db.session.execute(select(Response).where(
        Response.attempt_id.in_([a.id for a in attempts.values()]), Response.question_id == question_id)).scalars()}
    moved: dict[int, tuple] = {}
    for item in items:
        item.revision_id = new.id
        attempt = attempts.get(item.application_id)
        if attempt is None or attempt.status != "submitted" or attempt.voided_at is not None:
            continue  # absent, or voided (the theory score stays 0)
        row = responses.get(attempt.id)
        before = row.score if row is not None and row.score is not None else Decimal("0")
        after = objective_points_earned(item, new.answer, row.response if row else None, session.partial_credit)
        if row is not None:
            row.score = after
        attempt.objective_score = (attempt.objective_score or Decimal("0")) - before + after
        moved[item.application_id] = (before, after)
    db.session.flush()
    return moved


def correct_key(actor, session_id: int, question_id: int, data: KeyInput) -> KeyCorrection:
    """Set the right key for this session's papers and re-grade them; see the module's docstring."""
    session, question = _load(actor, session_id, question_id)
    if question.kind not in OBJECTIVE_KINDS:
        raise ValidationFailed("简答题由考评员评分，不能更正答案", {"question_id": "不是客观题"})
    reason = (data.reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ValidationFailed("请填写更正原因（不超过 500 个字符）", {"reason": "请填写更正原因（不超过 500 个字符）"})
    ensure_analysable(session)
    used = {r.id: r for r in paper_revisions(session.id, question.id)}
    if not used:
        raise NotFound("本批次的试卷中没有这道题")
    old = used.get(data.revision_id)
    if old is None:
        raise Conflict("本题的答案已被他人更正，请刷新页面后再确认", {"version": "答案已更正"}, code="stale_version")
    answer = clean_key(question.kind, old.options, data.answer)
    if answer == old.answer:
        raise ValidationFailed("新答案与原答案相同", {"answer": "与原答案相同"})
    for attempt in db.session.execute(select(Attempt).join(Application).where(
            Application.session_id == session.id, Attempt.status == "in_progress")).scalars():
        close_if_overdue(attempt)  # the window has closed: hand in what was saved before re-grading
    before = {r.application_id: r for r in compute_results(session)}
    new = _corrected_revision(actor, old, answer)
    if question.current_revision_id == old.id:
        question.current_revision_id = new.id
    moved = _regrade(session, question.id, old, new)
    after = {r.application_id: r for r in compute_results(session)}
    correction = KeyCorrection(session_id=session.id, question_id=question.id, old_revision_id=old.id,
                               new_revision_id=new.id, old_answer=old.answer, new_answer=answer, reason=reason,
                               after_publication=session.state == "published", reviews_open=0, created_by_id=actor.id)
    correction.changes = [_change(app_id, before.get(app_id), after.get(app_id), points)
                          for app_id, points in sorted(moved.items())]
    if session.state == "published":
        _correct_published(session, correction)
    db.session.add(correction)
    db.session.flush()
    changed = [c for c in correction.changes if c["old"] != c["new"]]
    record_audit("question.key_correct", "question", question.id, old={"answer": old.answer, "revision": old.number},
                 new={"answer": answer, "revision": new.number, "session_id": session.id,
                      "regraded": len(correction.changes), "changed": len(changed),
                      "scores": [{"application_id": c["application_id"], "old": c["old"], "new": c["new"]}
                                 for c in changed]}, reason=reason)
    return correction


def _score(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def _change(application_id: int, before, after, points: tuple) -> dict:
    return {"application_id": application_id, "code": before.anonymous_code if before else None,
            "item_old": _score(points[0]), "item_new": _score(points[1]),
            "old": _score(before.scores.get("theory")) if before else None,
            "new": _score(after.scores.get("theory")) if after else None,
            "passed_before": before.passed if before else None, "passed_after": after.passed if after else None,
            "certificate": None}


def _correct_published(session, correction: KeyCorrection) -> None:
    """Carry the re-grade into the published theory results: audited per candidate, each one told."""
    ids = [c["application_id"] for c in correction.changes if c["old"] != c["new"]]
    results = {r.application_id: r for r in db.session.execute(select(PartResult).where(
        PartResult.application_id.in_(ids), PartResult.part == "theory")).scalars()} if ids else {}
    keys = {f"exam_session:{session.id}:application:{i}": i for i in ids}
    certificates = {keys[k]: number for k, number in valid_numbers_for_source_keys(list(keys)).items()}
    for change in correction.changes:
        result = results.get(change["application_id"])
        if result is None or change["new"] is None:
            continue
        new = Decimal(change["new"])
        passed_before = application_passed(result.application_id)
        old = {"score": result.score, "passed": result.passed}
        result.score, result.passed = new, new >= session.pass_mark
        result.valid_until = (result.published_at + timedelta(days=365 * session.part_validity_years)
                              if result.passed else None)
        db.session.flush()
        passed_after = application_passed(result.application_id)
        change["passed_before"], change["passed_after"] = passed_before, passed_after
        record_regrade(result.user_id, result.published_at, passed_before, passed_after)
        record_audit("theory_score.key_correction", "exam_application", result.application_id, old=old,
                     new={"score": new, "passed": result.passed, "question_id": correction.question_id},
                     reason=correction.reason)
        if passed_before and not passed_after and result.application_id in certificates:
            change["certificate"] = certificates[result.application_id]
            correction.reviews_open += 1
        notify(result.user_id, f"成绩更正：{session.title}",
               f"第 {correction.question_id} 题的标准答案有误，已更正并重新评分：您的理论知识考试成绩由 {old['score']} 分"
               f"调整为 {new} 分（{'合格' if result.passed else '不合格'}）。", "/exams/mine", kind="results")
    _tell_staff(session, correction)


def _tell_staff(session, correction: KeyCorrection) -> None:
    """Certificates to review, and candidates who now pass (their certificate is issued the usual way)."""
    flagged = [c["certificate"] for c in correction.changes if c["certificate"]]
    now_passing = sum(1 for c in correction.changes if c["passed_after"] and c["passed_before"] is False)
    if not flagged and not now_passing:
        return
    body = []
    if flagged:
        body.append(f"以下证书的持证人更正后不再合格，请复核（如需撤销，请在证书管理中办理）：{'、'.join(flagged)}。")
    if now_passing:
        body.append(f"{now_passing} 名考生更正后合格，可在成绩页为其签发证书。")
    staff = db.session.execute(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.organization_id == session.organization_id, UserRole.role == ORG_STAFF, User.active.is_(True))).scalars()
    for user_id in staff:
        notify(user_id, f"答案更正后需复核：{session.title}", "".join(body),
               f"/exams/bank/{correction.question_id}/history", kind="results")


def get_correction_for_staff(actor, correction_id: int) -> KeyCorrection:
    correction = db.session.get(KeyCorrection, correction_id)
    if correction is None:
        raise NotFound("更正记录不存在")
    get_session_for_staff(actor, correction.session_id)  # 404 for another organization
    return correction


def close_review(actor, correction_id: int, note: str) -> KeyCorrection:
    """Staff have decided on the flagged certificates (kept or revoked in the certificates area): record how."""
    correction = get_correction_for_staff(actor, correction_id)
    note = (note or "").strip()
    if not note or len(note) > MAX_REASON:
        raise ValidationFailed("请填写复核结论（不超过 500 个字符）", {"note": "请填写复核结论（不超过 500 个字符）"})
    if correction.reviews_open == 0:
        raise Conflict("这次更正没有待复核的证书", {"correction": "无待复核"}, code="wrong_state")
    old = correction.reviews_open
    correction.reviews_open, correction.review_note = 0, note
    correction.reviewed_at, correction.reviewed_by_id = utcnow(), actor.id
    db.session.flush()
    record_audit("question.key_correct_review", "exam_key_correction", correction.id, old={"reviews_open": old},
                 new={"reviews_open": 0}, reason=note)
    return correction


def answer_text(kind: str, answer) -> str:
    """A key as people read it: B, A、C, 对 / 错."""
    if isinstance(answer, bool):
        return "对" if answer else "错"
    if isinstance(answer, list):
        return "、".join(answer)
    return str(answer) if answer is not None else "—"


def open_corrections(session_id: int) -> list[KeyCorrection]:
    """The session's key corrections, newest first (the item analysis page lists them)."""
    return list(db.session.execute(select(KeyCorrection).where(KeyCorrection.session_id == session_id)
                                   .order_by(KeyCorrection.created_at.desc())).scalars())
