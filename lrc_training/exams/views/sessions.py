"""Exam session pages for organization staff: setup, applications, seats, tickets, scores, results,
publication and certificates."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.downloads import audit_export, private_download
from ...core.errors import DomainError
from ...core.forms import apply_errors, run_action, to_int
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ...core.timeutil import to_local
from ...core.web_forms import ActionForm
from ...core.work_areas import active_work_areas
from ...core.xlsx import XLSX_MIMETYPE
from ...extensions import db
from ..documents import admission_tickets_pdf, sign_in_sheets_pdf
from ..exports import register_pdf, register_unavailable_reason, register_workbook
from ..models import PARTS, ExamSession
from ..queries import attempt_counts, examiners_of, session_applications, with_application_counts
from ..schemas.inputs import SessionFormIn
from ..services.applications import assign_seats, decide, get_application_for_staff
from ..services.grading import on_site_progress, pending_grading
from ..services.results import compute_results, issue_session_certificates, publish, statistics
from ..services.sessions import (
    SessionInput,
    create_session,
    get_session_for_staff,
    set_chief_examiner,
    update_session,
    visible_sessions,
)
from . import bp
from .forms import DecisionForm, SeatsForm, SessionForm

NAV = [
    NavItem("认定批次", "exams.sessions", roles=(ORG_STAFF, ADMIN),
            description="设置认定批次与双向细目表，审核报名，编排考场，发布成绩，签发证书", group="等级认定"),
]


def _session(session_id: int) -> ExamSession:
    try:
        return get_session_for_staff(current_user, session_id)
    except DomainError:
        abort(404)


def _session_form(session: ExamSession | None = None) -> SessionForm:
    form = SessionForm()
    codes = [(a.code, f"{a.code} {a.name}") for a in active_work_areas()]
    for entry in form.blueprint:
        entry.form.function_code.choices = [("", "—"), *codes]
    if session is not None and request.method == "GET":
        form.title.data, form.level.data, form.parts.data = session.title, session.level, session.parts
        for name in ("opens_at", "closes_at", "applications_close_at"):
            getattr(form, name).data = to_local(getattr(session, name)).replace(tzinfo=None)
        form.duration_minutes.data, form.pass_mark.data = session.duration_minutes, session.pass_mark
        form.partial_credit.data, form.examiners_per_paper.data = session.partial_credit, session.examiners_per_paper
        form.arbitration_share.data, form.allow_review.data = session.arbitration_share, session.allow_review
        form.part_validity_years.data = session.part_validity_years
        for entry, row in zip(form.blueprint, session.blueprint, strict=False):
            entry.form.function_code.data, entry.form.kind.data = row["function_code"], row["kind"]
            entry.form.count.data, entry.form.points_each.data = row["count"], row["points_each"]
    return form


def _input(data: SessionFormIn) -> SessionInput:
    return SessionInput(**data.model_dump())


@bp.route("/sessions")
@roles_required(ORG_STAFF, ADMIN)
def sessions():
    stmt = with_application_counts(visible_sessions(current_user))
    return render_template("exams/staff/sessions.html", page=paginate_page(stmt, rows=True),
                           can_create=current_user.has_role(ORG_STAFF) and current_user.organization_id)


@bp.route("/sessions/new", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def session_new():
    form = _session_form()
    outcome = run_action(form, lambda data: create_session(current_user, _input(data)),
                         "认定批次已创建，学员现在可以报名。", on_form=True,
                         show_error=lambda exc: _show_blueprint_errors(form, exc))
    if outcome:
        return redirect(url_for("exams.session_detail", session_id=outcome.value.id))
    return render_template("exams/staff/session_form.html", form=form, session=None)


def _show_blueprint_errors(form: SessionForm, exc: DomainError) -> None:
    rows = [e for e in form.blueprint if e.form.kind.data]
    for key, reason in list(exc.fields.items()):
        if key.startswith("blueprint[") and key.endswith("]"):
            index = int(key[10:-1])
            if index < len(rows):
                rows[index].form.count.errors = [*rows[index].form.count.errors, reason]
    apply_errors(form, exc)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def session_edit(session_id: int):
    session = _session(session_id)
    form = _session_form(session)
    if run_action(form, lambda data: update_session(current_user, session, _input(data),
                                               version=to_int(request.form.get("version"))),
                  "已保存。", on_form=True, show_error=lambda exc: _show_blueprint_errors(form, exc)):
        return redirect(url_for("exams.session_detail", session_id=session.id))
    return render_template("exams/staff/session_form.html", form=form, session=session)


@bp.route("/sessions/<int:session_id>")
@roles_required(ORG_STAFF, ADMIN)
def session_detail(session_id: int):
    session = _session(session_id)
    return render_template(
        "exams/staff/session_detail.html", session=session, applications=session_applications(session.id),
        attempts=attempt_counts(session.id), pending_grading=pending_grading(session),
        examiners=examiners_of(session.organization_id), decision_form=DecisionForm(),
        seats_form=SeatsForm(), action_form=ActionForm(), parts=PARTS)


@bp.route("/applications/<int:application_id>/<decision>", methods=["POST"])
@roles_required(ORG_STAFF)
def application_decide(application_id: int, decision: str):
    if decision not in ("approve", "reject"):
        abort(404)
    try:
        application = get_application_for_staff(current_user, application_id)
    except DomainError:
        abort(404)
    form, name = DecisionForm(), application.user.name
    run_action(form, lambda data: decide(current_user, application, decision == "approve", data.reason,
                                         data.override_reason),
               lambda decided: f"{name}：{decided.status_label}。", f"{name}：")
    return redirect(url_for("exams.session_detail", session_id=application.session_id) + "#applications")


@bp.route("/sessions/<int:session_id>/seats", methods=["POST"])
@roles_required(ORG_STAFF)
def session_seats(session_id: int):
    session = _session(session_id)
    form = SeatsForm()
    run_action(form, lambda data: assign_seats(current_user, session, data.room_size),
               lambda count: f"已为 {count} 名考生编排考场和座位。")
    return redirect(url_for("exams.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/chief-examiner", methods=["POST"])
@roles_required(ORG_STAFF)
def session_chief(session_id: int):
    session = _session(session_id)
    run_action(ActionForm(), lambda: set_chief_examiner(current_user, session, to_int(request.form.get("user_id"))),
               "已设置主考评员（负责评分仲裁）。")
    return redirect(url_for("exams.session_detail", session_id=session.id))


@bp.route("/sessions/<int:session_id>/tickets.pdf")
@roles_required(ORG_STAFF)
def session_tickets(session_id: int):
    session = _session(session_id)
    return send_file(io.BytesIO(admission_tickets_pdf(session)), mimetype="application/pdf",
                     download_name=f"准考证-{session.title}.pdf")


@bp.route("/sessions/<int:session_id>/sign-in.pdf")
@roles_required(ORG_STAFF)
def session_sign_in(session_id: int):
    session = _session(session_id)
    return send_file(io.BytesIO(sign_in_sheets_pdf(session)), mimetype="application/pdf",
                     download_name=f"签到表-{session.title}.pdf")


@bp.route("/sessions/<int:session_id>/results")
@roles_required(ORG_STAFF, ADMIN)
def session_results(session_id: int):
    session = _session(session_id)
    rows = compute_results(session)
    return render_template("exams/staff/results.html", session=session, rows=rows,
                           stats=statistics(rows, session), parts=PARTS, action_form=ActionForm(),
                           pending=pending_grading(session), register_blocked=register_unavailable_reason(session, rows),
                           on_site=on_site_progress(session))


@bp.route("/sessions/<int:session_id>/register.<any(xlsx, pdf):kind>")
@roles_required(ORG_STAFF, ADMIN)
def session_register(session_id: int, kind: str):
    """成绩登记表 (Excel or PDF), once every candidate's result is decided."""
    session = _session(session_id)
    reason = register_unavailable_reason(session)
    if reason:
        flash(reason, "warning")
        return redirect(url_for("exams.session_results", session_id=session.id))
    export_file = register_workbook(session) if kind == "xlsx" else register_pdf(session)
    audit_export("results_register", "exam_session", session.id, rows=export_file.rows,
                 scope={"session": session.title, "format": kind})
    db.session.commit()
    mimetype = XLSX_MIMETYPE if kind == "xlsx" else "application/pdf"
    return private_download(export_file.data, mimetype=mimetype, download_name=f"成绩登记表-{session.title}.{kind}")


@bp.route("/sessions/<int:session_id>/publish", methods=["POST"])
@roles_required(ORG_STAFF)
def session_publish(session_id: int):
    session = _session(session_id)
    def refused(exc: DomainError) -> None:  # the reasons per field (which parts are not graded yet) in the message
        flash("不能发布：" + exc.message + (("（" + "；".join(exc.fields.values()) + "）") if exc.fields else ""),
              "danger")

    run_action(ActionForm(), lambda: publish(current_user, session),
               lambda rows: f"成绩已发布并冻结：{len(rows)} 人参加，{sum(1 for r in rows if r.passed)} 人通过。",
               show_error=refused)
    return redirect(url_for("exams.session_results", session_id=session.id))


@bp.route("/sessions/<int:session_id>/certificates", methods=["POST"])
@roles_required(ORG_STAFF)
def session_certificates(session_id: int):
    session = _session(session_id)
    run_action(ActionForm(), lambda: issue_session_certificates(current_user, session.id),
               lambda issued: f"已为通过的考生签发 {len(issued)} 张职业技能等级证书（已签发的不会重复签发）。")
    return redirect(url_for("exams.session_results", session_id=session.id))
