"""The registry dashboard: statistics per region level with drill-down, charts drawn as inline SVG (no external
service), and the Excel export of every table and the coordinator list."""

from __future__ import annotations

from flask import render_template

from ...auth.roles import ADMIN, ORG_KIND_LABELS, ORG_STAFF
from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.navigation import NavItem
from ...core.regions import region_display, region_path
from ...extensions import db
from ..exports import XLSX, registry_workbook
from ..models import CATEGORY_LABELS
from ..services.statistics import statistics
from ..services.trends import large_enterprise_gaps, monthly_trends
from . import bp
from .common import request_access

NAV = [
    NavItem("人才信息库", "registry.dashboard", roles=(ORG_STAFF, ADMIN),
            description="按地区、等级、单位类型统计劳动关系协调员，逐级下钻，导出 Excel", group="信息库"),
]


@bp.route("/")
@roles_required(ORG_STAFF, ADMIN)
def dashboard():
    access = request_access()
    code = access.code
    stats = statistics(access)
    top = max([row["total"] for row in stats["by_subregion"]] + [1])
    trends = monthly_trends(access)
    return render_template("registry/dashboard.html", stats=stats, top=top, code=code, path=region_path(code or ""),
                           kinds=ORG_KIND_LABELS, region_name=region_display(code) if code else "全国",
                           trends=trends, trend_chart=trend_chart(trends), gaps=large_enterprise_gaps(access, 20),
                           categories=CATEGORY_LABELS, access=access)


def trend_chart(trends: list[dict]) -> dict:
    """Geometry of the monthly chart (SVG drawn by the template): paired bars for certificates and completions on
    the left scale, the exam pass rate as a line on a 0–100 % scale."""
    top = max([max(t["certificates"], t["completions"]) for t in trends] + [1])
    width, height, left, bottom = 600, 220, 40, 190
    step = (width - left - 10) / len(trends)
    bars, points = [], []
    for i, t in enumerate(trends):
        x = left + i * step
        for j, (key, colour) in enumerate((("certificates", "#1f4e79"), ("completions", "#5b9bd5"))):
            h = t[key] / top * (bottom - 20)
            bars.append({"x": round(x + 4 + j * (step - 8) / 2, 1), "y": round(bottom - h, 1),
                         "w": round((step - 8) / 2, 1), "h": round(h, 1), "fill": colour,
                         "title": f"{t['month']} {'证书' if key == 'certificates' else '结业'} {t[key]}"})
        if t["pass_rate"] is not None:
            points.append((round(x + step / 2, 1), round(bottom - t["pass_rate"] / 100 * (bottom - 20), 1),
                           f"{t['pass_rate']:.0f}%"))
    active = [t["month"] for t in trends if t["certificates"] or t["completions"] or t["exam_candidates"]]
    # With fewer than two months of data a chart is a lone bar or dot that says less than the table under it.
    return {"width": width, "height": height, "bottom": bottom, "left": left, "top": top, "bars": bars,
            "drawn": len(active) >= 2, "active_months": active,
            "line": " ".join(f"{x},{y}" for x, y, _ in points), "points": points,
            "labels": [{"x": round(left + i * step + step / 2, 1), "text": t["month"][2:]} for i, t in enumerate(trends)]}


@bp.route("/export.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def export():
    access = request_access()
    code = access.code
    buffer, people = registry_workbook(access)
    audit_export("registry", "region", code or "全国", rows=people,
                 scope={"region": region_display(code) if code else "全国"})
    db.session.commit()
    return private_download(buffer, download_name=f"劳动关系协调员统计-{code or '全国'}.xlsx", mimetype=XLSX)
