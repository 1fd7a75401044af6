"""JSON API of manual certificates: a request by one org_staff member, approval by another of the same
organization (the requester approving their own → 403; another organization's request → 404)."""

from __future__ import annotations

from flask import g, jsonify, request

from ...auth.roles import ORG_STAFF
from ...core.access import roles_required
from ...core.api import api_response, created, json_body, paginate
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import ManualCertificateRequest
from ..schemas import ManualIn, ManualRejectIn, ManualRequestOut, ManualRequestPage, RequestPersonOut
from ..services.manual import (
    ManualInput,
    approve_request,
    create_request,
    get_request_for_staff,
    reject_request,
    requests_of,
)
from . import api_bp as bp


def _person(user) -> RequestPersonOut | None:
    return RequestPersonOut(id=user.id, name=user.name) if user is not None else None


def manual_json(req: ManualCertificateRequest) -> dict:
    return ManualRequestOut(
        id=req.id, status=req.status, user_id=req.holder_user_id, holder_name=req.holder_name,
        id_number_masked=req.id_number_masked, level=req.level, issued_on=req.issued_on.isoformat(),
        job_direction=req.job_direction, reason=req.reason, evidence=req.evidence, has_scan=bool(req.scan_file),
        requested_by=_person(req.requested_by), requested_at=iso_local(req.created_at),
        decided_by=_person(req.decided_by), decided_at=iso_local(req.decided_at),
        decision_reason=req.decision_reason, number=req.certificate.number if req.certificate else None,
        import_id=req.import_id,
    ).model_dump()


@bp.post("/certificates/manual")
@roles_required(ORG_STAFF)
@api_response(ManualRequestOut, 201)
@json_body(ManualIn)
def manual_create(body: ManualIn):
    """Ask for a level certificate typed in by hand (user_id, level, issued_on, reason, evidence, optional
    job_direction); a different staff member of the organization approves it."""
    req = create_request(g.api_user, ManualInput(
        user_id=body.user_id, level=body.level, issued_on=body.issued_on, reason=body.reason, evidence=body.evidence,
        job_direction=body.job_direction))
    db.session.commit()
    return created(manual_json(req))


@bp.get("/certificates/manual")
@roles_required(ORG_STAFF)
@api_response(ManualRequestPage)
def manual_list():
    """The organization's manual requests (?status=pending_approval|approved|rejected), pending first."""
    return jsonify(paginate(requests_of(g.api_user, request.args.get("status")), manual_json))


@bp.get("/certificates/manual/<int:request_id>")
@roles_required(ORG_STAFF)
@api_response(ManualRequestOut)
def manual_get(request_id: int):
    """One manual request of the caller's organization."""
    return jsonify(manual_json(get_request_for_staff(g.api_user, request_id)))


@bp.post("/certificates/manual/<int:request_id>/approve")
@roles_required(ORG_STAFF)
@api_response(ManualRequestOut, 201)
def manual_approve(request_id: int):
    """Approve and issue (201 with the certificate number); only a staff member other than the requester."""
    req, _ = approve_request(g.api_user, request_id)
    db.session.commit()
    return created(manual_json(req))


@bp.post("/certificates/manual/<int:request_id>/reject")
@roles_required(ORG_STAFF)
@api_response(ManualRequestOut)
@json_body(ManualRejectIn)
def manual_reject(request_id: int, body: ManualRejectIn):
    """Reject with a reason."""
    req = reject_request(g.api_user, request_id, body.reason)
    db.session.commit()
    return jsonify(manual_json(req))
