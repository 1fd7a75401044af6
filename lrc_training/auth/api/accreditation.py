"""JSON API of accreditation (备案): admins record, edit and end it; the organization's own staff may read it."""

from __future__ import annotations

from flask import g, jsonify, request

from ...core.access import roles_required
from ...core.api import api_response, json_body, parse_json
from ...core.errors import NotFound
from ...core.timeutil import iso_local
from ...extensions import db
from ..models import Accreditation
from ..roles import ADMIN, ORG_STAFF
from ..schemas import AccreditationEndIn, AccreditationIn, AccreditationOut
from ..services.accreditation import (
    AccreditationInput,
    current_accreditation,
    end_accreditation,
    local_today,
    record_accreditation,
)
from ..services.organizations import get_organization_for_edit
from . import api_bp as bp


def accreditation_json(row: Accreditation) -> dict:
    today = local_today()
    return {"organization_id": row.organization_id, "filing_number": row.filing_number, "letter": row.letter,
            "levels": sorted(row.levels, reverse=True), "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until.isoformat(), "org_code": row.org_code,
            "province_code": row.province_code, "site_code": row.site_code,
            "site_code_derived": row.site_code_derived, "number_prefix": row.number_prefix,
            "valid_today": row.ended_at is None and row.valid_from <= today <= row.valid_until,
            "ended_at": iso_local(row.ended_at), "end_reason": row.end_reason, "version": row.version}


@bp.get("/organizations/<int:org_id>/accreditation")
@roles_required(ADMIN, ORG_STAFF)
@api_response(AccreditationOut)
def accreditation_get(org_id: int):
    """The organization's open filing (admins; its own staff). 404 when it has none."""
    org = get_organization_for_edit(g.api_user, org_id)
    row = current_accreditation(org.id)
    if row is None:
        raise NotFound("该机构没有有效的备案")
    return jsonify(accreditation_json(row))


@bp.put("/organizations/<int:org_id>/accreditation")
@roles_required(ADMIN)
@json_body(AccreditationIn)
@api_response(AccreditationOut)
def accreditation_put(org_id: int, body: AccreditationIn):
    """Record or edit the filing: filing_number, letter Y|S, levels, valid_until (optional valid_from, org_code,
    site_code, version). Only an organization of kind `evaluator` can be accredited."""
    org = get_organization_for_edit(g.api_user, org_id)
    row = record_accreditation(g.api_user, org, AccreditationInput(
        filing_number=body.filing_number, letter=body.letter, levels=body.levels, valid_until=body.valid_until,
        valid_from=body.valid_from, org_code=body.org_code, site_code=body.site_code), version=body.version)
    db.session.commit()
    return jsonify(accreditation_json(row))


@bp.delete("/organizations/<int:org_id>/accreditation")
@roles_required(ADMIN)
@api_response(AccreditationOut)
def accreditation_delete(org_id: int):
    """End the filing (optional JSON body {"reason"}); it stays on record as ended."""
    org = get_organization_for_edit(g.api_user, org_id)
    reason = parse_json(AccreditationEndIn).reason if request.get_data(cache=True).strip() else None
    row = end_accreditation(g.api_user, org, reason)
    db.session.commit()
    return jsonify(accreditation_json(row))
