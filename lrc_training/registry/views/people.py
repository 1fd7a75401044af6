"""The coordinator list (filters shared with `GET /api/v1/registry`), and recording an honor for someone on it with
a picker that finds people in the caller's scope."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_KIND_LABELS, ORG_STAFF
from ...core.access import roles_required
from ...core.forms import run_action
from ...core.pagination import page_filters, paginate_page
from ..queries import find_people, registry_query, registry_rows
from ..schemas.inputs import RegistryQuery
from ..services.honors import add_honor as record_honor_for
from . import bp
from .common import may_write, read_only_redirect, request_access
from .forms import HonorForm


@bp.route("/list")
@roles_required(ORG_STAFF, ADMIN)
def people():
    access = request_access()
    filters = page_filters(RegistryQuery)
    stmt = registry_query(access, filters.level, filters.organization_kind)
    page = paginate_page(stmt, rows=True)
    return render_template("registry/list.html", page=page, rows=registry_rows(page.items), code=access.code,
                           kinds=ORG_KIND_LABELS, level=str(filters.level or ""), kind=filters.organization_kind or "",
                           honor_form=HonorForm(), access=access)


@bp.route("/people/search")
@roles_required(ORG_STAFF, ADMIN)
def people_search():
    """The honor form's picker: people in the caller's scope by name, ID number or username (JSON)."""
    hits = find_people(current_user, request.args.get("q", ""))
    return jsonify({"items": [hit.as_json() for hit in hits]})


@bp.route("/honors", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def add_honor():
    if not may_write():
        return read_only_redirect()
    run_action(HonorForm(), lambda data: record_honor_for(current_user, data),
               lambda done: f"已为 {done[1].name} 记录荣誉“{done[0].title}”。", "记录失败：")
    return redirect(url_for("registry.people"))
