"""目标考核: the 人社 department of a region sets the yearly guideline targets of the regions below it (the form
version of PUT /api/v1/targets/{region_code}) and sees their progress, ranked, as a table and a bar chart."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import local_today
from ...core.access import roles_required
from ...core.errors import Forbidden
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.params import ascii_int
from ..services.targets import set_target, target_progress
from ..services.work import is_hrss_staff
from . import bp
from .forms import TargetForm

NAV = [
    NavItem("目标考核", "registry.targets", roles=(ORG_STAFF, ADMIN),
            visible=lambda user: is_hrss_staff(user) or user.has_role(ADMIN),
            description="为下级地区设定年度协调员人数和企业覆盖率目标，查看完成进度与排名", group="信息库"),
]


def _year() -> int:
    this_year = local_today().year
    year = ascii_int(request.args.get("year", ""))
    return year if year is not None and 2000 <= year <= 2100 else this_year


def _progress(year: int) -> list[dict] | None:
    """The ranked regions, or None for staff who set no targets (not a 人社 department): they get a notice."""
    try:
        return target_progress(current_user, year)
    except Forbidden:
        return None


def chart(rows: list[dict]) -> dict:
    """Geometry of the horizontal progress bars (the dashboard's region chart, scaled to 100 % or the best)."""
    top = max([r["progress"] for r in rows if r["progress"] is not None] + [1.0])
    bars = [{"name": r["name"], "y": i * 22, "w": round(r["progress"] / top * 260, 1), "progress": r["progress"]}
            for i, r in enumerate(r for r in rows if r["progress"] is not None)]
    return {"bars": bars, "height": len(bars) * 22 + 10, "full": round(260 / top, 1)}


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def targets():
    year = _year()
    rows = _progress(year)
    if rows is None:
        return render_template("registry/targets.html", rows=None, year=year, this_year=local_today().year), \
            422 if request.method == "POST" else 200
    form = TargetForm()
    form.region_code.choices = [("", "— 请选择 —")] + [(r["region_code"], r["name"]) for r in rows]
    if request.method == "POST":
        done = run_action(form, lambda data: set_target(current_user, data.region_code, data.target()),
                          "目标已保存。", on_form=True)
        if done:
            return redirect(url_for("registry.targets", year=done.value.year))
        status = 422
    else:
        status = 200
        _prefill(form, rows, year)
    return render_template("registry/targets.html", rows=rows, form=form, year=year, chart=chart(rows),
                           this_year=local_today().year), status


def _prefill(form: TargetForm, rows: list[dict], year: int) -> None:
    """?edit=<region_code> fills the form with that region's target for the year."""
    form.year.data = year
    row = next((r for r in rows if r["region_code"] == request.args.get("edit")), None)
    if row is not None:
        form.region_code.data = row["region_code"]
        if row["target"]:
            form.coordinators.data = row["target"]["coordinators"]
            form.coverage_percent.data = round(row["target"]["coverage_share"] * 100, 1)
