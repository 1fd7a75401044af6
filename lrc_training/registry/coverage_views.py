"""Coverage pages: per subregion, how many enterprises are covered by their own coordinator or a platform, and the
list of uncovered enterprises (largest first) with an Excel download."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from ..auth.roles import ADMIN, ORG_STAFF
from ..core.access import roles_required
from ..core.downloads import audit_export, private_download
from ..core.errors import DomainError
from ..core.pagination import paginate_page
from ..core.params import ascii_int
from ..core.regions import region_display, region_path
from ..core.xlsx import XLSX_MIMETYPE
from ..core.xlsx_stream import StreamedWorkbook
from ..extensions import db
from . import bp
from .coverage import SIZE_CHOICES, coverage_with_total, uncovered_enterprises
from .services import resolve_scope

EXPORT_LIMIT = 200_000


def _access():
    try:
        return resolve_scope(current_user, request.args.get("region_code") or None)
    except DomainError as exc:
        abort(exc.status if exc.status in (403, 404) else 400)


def _min_employees() -> int | None:
    value = ascii_int(request.args.get("min_employees", ""), low=1)
    return value if value in SIZE_CHOICES else None


@bp.route("/coverage")
@roles_required(ORG_STAFF, ADMIN)
def coverage():
    access = _access()
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
    access = _access()
    size = _min_employees()
    book = StreamedWorkbook()
    rows = 0
    with book.sheet("未覆盖企业", header=["企业", "地区", "职工人数"],
                    widths=[36, 30, 10]) as sheet:
        regions: dict[str, str] = {}
        for org in db.session.execute(uncovered_enterprises(access, size).limit(EXPORT_LIMIT)).scalars():
            if org.region_code not in regions:
                regions[org.region_code] = region_display(org.region_code)
            sheet.append([org.name, regions[org.region_code], org.employees])
            rows += 1
    buffer = book.save()
    audit_export("registry_coverage", "region", access.code or "全国", rows=rows,
                 scope={"region": region_display(access.code) if access.code else "全国", "min_employees": size})
    db.session.commit()
    return private_download(buffer, download_name=f"未覆盖企业-{access.code or '全国'}.xlsx",
                            mimetype=XLSX_MIMETYPE)
