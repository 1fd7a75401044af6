"""JSON API: the coordinator registry and statistics (docs/api.md "Registry and statistics")."""

from __future__ import annotations

from datetime import date

from flask import g, jsonify, request
from pydantic import Field
from sqlalchemy import func, select

from ..auth.roles import ADMIN, ORG_STAFF
from ..core.access import roles_required
from ..core.api import ApiModel, created, json_body, page_args, query_args
from ..extensions import db
from . import api_bp as bp
from .records import profile, update_entry
from .schemas import RegistryQuery
from .services import add_to_registry, registry_query, registry_rows, resolve_scope, statistics
from .trends import large_enterprise_gaps, monthly_trends


class RegistryIn(ApiModel):
    user_id: int
    position: str | None = Field(default=None, max_length=100)
    full_time: bool = False
    certificate_number: str | None = Field(default=None, max_length=40)
    level: int | None = Field(default=None, ge=1, le=4)


@bp.get("/registry")
@roles_required(ORG_STAFF, ADMIN)
@query_args(RegistryQuery, paginated=True)
def registry_list(query: RegistryQuery):
    """Coordinators in the caller's region scope (filters: region_code, level, organization_kind), paginated."""
    prefix, _ = resolve_scope(g.api_user, query.region_code)
    stmt = registry_query(prefix, query.level, query.organization_kind)
    page, per_page = page_args()
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify({"items": registry_rows(rows), "page": page, "per_page": per_page, "total": total})


@bp.post("/registry")
@roles_required(ORG_STAFF, ADMIN)
@json_body(RegistryIn)
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
def statistics_view():
    """Counts by level, organization kind and subregion, and enterprise coverage; 403 outside the caller's scope."""
    prefix, code = resolve_scope(g.api_user, request.args.get("region_code") or None)
    return jsonify(statistics(prefix, code))


class RegistryEntryIn(ApiModel):
    position: str | None = Field(default=None, max_length=100)
    full_time: bool = False
    started_on: date | None = None
    version: int | None = None  # the record's version as read (null: it had no staff-maintained fields yet)


def _record_json(user_id: int) -> dict:
    record = profile(g.api_user, user_id)
    row = registry_rows([(record.user, record.organization, record.level)])[0]
    entry = record.entry
    return {**row, "position": entry.position if entry else None, "full_time": bool(entry and entry.full_time),
            "started_on": entry.started_on.isoformat() if entry and entry.started_on else None,
            "version": entry.version if entry else None, "training_hours": record.training_hours,
            "competitions": [{k: c[k] for k in ("title", "rank", "award", "rewards")} for c in record.competitions]}


@bp.get("/registry/<int:user_id>")
@roles_required(ORG_STAFF, ADMIN)
def registry_get(user_id: int):
    """One coordinator's record; 404 outside the caller's region scope."""
    return jsonify(_record_json(user_id))


@bp.put("/registry/<int:user_id>")
@roles_required(ORG_STAFF, ADMIN)
@json_body(RegistryEntryIn)
def registry_put(user_id: int, body: RegistryEntryIn):
    """Edit the staff-maintained fields with the version read (409 when someone saved first); audited."""
    update_entry(g.api_user, user_id, position=body.position, full_time=body.full_time, started_on=body.started_on,
                 version=body.version)
    db.session.commit()
    return jsonify(_record_json(user_id))


@bp.get("/statistics/trends")
@roles_required(ORG_STAFF, ADMIN)
def statistics_trends():
    """The last 12 months in the scope: level certificates issued, course completions, exam candidates and pass
    rate; and large enterprises with too few coordinators."""
    prefix, code = resolve_scope(g.api_user, request.args.get("region_code") or None)
    return jsonify({"region_code": code, "months": monthly_trends(prefix),
                    "large_enterprises": large_enterprise_gaps(prefix, 100)})
