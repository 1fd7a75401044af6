"""The exams API for the bank's owners, staff and examiners (and the open sessions and applying for candidates):
questions, sessions, applications and decisions, grading and on-site scores, results and publication, item
analysis, the monitor and extensions."""

from __future__ import annotations

from flask import g, jsonify, request

from ...auth.roles import ADMIN, EXAMINER, ORG_STAFF, TRAINEE
from ...core.access import login_required, roles_required
from ...core.api import api_response, created, json_body, paginate, parse_json, query_args
from ...core.errors import NotFound
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import ExamSession
from ..schemas.inputs import (
    ApplicationIn,
    DecisionIn,
    ExtendIn,
    GradeIn,
    PracticalScoreIn,
    QuestionIn,
    QuestionQuery,
    RegradeIn,
    SessionIn,
)
from ..schemas.responses import (
    AnalysisOut,
    ApplicationOut,
    DecisionOut,
    ExtendedOut,
    GradeOut,
    GradingTaskList,
    MonitorList,
    MonitorRowOut,
    PartScoreOut,
    PublishOut,
    QuestionOut,
    QuestionPage,
    RegradeOut,
    ResultList,
    SessionOut,
    SessionPage,
)
from ..services.applications import apply, decide, get_application_for_staff
from ..services.bank import BANK_ROLES, QuestionInput, create_question, get_question, search_questions
from ..services.grading import grade, record_part_score, tasks_for
from ..services.item_analysis import analyse_session, ensure_analysable
from ..services.part_scores import get_session_for_examiner
from ..services.proctoring import extend_attempt, get_session_for_proctor, monitor
from ..services.results import compute_results, publish, regrade_after_publication
from ..services.sessions import SessionInput, create_session, get_session_for_staff, open_sessions
from . import api_bp as bp


def question_json(question) -> dict:
    """A question with its current revision and key (the bank's owners are the only readers)."""
    rev = question.current
    return QuestionOut(
        id=question.id, kind=question.kind, level=question.level, function_code=question.function_code,
        difficulty=question.difficulty, stem=rev.stem, options=rev.options, points=rev.points, revision=rev.number,
        active=question.active, answer=rev.answer, explanation=rev.explanation, rubric=rev.rubric).model_dump()


def session_json(session: ExamSession) -> dict:
    return SessionOut(
        id=session.id, title=session.title, level=session.level, parts=session.parts,
        opens_at=iso_local(session.opens_at), closes_at=iso_local(session.closes_at),
        applications_close_at=iso_local(session.applications_close_at), duration_minutes=session.duration_minutes,
        pass_mark=session.pass_mark, blueprint=session.blueprint, total_points=session.total_points,
        state=session.state, organization_id=session.organization_id, partial_credit=session.partial_credit,
        examiners_per_paper=session.examiners_per_paper, version=session.version,
        part_validity_years=session.part_validity_years, issues_certificates=session.issues_certificates,
    ).model_dump()


@bp.post("/questions")
@roles_required(*BANK_ROLES)
@json_body(QuestionIn)
@api_response(QuestionOut, 201)
def questions_create(body: QuestionIn):
    """Add a question to the caller's organization's bank."""
    question = create_question(g.api_user, QuestionInput(**body.model_dump()))
    db.session.commit()
    return created(question_json(question))


@bp.get("/questions")
@roles_required(*BANK_ROLES)
@query_args(QuestionQuery, paginated=True)
@api_response(QuestionPage)
def questions_list(query: QuestionQuery):
    """The caller's organization's questions (filters: level, kind, function_code, q), paginated."""
    stmt = search_questions(g.api_user, **query.model_dump())
    return jsonify(paginate(stmt, question_json))


@bp.get("/questions/<int:question_id>")
@roles_required(*BANK_ROLES)
@api_response(QuestionOut)
def questions_get(question_id: int):
    """One question with its current revision."""
    return jsonify(question_json(get_question(g.api_user, question_id)))


