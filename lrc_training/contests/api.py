"""JSON API for skills competitions (shared/API.md "Competitions")."""

from __future__ import annotations

from flask import g, jsonify, request

from ..auth.roles import ADMIN, JUDGE, ORG_STAFF, TRAINEE
from ..certificates.issuing import register_source
from ..core.access import roles_required
from ..core.api import created, json_body, parse_json
from ..core.errors import NotFound
from ..core.timeutil import iso_local
from ..extensions import db
from . import api_bp as bp
from .models import Registration
from .results import issue_award_certificates, publish, result_rows
from .schemas import CompetitionIn, JudgeIn, ReasonIn, RegistrationIn, SheetIn
from .scoring import get_sheet, save_scores, sheet_json, sheets_for, submit_sheet
from .setup import (
    CompetitionInput,
    assign_judge,
    create_competition,
    decide_registration,
    draw,
    get_competition_for_committee,
    register,
)


def competition_json(c) -> dict:
    return {"id": c.id, "title": c.title, "tier": c.tier, "level": c.level, "state": c.state,
            "registration_closes_at": iso_local(c.registration_closes_at), "award_mode": c.award_mode,
            "award_ratios": c.award_ratios, "aggregation": c.aggregation, "eligibility": c.eligibility,
            "organization_id": c.organization_id, "version": c.version,
            "items": [{"index": i.position, "name": i.name, "kind": i.kind, "weight": float(i.weight),
                       "criteria": [{"id": k.id, "name": k.name, "max_points": float(k.max_points)}
                                    for k in i.criteria]} for i in c.items]}


@bp.post("/competitions")
@roles_required(ORG_STAFF)
@json_body(CompetitionIn)
def competitions_create(body: CompetitionIn):
    """Create a competition with items (weights summing to 100) and criteria."""
    competition = create_competition(g.api_user, CompetitionInput(
        title=body.title, tier=body.tier, level=body.level, registration_closes_at=body.registration_closes_at,
        items=[item.model_dump() for item in body.items], award_ratios=body.award_ratios,
        award_mode=body.award_mode, aggregation=body.aggregation, eligibility=body.eligibility or {},
        notice_days=body.notice_days))
    db.session.commit()
    return created(competition_json(competition))


@bp.post("/competitions/<int:competition_id>/registrations")
@roles_required(TRAINEE, ORG_STAFF)
@json_body(RegistrationIn)
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
def registrations_approve(registration_id: int):
    """Approve a pending registration."""
    return _decide(registration_id, True)


@bp.post("/competition-registrations/<int:registration_id>/reject")
@roles_required(ORG_STAFF)
def registrations_reject(registration_id: int):
    """Reject a pending registration, optionally with {"reason"}."""
    return _decide(registration_id, False)


@bp.post("/competitions/<int:competition_id>/judges")
@roles_required(ORG_STAFF)
@json_body(JudgeIn)
def judges_create(competition_id: int, body: JudgeIn):
    """Add a judge to an item's panel; 422 on a conflict of interest."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    assignment = assign_judge(g.api_user, competition, body.user_id, body.item_index)
    db.session.commit()
    return created({"id": assignment.id, "user_id": assignment.user_id, "item_index": body.item_index})


@bp.post("/competitions/<int:competition_id>/draw")
@roles_required(ORG_STAFF)
def competitions_draw(competition_id: int):
    """Assign random anonymous codes to the approved contestants (committee only); 409 once scoring started."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    drawn = draw(g.api_user, competition)
    db.session.commit()
    return jsonify({"codes": [{"registration_id": r.id, "user_id": r.user_id, "contestant_code": r.contestant_code,
                               "station_number": r.station_number} for r in drawn]})


@bp.get("/judging/sheets")
@roles_required(JUDGE)
def sheets_list():
    """The judge's sheets: contestant codes only, never names."""
    sheets = sheets_for(g.api_user)
    db.session.commit()
    return jsonify([sheet_json(s) for s in sheets])


@bp.put("/judging/sheets/<int:sheet_id>")
@roles_required(JUDGE)
@json_body(SheetIn)
def sheets_put(sheet_id: int, body: SheetIn):
    """Save draft scores with the sheet's version (409 when stale or submitted; 422 over max_points)."""
    sheet = save_scores(g.api_user, get_sheet(g.api_user, sheet_id), body.scores, body.version)
    db.session.commit()
    return jsonify(sheet_json(sheet))


@bp.post("/judging/sheets/<int:sheet_id>/submit")
@roles_required(JUDGE)
def sheets_submit(sheet_id: int):
    """Submit a complete sheet; it is locked afterwards."""
    sheet = submit_sheet(g.api_user, get_sheet(g.api_user, sheet_id))
    db.session.commit()
    return jsonify(sheet_json(sheet))


@bp.get("/competitions/<int:competition_id>/results")
@roles_required(ORG_STAFF, ADMIN)
def results(competition_id: int):
    """Ranked results with item scores, totals and awards (names only once every sheet is submitted)."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    return jsonify({"state": competition.state, "rows": result_rows(competition)})


@bp.post("/competitions/<int:competition_id>/publish")
@roles_required(ORG_STAFF)
def competitions_publish(competition_id: int):
    """Publish the results (notice period starts); they are frozen."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    rows = publish(g.api_user, competition)
    db.session.commit()
    return jsonify({"state": competition.state, "published_at": iso_local(competition.published_at), "rows": rows})


register_source("competition", issue_award_certificates)
