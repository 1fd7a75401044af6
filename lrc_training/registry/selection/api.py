"""JSON API of selections (/api/v1/selections…, docs/api.md "Selections"). It attaches to the registry's api_bp
(registry/api/__init__.py imports it). The rules live in services/ (rounds, nominations, review, notice); these
handlers parse with a schema of schemas.py, call one service, commit once and answer with a declared response."""

from __future__ import annotations

from flask import g, jsonify

from ...core.access import login_required, public, roles_required
from ...core.api import api_response, created, json_body, paginate
from ...core.timeutil import iso_local
from ...extensions import db, limiter
from ..api import api_bp as bp
from .models import SelectionRound
from .queries import nominations_query, objections_of, rounds_query
from .schemas import (
    ActionIn,
    NominationIn,
    NominationOut,
    NoticeOut,
    ObjectionDecisionIn,
    ObjectionIn,
    ObjectionList,
    ObjectionStatusOut,
    ReviewerIn,
    ReviewerOut,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    RoundPage,
    ScoreIn,
    ScoreOut,
)
from .services.nominations import nominate
from .services.notice import decide_objection, finalize_by, public_round, shortlist, submit_objection
from .services.review import appoint_reviewer, standings, submit_score
from .services.rounds import create_round, get_round, move_round


def round_json(rnd: SelectionRound, caps=frozenset()) -> dict:
    return {"id": rnd.id, "title": rnd.title, "kind": rnd.kind, "standard": rnd.standard, "quota": rnd.quota,
            "per_org_limit": rnd.per_org_limit, "nomination_deadline": iso_local(rnd.nomination_deadline),
            "review_deadline": iso_local(rnd.review_deadline), "notice_days": rnd.notice_days, "state": rnd.state,
            "organization_id": rnd.organization_id, "region_code": rnd.region_code,
            "notice_ends_at": iso_local(rnd.notice_ends_at), "finalized_at": iso_local(rnd.finalized_at),
            "version": rnd.version, "capacities": sorted(caps)}


def nomination_json(nomination, organization, user, standing=None) -> dict:
    result = {"id": nomination.id, "organization_id": organization.id, "organization_name": organization.name,
              "nominee": {"user_id": user.id, "name": user.name} if user is not None else None,
              "grounds": nomination.grounds, "snapshot": nomination.snapshot, "disqualified": nomination.disqualified,
              "created_at": iso_local(nomination.created_at)}
    if standing is not None:
        result.update(mean_score=float(standing.mean) if standing.mean is not None else None, rank=standing.rank,
                      scores=standing.count, shortlisted=standing.shortlisted)
    return result


@bp.post("/selections")
@login_required
@json_body(RoundIn)
@api_response(RoundOut, 201)
def selection_create(body: RoundIn):
    """Open a draft round for the caller's hrss organization and its region."""
    rnd = create_round(g.api_user, body)
    db.session.commit()
    return created(round_json(rnd, frozenset({"manage"})))


@bp.get("/selections")
@login_required
@api_response(RoundPage)
def selection_list():
    """The rounds the caller manages, may nominate in or reviews, newest first."""
    return jsonify(paginate(rounds_query(g.api_user), round_json))


@bp.get("/selections/<int:round_id>")
@login_required
@api_response(RoundDetailOut)
def selection_read(round_id: int):
    """The round and the nominations the caller may see (managers: with mean, rank and the shortlist)."""
    rnd, caps = get_round(g.api_user, round_id)
    table = standings(rnd) if "manage" in caps else {}
    rows = db.session.execute(nominations_query(rnd, caps, g.api_user)).all()
    return jsonify({**round_json(rnd, caps), "nominations": [nomination_json(*row, table.get(row[0].id))
                                                             for row in rows]})


@bp.post("/selections/<int:round_id>/actions")
@login_required
@json_body(ActionIn)
@api_response(RoundOut)
def selection_action(round_id: int, body: ActionIn):
    """Move the round on: open → nominating, review → reviewing, notice → notice, finalize → final."""
    if body.action == "finalize":
        finalize_by(g.api_user, round_id)
        rnd = get_round(g.api_user, round_id)[0]
    else:
        rnd = move_round(g.api_user, round_id, body.action)
    db.session.commit()
    return jsonify(round_json(rnd, get_round(g.api_user, round_id)[1]))


@bp.post("/selections/<int:round_id>/nominations")
@roles_required("org_staff")
@json_body(NominationIn)
@api_response(NominationOut, 201)
def selection_nominate(round_id: int, body: NominationIn):
    nomination = nominate(g.api_user, round_id, body)
    db.session.commit()
    rnd, caps = get_round(g.api_user, round_id)
    row = next(r for r in db.session.execute(nominations_query(rnd, caps, g.api_user)).all()
               if r[0].id == nomination.id)
    return created(nomination_json(*row))


@bp.post("/selections/<int:round_id>/reviewers")
@login_required
@json_body(ReviewerIn)
@api_response(ReviewerOut, 201)
def selection_appoint(round_id: int, body: ReviewerIn):
    reviewer = appoint_reviewer(g.api_user, round_id, body.username)
    db.session.commit()
    return created({"round_id": round_id, "user_id": reviewer.user_id})


@bp.post("/selections/<int:round_id>/scores")
@login_required
@json_body(ScoreIn)
@api_response(ScoreOut)
def selection_score(round_id: int, body: ScoreIn):
    """Save the caller's score of one nomination (a reviewer of the round; 403 when they must recuse)."""
    score = submit_score(g.api_user, round_id, body)
    db.session.commit()
    return jsonify({"id": score.id, "nomination_id": score.nomination_id, "score": float(score.score),
                    "comment": score.comment, "version": score.version})


@bp.get("/selections/<int:round_id>/objections")
@login_required
@api_response(ObjectionList)
def selection_objections(round_id: int):
    get_round(g.api_user, round_id, "manage")
    return jsonify({"items": [{"id": o.id, "nomination_id": o.nomination_id, "text": o.text, "contact": o.contact,
                               "status": o.status, "reply": o.reply, "created_at": iso_local(o.created_at)}
                              for o in objections_of(round_id)]})


@bp.post("/selections/<int:round_id>/objections/<int:objection_id>/decision")
@login_required
@json_body(ObjectionDecisionIn)
@api_response(ObjectionStatusOut)
def selection_decide(round_id: int, objection_id: int, body: ObjectionDecisionIn):
    objection = decide_objection(g.api_user, round_id, objection_id, body)
    db.session.commit()
    return jsonify({"id": objection.id, "status": objection.status, "reply": objection.reply})


@bp.get("/selections/<int:round_id>/notice")
@public
@limiter.limit("30 per minute")
@api_response(NoticeOut)
def selection_public_notice(round_id: int):
    """The public shortlist (masked names) while a round is in notice or final."""
    rnd = public_round(round_id)
    return jsonify({"id": rnd.id, "title": rnd.title, "state": rnd.state, "notice_ends_at": iso_local(rnd.notice_ends_at),
                    "shortlist": [{"nomination_id": r.nomination_id, "rank": r.rank, "name": r.name,
                                   "organization_name": r.organization, "region_code": r.region_code,
                                   "disqualified": r.disqualified} for r in shortlist(rnd)]})


@bp.post("/selections/<int:round_id>/objections")
@public
@limiter.limit("5 per minute")
@json_body(ObjectionIn)
@api_response(ObjectionStatusOut, 201)
def selection_object(round_id: int, body: ObjectionIn):
    objection = submit_objection(round_id, body)
    db.session.commit()
    return created({"id": objection.id, "status": objection.status})

