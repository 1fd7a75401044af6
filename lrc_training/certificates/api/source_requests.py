"""JSON API of issue requests from a source (a competition's promotions): the evaluator's staff list the requests
addressed to their organization, approve (the organization issues the level certificate, 201 with its number) or
decline with a reason. Another organization's request → 404."""

from __future__ import annotations

from flask import g, jsonify, request

from ...auth.roles import ORG_STAFF
from ...core.access import roles_required
from ...core.api import api_response, created, json_body, paginate
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import SourceIssueRequest
from ..schemas import (
    EvidenceOut,
    SourceApproveIn,
    SourceDeclineIn,
    SourceIssueRequestOut,
    SourceIssueRequestPage,
)
from ..services.source_requests import approve, decline, get_for_issuer, requests_to
from . import api_bp as bp


def source_request_json(row: SourceIssueRequest) -> dict:
    return SourceIssueRequestOut(
        id=row.id, status=row.status, version=row.version, source_type=row.source_type, source_id=row.source_id,
        source_title=row.source_title, source_detail=row.source_detail,
        evidence=[EvidenceOut(label=label, value=value) for label, value in row.evidence or []],
        evidence_link=row.evidence_link, requester_organization_id=row.requester_organization_id,
        requester=row.requester_organization.name, evaluator_organization_id=row.issuer_organization_id,
        user_id=row.holder_user_id, holder_name=row.holder_name, id_number_masked=row.id_number_masked,
        level=row.level, requested_at=iso_local(row.created_at), decided_at=iso_local(row.decided_at),
        decision_reason=row.decision_reason, number=row.certificate.number if row.certificate else None,
    ).model_dump()


@bp.get("/certificates/issue-requests")
@roles_required(ORG_STAFF)
@api_response(SourceIssueRequestPage)
def source_requests_list():
    """Requests addressed to the caller's organization (?status=pending|approved|declined), pending first."""
    return jsonify(paginate(requests_to(g.api_user, request.args.get("status")), source_request_json))


@bp.get("/certificates/issue-requests/<int:request_id>")
@roles_required(ORG_STAFF)
@api_response(SourceIssueRequestOut)
def source_requests_get(request_id: int):
    """One request addressed to the caller's organization, with its evidence."""
    return jsonify(source_request_json(get_for_issuer(g.api_user, request_id)))


@bp.post("/certificates/issue-requests/<int:request_id>/approve")
@roles_required(ORG_STAFF)
@api_response(SourceIssueRequestOut, 201)
@json_body(SourceApproveIn)
def source_requests_approve(request_id: int, body: SourceApproveIn):
    """Approve: the caller's organization issues the level certificate (201 with `number`; the accreditation gate
    applies: 403 not_accredited when its filing no longer covers the level)."""
    row, _ = approve(g.api_user, request_id, body.version)
    db.session.commit()
    return created(source_request_json(row))


@bp.post("/certificates/issue-requests/<int:request_id>/decline")
@roles_required(ORG_STAFF)
@api_response(SourceIssueRequestOut)
@json_body(SourceDeclineIn)
def source_requests_decline(request_id: int, body: SourceDeclineIn):
    """Decline with a reason; the committee and the person are notified."""
    row = decline(g.api_user, request_id, body.reason, body.version)
    db.session.commit()
    return jsonify(source_request_json(row))
