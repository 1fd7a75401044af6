"""Pages for coordinators' work: the work section of a registry record (counts per kind, latest records, a form to
add one), the full list of a coordinator's records, and 风险隐患 — risk reports for hrss staff, with a close form."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import local_today
from ...core.access import roles_required
from ...core.errors import DomainError, ValidationFailed
from ...core.forms import apply_errors, run_action
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ...core.regions import region_display
from ...extensions import db, limiter
from ..models import RISK_STATUS_LABELS, SEVERITY_LABELS, WORK_KIND_LABELS
from ..schemas.inputs import CloseFormIn, WorkRecordFormIn
from ..services.work import (
    EnterpriseScope,
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
from .forms import CloseForm, WorkRecordForm

NAV = [
    NavItem("风险隐患", "registry.risk_reports", roles=(ORG_STAFF,), visible=is_hrss_staff,
            description="辖区内企业的劳动关系风险隐患报告，填写处置情况后办结", group="信息库"),
]

RECENT = 10


def work_form(user_id: int) -> tuple[WorkRecordForm | None, str | None]:
    """The add form with the enterprises the caller may name, or (None, why the caller may not record)."""
    try:
        _, _, enterprises = writable_person(current_user, user_id)
    except DomainError as exc:
        return None, exc.message
    form = WorkRecordForm()
    form.scope = enterprises
    if not form.is_submitted():
        form.occurred_on.data = local_today()
    return form, None


def resolve_enterprise(scope: EnterpriseScope, data: WorkRecordFormIn) -> int:
    """The enterprise of a posted form: the id the picker chose, else the one enterprise the typed name finds (no
    JavaScript). Several or none: the reason at the enterprise field (ValidationFailed)."""
    if data.enterprise_id is not None and data.enterprise_id >= 1:
        return data.enterprise_id  # the service checks that it is an enterprise the recorder may name
    text = (data.enterprise or "").strip()
    if not text:
        reason = "请输入企业名称并从查找结果中选择"
        raise ValidationFailed(reason, {"enterprise": reason})
    hits = find_enterprises(scope, text, limit=6)
    exact = [hit for hit in hits if hit[1] == text]
    if len(hits) == 1 or len(exact) == 1:
        return (exact or hits)[0][0]
    reason = ("未找到该企业（或不在您可以记录的范围内）" if not hits else
              "有多家企业符合：" + "、".join(name for _, name, _ in hits[:5]) + "，请输入完整名称")
    raise ValidationFailed(reason, {"enterprise": reason})


def record_work(form: WorkRecordForm, user_id: int, data: WorkRecordFormIn):
    """Resolve the enterprise, then record (a severity counts for risk records only)."""
    enterprise_id = resolve_enterprise(form.scope, data)
    form.enterprise_id.data = str(enterprise_id)
    return add_work_record(current_user, user_id, kind=data.kind, occurred_on=data.occurred_on,
                           enterprise_id=enterprise_id, summary=data.summary, people=data.people,
                           severity=data.severity if data.kind == "risk" else None)


def show_at_fields(form: WorkRecordForm, exc: DomainError) -> None:
    """A refusal at its fields; the enterprise's (an id the service refused) at the picker, which shows it."""
    apply_errors(form, exc)
    form.enterprise.errors = [*form.enterprise.errors, *form.enterprise_id.errors]


def _recorded(record) -> str:
    return "工作情况已记录。" + ("已报送人社部门。" if record.kind == "risk" else "")


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
        if run_action(form, lambda data: record_work(form, user_id, data), _recorded, on_form=True,
                      show_error=lambda exc: show_at_fields(form, exc)):
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
    """Close a report; the refusal (an empty or too long text, already closed) at the report's row."""
    form = CloseForm()
    refused: list[DomainError] = []

    def show_error(exc: DomainError) -> None:
        if exc.status in (403, 404):
            abort(exc.status)
        refused.append(exc)

    def close(data: CloseFormIn):
        return close_risk_report(current_user, report_id, data.handling)

    if run_action(form, close, "风险隐患报告已办结。", on_form=True, show_error=show_error):
        return redirect(url_for("registry.risk_reports", status="open"))
    if refused:
        return _risk_page("open", {report_id: [refused[0].message]}, refused[0].status)
    return _risk_page("open", {report_id: [e for errors in form.errors.values() for e in errors]}, 422)
