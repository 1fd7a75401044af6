"""JSON API for certificates (docs/api.md "Certificates"): issuing for a registered source, a certificate and its
PDF, revoking, an organization's numbering settings, public verification. Each JSON answer has its declared
response schema (schemas.py); the PDF is a file."""

from __future__ import annotations

import io

from flask import g, jsonify, request, send_file

from ...auth.models import Organization
from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.identity import mask_id_number
from ...core.access import login_required, public, roles_required
from ...core.api import ApiError, api_file, api_response, created, json_body
from ...core.errors import NotFound
from ...extensions import db, limiter
from ..schemas import (
    CertificateOut,
    CertificateSettingsOut,
    IssuedOut,
    IssueIn,
    RevokeIn,
    SettingsIn,
    VerificationOut,
)
from ..services.access import get_for_manage, get_for_view
from ..services.issuing import issue_for_source, revoke
from ..services.numbering import settings_for, update_settings
from ..services.rendering import render_certificate
from ..services.verification import verify
from . import api_bp as bp

VERIFY_LIMIT = "30 per minute"


def certificate_json(cert) -> dict:
    return CertificateOut(
        number=cert.number, kind=cert.kind, status=cert.status, holder_name=cert.holder_name,
        holder_user_id=cert.holder_user_id, id_type=cert.id_type, id_number_masked=_mask(cert.id_number),
        occupation=cert.occupation, job_direction=cert.job_direction, level=cert.level,
        level_label=cert.level_label or None, award=cert.award, event_title=cert.event_title, rank=cert.rank,
        issuer_organization_id=cert.issuer_organization_id, issuer=cert.issuer_name,
        issued_on=cert.issued_on.isoformat(), source_type=cert.source_type, source_id=cert.source_id,
        revoke_reason=cert.revoke_reason, replaces=cert.replaces.number if cert.replaces else None,
        replaced_by=cert.replaced_by.number if cert.replaced_by else None,
    ).model_dump()


def _mask(number: str | None) -> str | None:
    return mask_id_number(number) if number else None


def settings_json(org: Organization) -> dict:
    s = settings_for(org)
    return CertificateSettingsOut(
        organization_id=org.id, type_letter=s.type_letter, org_code=s.org_code, province_code=s.province_code,
        site_code=s.site_code, registered_name=s.registered_name, signatory=s.signatory, configured=s.configured,
        seal_configured=bool(s.seal_file),
    ).model_dump()


def _organization_for(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    actor = g.api_user
    if org is None or not (actor.has_role(ADMIN) or actor.organization_id == org.id):
        raise NotFound("机构不存在")
    return org


@bp.get("/organizations/<int:org_id>/certificate-settings")
@roles_required(ORG_STAFF, ADMIN)
@api_response(CertificateSettingsOut)
def settings_get(org_id: int):
    """The organization's certificate numbering settings (defaults until configured)."""
    return jsonify(settings_json(_organization_for(org_id)))


@bp.put("/organizations/<int:org_id>/certificate-settings")
@roles_required(ORG_STAFF, ADMIN)
@api_response(CertificateSettingsOut)
@json_body(SettingsIn)
def settings_put(org_id: int, body: SettingsIn):
    """Set type letter, organization code, province code, site code and registered name."""
    org = _organization_for(org_id)
    update_settings(org, type_letter=body.type_letter, org_code=body.org_code, province_code=body.province_code,
                    site_code=body.site_code, registered_name=body.registered_name, signatory=body.signatory,
                    version=body.version)
    db.session.commit()
    return jsonify(settings_json(org))


@bp.post("/certificates/issue")
@roles_required(ORG_STAFF, ADMIN)
@api_response(IssuedOut, 201)
@json_body(IssueIn)
def certificates_issue(body: IssueIn):
    """Issue the certificates of an exam session or a competition (idempotent: no duplicates)."""
    name, source_id = ("exam_session", body.exam_session_id) if body.exam_session_id else (
        "competition", body.competition_id)
    created_now, all_certs = issue_for_source(g.api_user, name, source_id)
    db.session.commit()
    return created(IssuedOut(issued=len(created_now), numbers=[c.number for c in created_now],
                             all_numbers=[c.number for c in all_certs]).model_dump())


@bp.get("/certificates/<string:number>.pdf")
@login_required
@api_file("application/pdf")
def certificates_pdf(number: str):
    """The certificate as a PDF (holder, the issuing organization's staff)."""
    cert = get_for_view(g.api_user, number)
    return send_file(io.BytesIO(render_certificate(cert)), mimetype="application/pdf",
                     download_name=f"{cert.number}.pdf")


@bp.get("/certificates/<string:number>")
@login_required
@api_response(CertificateOut)
def certificates_get(number: str):
    """One certificate record (holder, the issuing organization's staff)."""
    return jsonify(certificate_json(get_for_view(g.api_user, number)))


@bp.post("/certificates/<string:number>/revoke")
@roles_required(ORG_STAFF, ADMIN)
@api_response(CertificateOut)
@json_body(RevokeIn)
def certificates_revoke(number: str, body: RevokeIn):
    """Revoke with a reason; verification then says revoked. The number is never reused."""
    cert = revoke(get_for_manage(g.api_user, number), body.reason, actor_id=g.api_user.id)
    db.session.commit()
    return jsonify(certificate_json(cert))


@bp.get("/verify/<string:number>")
@public
@api_response(VerificationOut)
@limiter.limit(VERIFY_LIMIT)
def verify_public(number: str):
    """Public verification by number and holder name (?name=); 404 when either does not match."""
    name = request.args.get("name", "")
    if not name.strip():
        raise ApiError(400, "bad_request", "请提供持证人姓名（name 参数）", {"name": "必填"})
    result = verify(number, name)
    if result is None:
        raise NotFound("未找到与编号和姓名相符的证书", {"number": "编号或姓名不符"})
    return jsonify(VerificationOut(**result.as_json()).model_dump())
