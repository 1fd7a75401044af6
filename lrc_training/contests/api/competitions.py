"""JSON API for skills competitions (docs/api.md "Competitions"): setup, registration, check-in, judges and sheets,
results, appeals."""

from __future__ import annotations

from dataclasses import asdict

from flask import g, jsonify, request

from ...auth.roles import ADMIN, JUDGE, ORG_STAFF, TRAINEE
from ...core.access import login_required, roles_required
from ...core.api import api_response, created, json_body, parse_json
from ...core.errors import NotFound
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import Competition, JudgingSheet, Registration
from ..schemas.inputs import (
    AppealDecisionIn,
    AppealIn,
    AutoPanelIn,
    BulkRegistrationIn,
    CheckInIn,
    CompetitionIn,
    JudgeIn,
    QualifiersIn,
    ReasonIn,
    RegistrationIn,
    ReopenIn,
    SheetIn,
)
from ..schemas.responses import (
    AutoPanelOut,
    BulkRegistrationOut,
    CheckInCloseOut,
    CompetitionAppealList,
    CompetitionAppealOut,
    CompetitionOut,
    CompetitionPublishOut,
    CompetitionRegistrationOut,
    ContestantCodeOut,
    DrawOut,
    JudgeAssignmentOut,
    JudgeLoadList,
    JudgingSheetList,
    JudgingSheetOut,
    ProgressList,
    QualifiersOut,
    RegistrationDecisionOut,
    ResultsOut,
    SheetReopenOut,
)
from ..services.access import get_competition_for_committee
from ..services.appeals import appeals_of, can_view_appeals, decide_appeal, file_appeal
from ..services.bulk import register_rows
from ..services.checkin import check_in, close_check_in, draw, require_mapping
from ..services.oversight import progress
from ..services.panels import assign_judge, auto_assign, judge_loads
from ..services.registration import decide_registration, register
from ..services.results import publish, result_rows
from ..services.scoring import get_sheet, reopen_sheet, save_scores, sheet_json, sheets_for, submit_sheet
from ..services.setup import create_competition
from ..services.stages import take_qualifiers
from . import api_bp as bp


def competition_json(c) -> dict:
    return {"id": c.id, "title": c.title, "tier": c.tier, "level": c.level, "state": c.state,
            "registration_closes_at": iso_local(c.registration_closes_at), "award_mode": c.award_mode,
            "award_ratios": c.award_ratios, "aggregation": c.aggregation, "eligibility": c.eligibility,
            "organization_id": c.organization_id, "version": c.version, "stage": c.stage,
            "advance_count": c.advance_count, "tie_break": c.tie_break, "notice_days": c.notice_days,
            "appeal_hours": c.appeal_hours, "promotion_awards": c.promotion_awards,
            "promotion_requires_certificate": c.promotion_requires_certificate, "honor_top_n": c.honor_top_n,
            "honor_title": c.honor_title, "venue": c.venue,
            "starts_on": c.starts_on.isoformat() if c.starts_on else None,
            "ends_on": c.ends_on.isoformat() if c.ends_on else None,
            "registration_opens_at": iso_local(c.registration_opens_at) if c.registration_opens_at else None,
            "published_at": iso_local(c.published_at) if c.published_at else None,
            "notice_ends_at": iso_local(c.notice_ends_at) if c.published_at else None,
            "items": [{"index": i.position, "name": i.name, "kind": i.kind, "weight": float(i.weight),
                       "exam_session_id": i.exam_session_id,
                       "criteria": [{"id": k.id, "name": k.name, "max_points": float(k.max_points)}
                                    for k in i.criteria]} for i in c.items]}


@bp.post("/competitions")
@roles_required(ORG_STAFF)
@json_body(CompetitionIn)
@api_response(CompetitionOut, 201)
def competitions_create(body: CompetitionIn):
    """Create a competition with items (weights summing to 100) and criteria."""
    competition = create_competition(g.api_user, body)
    db.session.commit()
    return created(competition_json(competition))


@bp.post("/competitions/<int:competition_id>/registrations")
@roles_required(TRAINEE, ORG_STAFF)
@json_body(RegistrationIn)
@api_response(CompetitionRegistrationOut, 201)
def registrations_create(competition_id: int, body: RegistrationIn):
    """Register a contestant: a trainee themself (pending) or the committee's staff (approved)."""
    registration = register(g.api_user, competition_id, body.user_id, body.work_years)
    db.session.commit()
    return created({"id": registration.id, "status": registration.status, "competition_id": competition_id,
                    "user_id": registration.user_id})


def _decide(registration_id: int, approve: bool):
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound("报名记录不存在")
    body = parse_json(ReasonIn) if request.get_data(cache=True).strip() else ReasonIn()
    decide_registration(g.api_user, registration, approve, body.reason)
    db.session.commit()
    return jsonify({"id": registration.id, "status": registration.status})


