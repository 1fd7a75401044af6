"""JSON API: the caller, users and organizations (docs/api.md "People and organizations")."""

from __future__ import annotations

from flask import g, jsonify

from ...core.access import login_required, roles_required
from ...core.api import api_response, created, json_body, paginate
from ...core.regions import region_display
from ...extensions import db
from ..models import Organization, User
from ..roles import ADMIN, ORG_STAFF
from ..schemas import OrganizationIn, OrganizationOut, OrganizationPage, UserIn, UserOut, UserPage
from ..services.organizations import create_organization, get_organization_for_edit, visible_organizations
from ..services.users import create_user, get_user_for_edit, visible_users
from . import api_bp as bp


def organization_json(org: Organization | None) -> dict | None:
    if org is None:
        return None
    return {"id": org.id, "name": org.name, "kind": org.kind, "region_code": org.region_code,
            "region_name": region_display(org.region_code), "active": org.active,
            "platform_level": org.platform_level, "national": org.national, "version": org.version}


def user_json(user: User) -> dict:
    return {"id": user.id, "username": user.username, "name": user.name,
            "id_number_masked": user.id_number_masked, "phone_masked": user.phone_masked,
            "roles": user.roles, "organization_id": user.organization_id,
            "organization": organization_json(user.organization), "active": user.active, "version": user.version}


@bp.get("/users/me")
@login_required
@api_response(UserOut)
def me():
    """The caller, with roles and organization."""
    return jsonify(user_json(g.api_user))


@bp.post("/users")
@roles_required(ADMIN, ORG_STAFF)
@json_body(UserIn)
@api_response(UserOut, 201)
def users_create(body: UserIn):
    """Create a user (admins anywhere; organization staff inside their own organization)."""
    user = create_user(g.api_user, username=body.username, password=body.password, name=body.name,
                       id_number=body.id_number, phone=body.phone, roles=body.roles,
                       organization_id=body.organization_id)
    db.session.commit()
    return created(user_json(user))


@bp.get("/users")
@roles_required(ADMIN, ORG_STAFF)
@api_response(UserPage)
def users_list():
    """Users the caller manages, paginated."""
    return jsonify(paginate(visible_users(g.api_user), user_json))


@bp.get("/users/<int:user_id>")
@roles_required(ADMIN, ORG_STAFF)
@api_response(UserOut)
def users_get(user_id: int):
    """One user inside the caller's scope."""
    return jsonify(user_json(get_user_for_edit(g.api_user, user_id)))


@bp.post("/organizations")
@roles_required(ADMIN)
@json_body(OrganizationIn)
@api_response(OrganizationOut, 201)
def organizations_create(body: OrganizationIn):
    """Create an organization of any kind (school, evaluator, enterprise, union, employer_org, platform, hrss,
    federation, association, mediation, law_firm, social_org); a platform may give its platform_level."""
    org = create_organization(g.api_user, name=body.name, kind=body.kind, region_code=body.region_code,
                              platform_level=body.platform_level, national=body.national)
    db.session.commit()
    return created(organization_json(org))


@bp.get("/organizations")
@roles_required(ADMIN, ORG_STAFF)
@api_response(OrganizationPage)
def organizations_list():
    """Organizations visible to the caller, paginated."""
    return jsonify(paginate(visible_organizations(g.api_user), organization_json))


@bp.get("/organizations/<int:org_id>")
@roles_required(ADMIN, ORG_STAFF)
@api_response(OrganizationOut)
def organizations_get(org_id: int):
    """One organization (staff see only their own)."""
    return jsonify(organization_json(get_organization_for_edit(g.api_user, org_id)))

