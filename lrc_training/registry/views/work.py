"""Pages for coordinators' work: the work section of a registry record (counts per kind, latest records, a form to
add one), the full list of a coordinator's records, and 风险隐患 — risk reports for hrss staff, with a close form."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import local_today
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.form_fields import DateField
from ...core.forms import apply_errors
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ...core.params import ascii_int
from ...core.regions import region_display
from ...extensions import db, limiter
from ..models import RISK_STATUS_LABELS, SEVERITY_LABELS, WORK_KIND_LABELS
from ..services.work import (
    add_work_record,
    close_risk_report,
    find_enterprises,
    is_hrss_staff,
    readable_person,
    risk_reports_query,
    work_counts,
    work_records_query,
    writable_person,
)
from . import bp

NAV = [
    NavItem("风险隐患", "registry.risk_reports", roles=(ORG_STAFF,), visible=is_hrss_staff,
            description="辖区内企业的劳动关系风险隐患报告，填写处置情况后办结", group="信息库"),
]

RECENT = 10


class WorkRecordForm(FlaskForm):
    kind = SelectField("工作类型", choices=list(WORK_KIND_LABELS.items()))
    occurred_on = DateField("日期", validators=[InputRequired("请填写日期")])
    # A searchable picker (static/js/combobox.js): the typed name, and the id of the enterprise chosen from the
    # matches; without JavaScript the server resolves the typed name (resolve_enterprise).
    enterprise = StringField("企业", validators=[Length(max=100, message="不超过 100 个字符")],
                             description="输入企业名称中的字词查找，从结果中选择（只列出您可以记录的企业）")
    enterprise_id = HiddenField()
    summary = TextAreaField("工作内容", validators=[DataRequired("此项为必填项"),
                                                 Length(max=2000, message="不超过 2000 个字符")])
    people = IntegerField("涉及职工人数", validators=[InputRequired("请填写人数"),
                                                   NumberRange(min=0, max=1_000_000, message="应为 0 或正整数")])
    severity = SelectField("严重程度（风险隐患报告必填）", choices=[("", "—")] + list(SEVERITY_LABELS.items()))
    submit = SubmitField("记录")


class CloseForm(FlaskForm):
    handling = TextAreaField("处置情况", validators=[DataRequired("请填写处置情况"),
                                                  Length(max=2000, message="不超过 2000 个字符")])
    submit = SubmitField("办结")


def work_form(user_id: int) -> tuple[WorkRecordForm | None, str | None]:
    """The add form with the enterprises the caller may name, or (None, why the caller may not record)."""
    try:
        _, _, enterprises = writable_person(current_user, user_id)
    except DomainError as exc:
        return None, exc.message
    form = WorkRecordForm()
    form.scope = enterprises
    form.enterprise.flags.required = True  # checked by resolve_enterprise (a name, or the picker's choice)
    if not form.is_submitted():
        form.occurred_on.data = local_today()
    return form, None


def resolve_enterprise(form: WorkRecordForm) -> bool:
    """The enterprise of a posted form: the id the picker chose, else the one enterprise the typed name finds (no
    JavaScript). Several or none: the reason at the field, and False."""
    if ascii_int(form.enterprise_id.data or "", low=1) is not None:
        return True  # the service checks that it is an enterprise the recorder may name
    text = (form.enterprise.data or "").strip()
    if not text:
        form.enterprise.errors = ["请输入企业名称并从查找结果中选择"]
        return False
    hits = find_enterprises(form.scope, text, limit=6)
    exact = [hit for hit in hits if hit[1] == text]
    if len(hits) == 1 or len(exact) == 1:
        form.enterprise_id.data = str((exact or hits)[0][0])
        return True
    form.enterprise.errors = ["未找到该企业（或不在您可以记录的范围内）" if not hits else
                              "有多家企业符合：" + "、".join(name for _, name, _ in hits[:5]) + "，请输入完整名称"]
    return False


@bp.route("/people/<int:user_id>/enterprises")
@roles_required(ORG_STAFF, ADMIN)
@limiter.limit("60 per minute")
def enterprise_search(user_id: int):
    """The work form's picker: enterprises the caller may name when recording for this person (JSON, 20 at most:
    id, name and region name only)."""
    try:
        _, _, scope = writable_person(current_user, user_id)
    except DomainError:
        abort(404)
    hits = find_enterprises(scope, request.args.get("q", ""))
    return jsonify({"items": [{"id": i, "name": name, "region": region_display(region) if region else "",
                               "label": f"{name}（{region_display(region)}）" if region else name}
                              for i, name, region in hits]})


def work_section(user_id: int, form: WorkRecordForm | None = None, reason: str | None = None) -> dict:
    """What the registry record page shows about a coordinator's work (three queries)."""
    if form is None and reason is None:
        form, reason = work_form(user_id)
    recent = db.session.execute(work_records_query(user_id).limit(RECENT)).all()
    return {"counts": work_counts(user_id), "recent": recent, "form": form, "reason": reason,
            "kinds": WORK_KIND_LABELS, "severities": SEVERITY_LABELS}