@bp.post("/competition-registrations/<int:registration_id>/approve")
@roles_required(ORG_STAFF)
@api_response(RegistrationDecisionOut)
def registrations_approve(registration_id: int):
    """Approve a pending registration."""
    return _decide(registration_id, True)


@bp.post("/competition-registrations/<int:registration_id>/reject")
@roles_required(ORG_STAFF)
@api_response(RegistrationDecisionOut)
def registrations_reject(registration_id: int):
    """Reject a pending registration, optionally with {"reason"}."""
    return _decide(registration_id, False)


@bp.post("/competitions/<int:competition_id>/judges")
@roles_required(ORG_STAFF)
@json_body(JudgeIn)
@api_response(JudgeAssignmentOut, 201)
def judges_create(competition_id: int, body: JudgeIn):
    """Add a judge to an item's panel; 422 on a conflict of interest."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    assignment = assign_judge(g.api_user, competition, body.user_id, body.item_index, body.is_chief)
    db.session.commit()
    return created({"id": assignment.id, "user_id": assignment.user_id, "item_index": body.item_index,
                    "is_chief": assignment.is_chief})


@bp.get("/competitions/<int:competition_id>/judges")
@roles_required(ORG_STAFF, ADMIN)
@api_response(JudgeLoadList)
def judges_list(competition_id: int):
    """Every active judge with their load here and elsewhere and whether they must recuse (conflict)."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    return jsonify([asdict(load) for load in judge_loads(competition)])


@bp.post("/competitions/<int:competition_id>/judges/auto")
@roles_required(ORG_STAFF)
@json_body(AutoPanelIn)
@api_response(AutoPanelOut)
def judges_auto(competition_id: int, body: AutoPanelIn):
    """Fill every judged item's panel to `per_item`, least-loaded judges first, never with a conflict."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    added = auto_assign(g.api_user, competition, body.per_item)
    db.session.commit()
    return jsonify({"added": added, "judges": [asdict(load) for load in judge_loads(competition) if load.items]})


@bp.post("/competitions/<int:competition_id>/check-ins")
@roles_required(ORG_STAFF, ADMIN)
@json_body(CheckInIn)
@api_response(ContestantCodeOut, 201)
def check_ins_create(competition_id: int, body: CheckInIn):
    """Check one contestant in: a random contestant code and station number (code keepers only)."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    registration = db.session.get(Registration, body.registration_id)
    if registration is None:
        raise NotFound("报名记录不存在", {"registration_id": "不存在"})
    check_in(g.api_user, competition, registration)
    db.session.commit()
    return created({"registration_id": registration.id, "user_id": registration.user_id,
                    "contestant_code": registration.contestant_code, "station_number": registration.station_number})


@bp.post("/competitions/<int:competition_id>/check-ins/close")
@roles_required(ORG_STAFF, ADMIN)
@api_response(CheckInCloseOut)
def check_ins_close(competition_id: int):
    """End check-in; scoring starts for those present."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    present = close_check_in(g.api_user, competition)
    db.session.commit()
    return jsonify({"state": competition.state, "present": present})


@bp.post("/competitions/<int:competition_id>/qualifiers")
@roles_required(ORG_STAFF)
@json_body(QualifiersIn)
@api_response(QualifiersOut, 201)
def qualifiers_take(competition_id: int, body: QualifiersIn):
    """Register the top N of a preliminary (or of a provincial competition, for a national one) in one step."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    taken = take_qualifiers(g.api_user, competition, body.source_id, body.top_n)
    db.session.commit()
    return created({"taken": len(taken), "registrations": [{"id": r.id, "user_id": r.user_id} for r in taken]})


@bp.post("/competitions/<int:competition_id>/registrations/bulk")
@roles_required(ORG_STAFF)
@json_body(BulkRegistrationIn)
@api_response(BulkRegistrationOut)
def registrations_bulk(competition_id: int, body: BulkRegistrationIn):
    """Register many people by username or ID number; a row report (refused rows change nothing)."""
    report = register_rows(g.api_user, competition_id, [(n, i, "") for n, i in enumerate(body.identifiers, 1)])
    db.session.commit()
    return jsonify({"registered": [{"row": n, "name": name, "status": status} for n, name, status in report.registered],
                    "errors": [{"row": n, "message": message} for n, message in report.errors]})


@bp.get("/competitions/<int:competition_id>/progress")
@roles_required(ORG_STAFF, ADMIN, JUDGE)
@api_response(ProgressList)
def progress_view(competition_id: int):
    """Scoring progress per item and judge, and outlying judges (committee or the item's chief judge)."""
    _, items = progress(g.api_user, competition_id)
    return jsonify([{"item_index": p.item.position, "item_name": p.item.name, "sheets": p.total,
                     "submitted": p.submitted, "judges": p.judges,
                     "outliers": [{**o, "total": float(o["total"]), "mean": float(o["mean"])} for o in p.outliers]}
                    for p in items])


