"""JSON API: the coordinator registry and statistics (docs/api.md "Registry and statistics")."""

from __future__ import annotations

from flask import g, jsonify, request
from sqlalchemy import func, select

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.api import api_response, created, json_body, page_args, query_args
from ...extensions import db
from ..queries import registry_query, registry_rows
from ..schemas.inputs import EntryIn, RegistryIn, RegistryQuery, ServiceAreaIn, TargetIn
from ..schemas.responses import (
    RecordOut,
    RegistryEntryOut,
    RegistryPage,
    ServiceAreaOut,
    StatisticsOut,
    TargetOut,
    TrendsOut,
)
from ..services.access import resolve_scope
from ..services.governance import read_service_area, set_service_area
from ..services.records import add_to_registry, profile, update_entry
from ..services.statistics import statistics
from ..services.targets import set_target
from ..services.trends import large_enterprise_gaps, monthly_trends
from . import api_bp as bp


def rows_page(stmt, serialize) -> dict:
    """One page of result rows (`serialize(*row)` each) and the total: two queries however long the list."""
    page, per_page = page_args()
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [serialize(*row) for row in rows], "page": page, "per_page": per_page, "total": total}


@bp.get("/registry")
@roles_required(ORG_STAFF, ADMIN)
@query_args(RegistryQuery, paginated=True)
@api_response(RegistryPage)
def registry_list(query: RegistryQuery):
    """Coordinators in the caller's region scope (filters: region_code, level, organization_kind), paginated."""
    access = resolve_scope(g.api_user, query.region_code)
    page = rows_page(registry_query(access, query.level, query.organization_kind), lambda *row: row)
    return jsonify({**page, "items": registry_rows(page["items"])})


@bp.post("/registry")
@roles_required(ORG_STAFF, ADMIN)
@json_body(RegistryIn)
@api_response(RegistryEntryOut, 201)
def registry_add(body: RegistryIn):
    """Add a coordinator certified elsewhere (or record registry fields for one certified here)."""
    entry = add_to_registry(g.api_user, user_id=body.user_id, position=body.position, full_time=body.full_time,
                            certificate_number=body.certificate_number, level=body.level)
    db.session.commit()
    return created({"id": entry.id, "user_id": entry.user_id, "level": entry.level,
                    "certificate_number": entry.certificate_number, "position": entry.position,
                    "full_time": entry.full_time})


@bp.get("/statistics")
@roles_required(ORG_STAFF, ADMIN)
@api_response(StatisticsOut)
def statistics_view():
    """Counts by level, organization kind and subregion, and enterprise coverage; 403 outside the caller's scope."""
    return jsonify(statistics(resolve_scope(g.api_user, request.args.get("region_code") or None)))


def _record_json(user_id: int) -> dict:
    record = profile(g.api_user, user_id)
    row = registry_rows([(record.user, record.organization, record.level)])[0]
    entry = record.entry
    return {**row, "position": entry.position if entry else None, "full_time": bool(entry and entry.full_time),
            "started_on": entry.started_on.isoformat() if entry and entry.started_on else None,
            "category": entry.categories if entry else [],
            "version": entry.version if entry else None, "training_hours": record.training_hours,
            "competitions": [{k: c[k] for k in ("title", "rank", "award", "rewards")} for c in record.competitions]}


@bp.get("/registry/<int:user_id>")
@roles_required(ORG_STAFF, ADMIN)
@api_response(RecordOut)
def registry_get(user_id: int):
    """One coordinator's record; 404 outside the caller's region scope."""
    return jsonify(_record_json(user_id))


@bp.put("/registry/<int:user_id>")
@roles_required(ORG_STAFF, ADMIN)
@json_body(EntryIn)
@api_response(RecordOut)
def registry_put(user_id: int, body: EntryIn):
    """Edit the staff-maintained fields with the version read (409 when someone saved first); audited."""
    update_entry(g.api_user, user_id, position=body.position, full_time=body.full_time, started_on=body.started_on,
                 version=body.version, category=body.category)
    db.session.commit()
    return jsonify(_record_json(user_id))


@bp.get("/statistics/trends")
@roles_required(ORG_STAFF, ADMIN)
@api_response(TrendsOut)
def statistics_trends():
    """The last 12 months in the scope: level certificates issued, course completions, exam candidates and pass
    rate; and large enterprises with too few coordinators."""
    access = resolve_scope(g.api_user, request.args.get("region_code") or None)
    return jsonify({"region_code": access.code, "months": monthly_trends(access),
                    "large_enterprises": large_enterprise_gaps(access, 100)})


def _service_area_json(platform, enterprises) -> dict:
    return {"organization_id": platform.id, "enterprise_ids": [e.id for e in enterprises],
            "enterprises": [{"id": e.id, "name": e.name, "region_code": e.region_code} for e in enterprises]}


@bp.get("/organizations/<int:org_id>/service-area")
@roles_required(ORG_STAFF, ADMIN)
@api_response(ServiceAreaOut)
def service_area_get(org_id: int):
    """A platform's service area (the enterprises it serves): admins, region-wide staff of its region, its staff."""
    return jsonify(_service_area_json(*read_service_area(g.api_user, org_id)))


@bp.put("/organizations/<int:org_id>/service-area")
@roles_required(ORG_STAFF, ADMIN)
@json_body(ServiceAreaIn)
@api_response(ServiceAreaOut)
def service_area_put(org_id: int, body: ServiceAreaIn):
    """Replace a platform's service area (人社 staff of the scope, admins); enterprises outside the scope → 422."""
    set_service_area(g.api_user, org_id, body.enterprise_ids)
    db.session.commit()
    return jsonify(_service_area_json(*read_service_area(g.api_user, org_id)))


@bp.put("/targets/<region_code>")
@roles_required(ORG_STAFF, ADMIN)
@json_body(TargetIn)
@api_response(TargetOut)
def target_put(region_code: str, body: TargetIn):
    """Set a region's yearly target (人社 staff of a parent region; admins any region)."""
    target = set_target(g.api_user, region_code, body)
    db.session.commit()
    return jsonify({"region_code": region_code, "year": target.year, "coordinators": target.coordinators,
                    "coverage_share": target.coverage_share})
