"""Coverage pages: per subregion, how many enterprises are covered by their own coordinator or a platform, and the
uncovered ones (largest first) with an Excel download."""

from __future__ import annotations

from flask import render_template, request

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.pagination import paginate_page
from ...core.params import ascii_int
from ...core.regions import region_display, region_path
from ...extensions import db
from ..exports import XLSX, uncovered_workbook
from ..services.coverage import SIZE_CHOICES, coverage_with_total, uncovered_enterprises
from . import bp
from .common import request_access


def _min_employees() -> int | None:
    value = ascii_int(request.args.get("min_employees", ""), low=1)
    return value if value in SIZE_CHOICES else None


@bp.route("/coverage")
@roles_required(ORG_STAFF, ADMIN)
def coverage():
    access = request_access()
    size = _min_employees()
    subregions, uncovered = coverage_with_total(access)
    # Without a size filter the grouped counts already say how long the list is: no second pass over the enterprises.
    page = paginate_page(uncovered_enterprises(access, size), total=uncovered if size is None else None)
    return render_template("registry/coverage.html", access=access, code=access.code, page=page, size=size,
                           sizes=SIZE_CHOICES, subregions=subregions,
                           region_name=region_display(access.code) if access.code else "全国",
                           path=region_path(access.code or ""))


@bp.route("/coverage/uncovered.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def coverage_export():
    access = request_access()
    size = _min_employees()
    buffer, rows = uncovered_workbook(access, size)
    audit_export("registry_coverage", "region", access.code or "全国", rows=rows,
                 scope={"region": region_display(access.code) if access.code else "全国", "min_employees": size})
    db.session.commit()
    return private_download(buffer, download_name=f"未覆盖企业-{access.code or '全国'}.xlsx", mimetype=XLSX)
