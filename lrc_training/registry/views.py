"""Registry and statistics pages: the coordinator list and a dashboard per region level with drill-down,
charts drawn as inline SVG (no external service) and Excel export; honors."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from ..auth.models import User
from ..auth.roles import ADMIN, ORG_KIND_LABELS, ORG_STAFF
from ..core.access import roles_required
from ..core.audit import record_audit
from ..core.downloads import audit_export, private_download
from ..core.errors import DomainError
from ..core.form_fields import DateField
from ..core.navigation import NavItem
from ..core.pagination import page_filters, paginate_page
from ..core.regions import region_display, region_path
from ..extensions import db
from . import bp
from .exports import registry_workbook
from .models import CATEGORY_LABELS, Honor
from .people_search import find_people
from .record_views import read_only_redirect
from .schemas import RegistryQuery
from .services import (
    caller_access,
    person_in_scope,
    registry_query,
    registry_rows,
    resolve_scope,
    statistics,
)
from .trends import large_enterprise_gaps, monthly_trends

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAV = [
    NavItem("人才信息库", "registry.dashboard", roles=(ORG_STAFF, ADMIN),
            description="按地区、等级、单位类型统计劳动关系协调员，逐级下钻，导出 Excel", group="信息库"),
]


class HonorForm(FlaskForm):
    person = StringField("获得者", validators=[DataRequired("请输入姓名、身份证号或用户名并选择"), Length(max=80)],
                         description="输入姓名、身份证号或用户名查找，只列出您管辖范围内的人员")
    user_id = HiddenField()
    title = StringField("荣誉称号", validators=[DataRequired("此项为必填项"), Length(max=100)],
                        description="例如 金牌劳动关系协调员、技术能手、五一劳动奖章、先进个人")
    granted_by = StringField("授予单位", validators=[DataRequired("此项为必填项"), Length(max=100)])
    granted_on = DateField("授予日期", validators=[InputRequired("请填写日期")])
    submit = SubmitField("记录荣誉")


def _scope():
    try:
        return resolve_scope(current_user, request.args.get("region_code") or None)
    except DomainError as exc:
        abort(exc.status if exc.status in (403, 404) else 400)


@bp.route("/")
@roles_required(ORG_STAFF, ADMIN)
def dashboard():
    access = _scope()
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


@bp.route("/list")
@roles_required(ORG_STAFF, ADMIN)
def people():
    access = _scope()
    filters = page_filters(RegistryQuery)
    stmt = registry_query(access, filters.level, filters.organization_kind)
    page = paginate_page(stmt, rows=True)
    return render_template("registry/list.html", page=page, rows=registry_rows(page.items), code=access.code,
                           kinds=ORG_KIND_LABELS, level=str(filters.level or ""), kind=filters.organization_kind or "",
                           honor_form=HonorForm(), access=access)


@bp.route("/export.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def export():
    access = _scope()
    code = access.code
    buffer, people = registry_workbook(access)
    audit_export("registry", "region", code or "全国", rows=people,
                 scope={"region": region_display(code) if code else "全国"})
    db.session.commit()
    return private_download(buffer, download_name=f"劳动关系协调员统计-{code or '全国'}.xlsx", mimetype=XLSX)


@bp.route("/people/search")
@roles_required(ORG_STAFF, ADMIN)
def people_search():
    """The honor form's picker: people in the caller's scope by name, ID number or username (JSON)."""
    hits = find_people(current_user, request.args.get("q", ""))
    return jsonify({"items": [hit.as_json() for hit in hits]})


def _honor_recipient(form: HonorForm) -> tuple[User | None, list]:
    """The person picked in the form (hidden user_id from the picker), or the one person the typed text finds;
    else (None, the candidates to choose from)."""
    def visible(user_id: int) -> User | None:
        try:
            return person_in_scope(current_user, user_id)[0]
        except DomainError:
            return None

    if (form.user_id.data or "").isdigit():
        user = visible(int(form.user_id.data))
        if user is not None:
            return user, []
    hits = find_people(current_user, form.person.data)
    if len(hits) == 1:
        return visible(hits[0].user_id), []
    return None, hits


@bp.route("/honors", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def add_honor():
    form = HonorForm()
    if not caller_access(current_user).write:
        return read_only_redirect()
    if form.validate_on_submit():
        user, candidates = _honor_recipient(form)
        if user is None:
            if candidates:
                flash(f"找到 {len(candidates)} 位符合“{form.person.data.strip()}”的人员，请从查找结果中选择一位："
                      + "；".join(hit.label for hit in candidates), "warning")
            else:
                flash("在您的管辖范围内没有找到该人员（可输入姓名、完整身份证号或用户名）。", "danger")
        elif form.granted_on.data > date.today():
            flash("授予日期不能晚于今天。", "danger")
        else:
            honor = Honor(user_id=user.id, title=form.title.data.strip(), granted_by=form.granted_by.data.strip(),
                          granted_on=form.granted_on.data)
            db.session.add(honor)
            db.session.flush()
            record_audit("honor.add", "honor", honor.id, new={"user_id": user.id, "title": honor.title})
            db.session.commit()
            flash(f"已为 {user.name} 记录荣誉“{honor.title}”。", "success")
    else:
        flash("记录失败：" + "；".join(e for errs in form.errors.values() for e in errs), "danger")
    return redirect(url_for("registry.people"))
