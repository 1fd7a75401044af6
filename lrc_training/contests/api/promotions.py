"""JSON API of a final competition's promotions: where each stands, which evaluators may be asked, and sending the
eligible ones to the chosen evaluator (it issues the level certificates; a committee accredited for the level
itself issues directly)."""

from __future__ import annotations

from flask import g, jsonify

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.api import api_response, created, json_body
from ...extensions import db
from ..schemas.inputs import PromotionRequestsIn
from ..schemas.responses import PromotionRequestsOut, PromotionsOut
from ..services.access import get_competition_for_committee
from ..services.promotions import PromotionRow, evaluators_for, promotion_rows, send_promotion_requests
from . import api_bp as bp


def promotion_json(row: PromotionRow) -> dict:
    req = row.request
    return {"registration_id": row.reward.registration_id, "user_id": row.reward.user_id,
            "name": row.reward.user.name, "title": row.reward.title, "level": row.reward.level,
            "eligible": not row.reward.ineligible_reason, "ineligible_reason": row.reward.ineligible_reason,
            "status": row.status, "status_text": row.text,
            "request": None if req is None else {
                "id": req.id, "status": req.status, "evaluator_organization_id": req.issuer_organization_id,
                "evaluator": req.issuer_organization.name, "decision_reason": req.decision_reason}}


@bp.get("/competitions/<int:competition_id>/promotions")
@roles_required(ORG_STAFF, ADMIN)
@api_response(PromotionsOut)
def promotions_list(competition_id: int):
    """The promotions of a final competition and the evaluators that may be asked to issue them."""
    competition = get_competition_for_committee(g.api_user, competition_id)
    rows = promotion_rows(competition) if competition.state == "final" else []
    return jsonify({"state": competition.state,
                    "promotion_requires_certificate": competition.promotion_requires_certificate,
                    "promotions": [promotion_json(r) for r in rows],
                    "evaluators": [{"organization_id": org_id, "name": name} for org_id, name in evaluators_for(rows)]})


@bp.post("/competitions/<int:competition_id>/promotion-requests")
@roles_required(ORG_STAFF)
@json_body(PromotionRequestsIn)
@api_response(PromotionRequestsOut, 201)
def promotion_requests_create(competition_id: int, body: PromotionRequestsIn):
    """Send the eligible promotions to the evaluator (403 not_accredited when its filing is missing, expired or
    covers none of their levels; 409 before the results are final)."""
    outcome = send_promotion_requests(g.api_user, competition_id, body.evaluator_organization_id)
    db.session.commit()
    return created({"requested": len(outcome.requested), "issued": len(outcome.issued),
                    "numbers": [c.number for c in outcome.issued], "skipped": outcome.skipped,
                    "not_covered": len(outcome.not_covered)})