@bp.post("/exam-sessions")
@roles_required(ORG_STAFF)
@json_body(SessionIn)
@api_response(SessionOut, 201)
def sessions_create(body: SessionIn):
    """Create an exam session; 422 when the question bank cannot fill the blueprint."""
    session = create_session(g.api_user, SessionInput(
        title=body.title, level=body.level, opens_at=body.opens_at, closes_at=body.closes_at,
        duration_minutes=body.duration_minutes, blueprint=[row.model_dump(exclude_none=True) for row in body.blueprint],
        pass_mark=body.pass_mark, applications_close_at=body.applications_close_at, parts=body.parts,
        partial_credit=body.partial_credit, examiners_per_paper=body.examiners_per_paper,
        arbitration_share=body.arbitration_share, allow_review=body.allow_review,
        part_validity_years=body.part_validity_years))
    db.session.commit()
    return created(session_json(session))


@bp.get("/exam-sessions")
@login_required
@api_response(SessionPage)
def sessions_list():
    """Sessions open for applications, paginated."""
    return jsonify(paginate(open_sessions(), session_json))


@bp.get("/exam-sessions/<int:session_id>")
@login_required
@api_response(SessionOut)
def sessions_get(session_id: int):
    """One exam session."""
    session = db.session.get(ExamSession, session_id)
    if session is None or session.state == "draft":
        raise NotFound("认定批次不存在")
    return jsonify(session_json(session))


@bp.post("/exam-sessions/<int:session_id>/applications")
@roles_required(TRAINEE)
@api_response(ApplicationOut, 201)
def applications_create(session_id: int):
    """Apply; 422 {"error":"ineligible"} with the reason (and the years computed) when the level's rules refuse it.
    Optional: work_started_on, education, related_major, prior_certificate_issued_on, prior_certificate_level."""
    body = parse_json(ApplicationIn) if request.get_data(cache=True).strip() else ApplicationIn()
    application = apply(g.api_user, session_id, **body.model_dump())
    db.session.commit()
    return created(ApplicationOut(
        id=application.id, status=application.status, session_id=session_id, eligibility=application.eligibility_note,
        exempt_parts=application.exempt_parts, work_years=application.work_years).model_dump())


def _decision(application_id: int, approve: bool):
    body = parse_json(DecisionIn) if request.get_data(cache=True).strip() else DecisionIn()
    application = decide(g.api_user, get_application_for_staff(g.api_user, application_id), approve, body.reason,
                         body.override_reason)
    db.session.commit()
    return jsonify(DecisionOut(id=application.id, status=application.status,
                               anonymous_code=application.anonymous_code).model_dump())


@bp.post("/applications/<int:application_id>/approve")
@roles_required(ORG_STAFF)
@api_response(DecisionOut)
def applications_approve(application_id: int):
    """Approve an application (with {"override_reason"} for one the rules refused)."""
    return _decision(application_id, True)


@bp.post("/applications/<int:application_id>/reject")
@roles_required(ORG_STAFF)
@api_response(DecisionOut)
def applications_reject(application_id: int):
    """Reject an application, optionally with {"reason"}."""
    return _decision(application_id, False)


@bp.get("/grading/tasks")
@roles_required(EXAMINER)
@api_response(GradingTaskList)
def grading_tasks():
    """Essay answers to grade, identified by an anonymous code, never a name."""
    tasks = tasks_for(g.api_user)
    db.session.commit()
    return jsonify(GradingTaskList(items=tasks, total=len(tasks)).model_dump())


@bp.put("/grading/tasks/<int:task_id>")
@roles_required(EXAMINER)
@json_body(GradeIn)
@api_response(GradeOut)
def grading_put(task_id: int, body: GradeIn):
    """Grade an essay answer: 0 ≤ score ≤ the question's points."""
    task = grade(g.api_user, task_id, body.score, body.comment)
    db.session.commit()
    return jsonify(GradeOut(id=task.id, score=task.score, comment=task.comment).model_dump())


