"""报表上报 pages: the caller's region's report for a chosen period and the status of the child regions (迟报/未报
highlighted), a report's frozen figures with the children's roll-up, the actions (refresh, submit, return with a
reason, approve) and PDF / Excel downloads. The rules are in services/reporting.py."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import local_today
from ...core.access import roles_required
from ...core.downloads import private_download
from ...core.errors import DomainError
from ...core.forms import run_action, to_int
from ...core.navigation import NavItem
from ..exports import XLSX, children_table, download_name, report_pdf, report_workbook, snapshot_tables
from ..models import REPORT_STATUS_LABELS
from ..services.periods import Period, default_period, parse_period, recent_periods
from ..services.reporting import (
    ROOT,
    approve_report,
    create_report,
    readable_report,
    refresh_report,
    report_overview,
    return_report,
    submit_report,
    viewer_scope,
)
from ..services.work import is_hrss_staff
from . import bp
from .common import allowed
from .forms import ActionForm, CreateReportForm, ReturnForm

NAV = [
    NavItem("报表上报", "registry.reports", roles=(ORG_STAFF, ADMIN),
            visible=lambda user: is_hrss_staff(user) or user.has_role(ADMIN),
            description="按月、季、年生成本地区报表并逐级上报，查看下级地区的上报情况，审核或退回", group="信息库"),
]

CHILD_STATUS_LABELS = {"missing": "未报", **REPORT_STATUS_LABELS, "draft": "未上报（草稿）"}


def _choices(today, chosen: Period) -> list[tuple[str, str]]:
    periods = recent_periods(today)
    if chosen.text not in {p.text for p in periods}:
        periods.insert(0, chosen)
    return [(p.text, f"{p.label}（{p.text}）") for p in periods]


def _chosen_period(today) -> Period:
    text = request.args.get("period")
    if not text:
        return default_period(today)
    try:
        return parse_period(text, today)
    except DomainError as exc:
        flash(f"报告期“{text[:20]}”无效：{exc.fields.get('period', exc.message)}，已显示最近一个季度。", "warning")
        return default_period(today)


@bp.route("/reports")
@roles_required(ORG_STAFF, ADMIN)
def reports():
    today = local_today()
    period = _chosen_period(today)
    _, own, children = allowed(report_overview, period.text)
    for child in children:
        child["late"] = period.is_late(child["status"], today)
    form = CreateReportForm(period=period.text)
    return render_template("registry/reports.html", period=period, own=own, children=children, form=form,
                           choices=_choices(today, period), due=period.due(), statuses=CHILD_STATUS_LABELS,
                           own_late=period.is_late(own.status if own else "missing", today),
                           scope=viewer_scope(current_user), root=ROOT)


@bp.route("/reports", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def create_report_page():
    form = CreateReportForm()
    period = (form.period.data or "")[:20]
    done = run_action(form, lambda data: create_report(current_user, data.period),
                      "报表已生成：数据已按当前情况冻结，核对后请上报。", "未能生成报表：")
    if done:
        return redirect(url_for("registry.report", report_id=done.value.id))
    return redirect(url_for("registry.reports", period=period or None))


def _readable(report_id: int):
    return allowed(readable_report, report_id)


def _detail(report_id: int, return_form: ReturnForm | None = None, status: int = 200):
    loaded = _readable(report_id)
    report = loaded.report
    return render_template(
        "registry/report.html", report=report, role=loaded.role, tables=snapshot_tables(report.snapshot),
        children=report.snapshot.get("children") or [], children_sum=children_table(report.snapshot),
        statuses=CHILD_STATUS_LABELS, action_form=ActionForm(version=report.version),
        return_form=return_form or ReturnForm(version=report.version),
        period=parse_period(report.period)), status


@bp.route("/reports/<int:report_id>")
@roles_required(ORG_STAFF, ADMIN)
def report(report_id: int):
    return _detail(report_id)


def _act(report_id: int, action, success: str):
    form = ActionForm()
    version = to_int(form.version.data, -1) if form.version.data else None
    run_action(form, lambda: action(current_user, report_id, version), success, "操作未完成：")
    return redirect(url_for("registry.report", report_id=report_id))


@bp.route("/reports/<int:report_id>/refresh", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def refresh_report_page(report_id: int):
    return _act(report_id, refresh_report, "已按当前数据重新生成报表。")


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def submit_report_page(report_id: int):
    return _act(report_id, submit_report, "报表已上报，上级人社部门会收到通知。")


@bp.route("/reports/<int:report_id>/approve", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def approve_report_page(report_id: int):
    return _act(report_id, approve_report, "报表已审核通过。")


@bp.route("/reports/<int:report_id>/return", methods=["POST"])
@roles_required(ORG_STAFF, ADMIN)
def return_report_page(report_id: int):
    form = ReturnForm()
    _readable(report_id)  # 404 before anything else for a report the caller may not see
    if run_action(form, lambda data: return_report(current_user, report_id, data.reason, data.version),
                  "报表已退回，下级地区会收到通知。"):
        return redirect(url_for("registry.report", report_id=report_id))
    return _detail(report_id, form, 422)


@bp.route("/reports/<int:report_id>.pdf")
@roles_required(ORG_STAFF, ADMIN)
def report_pdf_download(report_id: int):
    report = _readable(report_id).report
    return private_download(report_pdf(report), download_name=download_name(report, "pdf"),
                            mimetype="application/pdf")


@bp.route("/reports/<int:report_id>.xlsx")
@roles_required(ORG_STAFF, ADMIN)
def report_xlsx_download(report_id: int):
    report = _readable(report_id).report
    return private_download(report_workbook(report), download_name=download_name(report, "xlsx"), mimetype=XLSX)