@bp.post("/judging/sheets/<int:sheet_id>/reopen")
@roles_required(JUDGE, ORG_STAFF, ADMIN)
@json_body(ReopenIn)
@api_response(SheetReopenOut)
def sheets_reopen(sheet_id: int, body: ReopenIn):
    """The chief judge (or committee) reopens a submitted sheet with a recorded reason."""
    sheet = db.session.get(JudgingSheet, sheet_id)
    if sheet is None:
        raise NotFound("评分表不存在")
    reopen_sheet(g.api_user, sheet, body.reason)
    db.session.commit()
    return jsonify({"id": sheet.id, "version": sheet.version, "submitted": False})


@bp.post("/competitions/<int:competition_id>/appeals")
@roles_required(TRAINEE)
@json_body(AppealIn)
@api_response(CompetitionAppealOut, 201)
def appeals_create(competition_id: int, body: AppealIn):
    """A contestant's written appeal within the appeal window after publication."""
    appeal = file_appeal(g.api_user, competition_id, body.text)
    db.session.commit()
    return created(appeal_json(appeal))


@bp.get("/competitions/<int:competition_id>/appeals")
@login_required
@api_response(CompetitionAppealList)
def appeals_list(competition_id: int):
    """Appeals of a competition (committee and the supervision group)."""
    competition = db.session.get(Competition, competition_id)
    if competition is None or not can_view_appeals(g.api_user, competition):
        raise NotFound("竞赛不存在")
    return jsonify([appeal_json(a) for a in appeals_of(competition)])


@bp.post("/competition-appeals/<int:appeal_id>/decide")
@login_required
@json_body(AppealDecisionIn)
@api_response(CompetitionAppealOut)
def appeals_decide(appeal_id: int, body: AppealDecisionIn):
    """The supervision group's decision (upheld or not) with its reason; version-checked."""
    appeal = decide_appeal(g.api_user, appeal_id, body.upheld, body.decision, body.version)
    db.session.commit()
    return jsonify(appeal_json(appeal))


def appeal_json(a) -> dict:
    return {"id": a.id, "competition_id": a.competition_id, "contestant_code": a.registration.contestant_code,
            "text": a.text, "status": a.status, "decision": a.decision, "version": a.version,
            "filed_at": iso_local(a.created_at), "decided_at": iso_local(a.decided_at) if a.decided_at else None}


@bp.post("/competitions/<int:competition_id>/draw")
@roles_required(ORG_STAFF)
@api_response(DrawOut)
def competitions_draw(competition_id: int):
    """Assign random anonymous codes to the approved contestants (committee only); 409 once scoring started."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    require_mapping(g.api_user, competition)
    drawn = draw(g.api_user, competition)
    db.session.commit()
    return jsonify({"codes": [{"registration_id": r.id, "user_id": r.user_id, "contestant_code": r.contestant_code,
                               "station_number": r.station_number} for r in drawn]})


@bp.get("/judging/sheets")
@roles_required(JUDGE)
@api_response(JudgingSheetList)
def sheets_list():
    """The judge's sheets: contestant codes only, never names."""
    sheets = sheets_for(g.api_user)
    db.session.commit()
    return jsonify([sheet_json(s) for s in sheets])


@bp.put("/judging/sheets/<int:sheet_id>")
@roles_required(JUDGE)
@json_body(SheetIn)
@api_response(JudgingSheetOut)
def sheets_put(sheet_id: int, body: SheetIn):
    """Save draft scores with the sheet's version (409 when stale or submitted; 422 over max_points)."""
    sheet = save_scores(g.api_user, get_sheet(g.api_user, sheet_id), body.scores, body.version)
    db.session.commit()
    return jsonify(sheet_json(sheet))


@bp.post("/judging/sheets/<int:sheet_id>/submit")
@roles_required(JUDGE)
@api_response(JudgingSheetOut)
def sheets_submit(sheet_id: int):
    """Submit a complete sheet; it is locked afterwards."""
    sheet = submit_sheet(g.api_user, get_sheet(g.api_user, sheet_id))
    db.session.commit()
    return jsonify(sheet_json(sheet))


@bp.get("/competitions/<int:competition_id>/results")
@roles_required(ORG_STAFF, ADMIN)
@api_response(ResultsOut)
def results(competition_id: int):
    """Ranked results with item scores, totals and awards (names only once every sheet is submitted)."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    return jsonify({"state": competition.state, "rows": result_rows(competition)})


@bp.post("/competitions/<int:competition_id>/publish")
@roles_required(ORG_STAFF)
@api_response(CompetitionPublishOut)
def competitions_publish(competition_id: int):
    """Publish the results (notice period starts); they are frozen."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    rows = publish(g.api_user, competition)
    db.session.commit()
    return jsonify({"state": competition.state, "published_at": iso_local(competition.published_at), "rows": rows})