@bp.post("/exam-sessions/<int:session_id>/practical-scores")
@roles_required(EXAMINER)
@json_body(PracticalScoreIn)
@api_response(PartScoreOut)
def practical_scores(session_id: int, body: PracticalScoreIn):
    """Record a candidate's practical score (0–100); a later write replaces it until results are published."""
    session = get_session_for_examiner(g.api_user, session_id)
    row = record_part_score(g.api_user, session, body.application_id, body.score, body.part)
    db.session.commit()
    return jsonify(PartScoreOut(application_id=row.application_id, part=row.part, score=row.score).model_dump())


@bp.post("/exam-sessions/<int:session_id>/regrades")
@roles_required(EXAMINER)
@json_body(RegradeIn)
@api_response(RegradeOut)
def regrade(session_id: int, body: RegradeIn):
    """After publication, the chief examiner re-grades a practical or review score with a recorded reason."""
    session = get_session_for_examiner(g.api_user, session_id)
    result = regrade_after_publication(g.api_user, session, body.application_id, body.part, body.score, body.reason)
    db.session.commit()
    return jsonify(RegradeOut(application_id=result.application_id, part=result.part, score=result.score,
                              passed=result.passed).model_dump())


@bp.get("/exam-sessions/<int:session_id>/results")
@roles_required(ORG_STAFF, ADMIN)
@api_response(ResultList)
def results(session_id: int):
    """Every candidate's part scores and pass/fail."""
    session = get_session_for_staff(g.api_user, session_id)
    return jsonify(ResultList([row.as_json() for row in compute_results(session)]).model_dump())


@bp.post("/exam-sessions/<int:session_id>/publish")
@roles_required(ORG_STAFF)
@api_response(PublishOut)
def results_publish(session_id: int):
    """Publish the results to candidates; they are frozen afterwards."""
    session = get_session_for_staff(g.api_user, session_id)
    rows = publish(g.api_user, session)
    db.session.commit()
    return jsonify(PublishOut(state=session.state, published_at=iso_local(session.published_at),
                              candidates=len(rows), passed=sum(1 for r in rows if r.passed)).model_dump())


@bp.get("/exam-sessions/<int:session_id>/item-analysis")
@roles_required(ORG_STAFF, ADMIN)
@api_response(AnalysisOut)
def item_analysis(session_id: int):
    """Facility, discrimination, option counts and flags per question; 409 until the window closed or all handed in."""
    session = get_session_for_staff(g.api_user, session_id)
    ensure_analysable(session)
    return jsonify(AnalysisOut.model_validate(analyse_session(session).as_json()).model_dump())


def monitor_row_json(row) -> dict:
    return MonitorRowOut(
        application_id=row.application_id, anonymous_code=row.anonymous_code, room=row.room, seat=row.seat,
        attempt_id=row.attempt_id, state=row.state, answered=row.answered,
        last_saved_at=iso_local(row.last_saved_at) if row.last_saved_at else None,
        deadline=iso_local(row.deadline) if row.deadline else None, devices=row.devices, addresses=row.addresses,
        focus_losses=row.focus_losses, extensions=row.extensions, takeovers=row.takeovers, paused=row.paused,
        voided=row.voided).model_dump()


@bp.get("/exam-sessions/<int:session_id>/monitor")
@roles_required(ORG_STAFF, EXAMINER, ADMIN)
@api_response(MonitorList)
def session_monitor(session_id: int):
    """Each approved candidate's state (not_started / answering / offline / submitted) by anonymous code and seat."""
    session = get_session_for_proctor(g.api_user, session_id)
    return jsonify([monitor_row_json(row) for row in monitor(session)])


@bp.post("/attempts/<int:attempt_id>/extend")
@roles_required(ORG_STAFF, ADMIN)
@json_body(ExtendIn)
@api_response(ExtendedOut)
def attempt_extend(attempt_id: int, body: ExtendIn):
    """Move one candidate's deadline by `minutes` (audited, with the reason)."""
    attempt = extend_attempt(g.api_user, attempt_id, body.minutes, body.reason)
    db.session.commit()
    return jsonify(ExtendedOut(id=attempt.id, status=attempt.status, deadline=iso_local(attempt.deadline)).model_dump())