@bp.route("/people/<int:user_id>/work-records", methods=["GET", "POST"])
@roles_required(ORG_STAFF, ADMIN)
def work_records(user_id: int):
    """All of a coordinator's work records, page by page, and the add form (kept with its errors)."""
    try:
        user, _ = readable_person(current_user, user_id)
    except DomainError:
        abort(404)
    form, reason = work_form(user_id)
    status = 200
    if request.method == "POST":
        if form is None:  # the page showed no form: say why instead of recording
            flash(reason, "danger")
            return redirect(url_for("registry.work_records", user_id=user_id))
        if form.validate() and resolve_enterprise(form):
            try:
                add_work_record(current_user, user_id, kind=form.kind.data, occurred_on=form.occurred_on.data,
                                enterprise_id=ascii_int(form.enterprise_id.data or "", low=1), summary=form.summary.data,
                                people=form.people.data,
                                severity=(form.severity.data or None) if form.kind.data == "risk" else None)
            except DomainError as exc:
                db.session.rollback()
                apply_errors(form, exc)
                form.enterprise.errors = [*form.enterprise.errors, *form.enterprise_id.errors]  # shown at the picker
            else:
                db.session.commit()
                flash("工作情况已记录。" + ("已报送人社部门。" if form.kind.data == "risk" else ""), "success")
                return redirect(url_for("registry.work_records", user_id=user_id))
        status = 422
    page = paginate_page(work_records_query(user_id), rows=True)
    return render_template("registry/work_records.html", person=user, page=page, form=form, reason=reason,
                           counts=work_counts(user_id), kinds=WORK_KIND_LABELS, severities=SEVERITY_LABELS), status


def _status_arg() -> str:
    status = request.args.get("status", "open")
    return status if status in RISK_STATUS_LABELS else "open"


def _risk_page(status: str, close_errors: dict | None = None, code: int = 200):
    page = paginate_page(risk_reports_query(current_user, status), rows=True)
    return render_template("registry/risk_reports.html", page=page, status=status, statuses=RISK_STATUS_LABELS,
                           severities=SEVERITY_LABELS, can_close=is_hrss_staff(current_user), form=CloseForm(),
                           close_errors=close_errors or {}), code


@bp.route("/risk-reports")
@roles_required(ORG_STAFF, ADMIN)
def risk_reports():
    return _risk_page(_status_arg())


@bp.route("/risk-reports/<int:report_id>/close", methods=["POST"])
@roles_required(ORG_STAFF)
def close_risk(report_id: int):
    form = CloseForm()
    if not form.validate():
        errors = [e for errors in form.errors.values() for e in errors]
        return _risk_page("open", {report_id: errors}, 422)
    try:
        close_risk_report(current_user, report_id, form.handling.data)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            abort(exc.status)
        return _risk_page("open", {report_id: [exc.message]}, exc.status)
    db.session.commit()
    flash("风险隐患报告已办结。", "success")
    return redirect(url_for("registry.risk_reports", status="open"))
