"""JSON API: coordinators' work records and risk reports (API contract v1.1 "Coordinators' work and risk
reports"). The rules live in services/work.py; these handlers parse, call and commit."""

from __future__ import annotations

from flask import g, jsonify

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import login_required, roles_required
from ...core.api import api_response, created, json_body, query_args
from ...extensions import db
from ..models import WorkRecord
from ..schemas.inputs import CloseIn, RiskReportQuery, WorkRecordIn
from ..schemas.responses import RiskReportOut, RiskReportPage, WorkRecordOut, WorkRecordPage
from ..services.work import (
    add_work_record,
    close_risk_report,
    get_risk_report,
    readable_person,
    risk_report_json,
    risk_reports_query,
    work_record_json,
    work_records_query,
)
from . import api_bp as bp
from .registry import rows_page


@bp.post("/registry/<int:user_id>/work-records")
@login_required
@json_body(WorkRecordIn)
@api_response(WorkRecordOut, 201)
def work_record_add(user_id: int, body: WorkRecordIn):
    """Record a coordinator's work (the coordinator, hrss staff of the scope, or their platform's staff); a `risk`
    record needs `severity` and opens a risk report."""
    record = add_work_record(g.api_user, user_id, kind=body.kind, occurred_on=body.occurred_on,
                             enterprise_id=body.enterprise_id, summary=body.summary, people=body.people,
                             severity=body.severity)
    db.session.commit()
    row = db.session.execute(work_records_query(user_id).where(WorkRecord.id == record.id)).one()
    return created(work_record_json(*row))


@bp.get("/registry/<int:user_id>/work-records")
@login_required
@api_response(WorkRecordPage)
def work_record_list(user_id: int):
    """A coordinator's work records, newest first (the readers of their registry record, and themself)."""
    readable_person(g.api_user, user_id)
    return jsonify(rows_page(work_records_query(user_id), work_record_json))


@bp.get("/risk-reports")
@roles_required(ORG_STAFF, ADMIN)
@query_args(RiskReportQuery, paginated=True)
@api_response(RiskReportPage)
def risk_report_list(query: RiskReportQuery):
    """Risk reports of enterprises in the caller's scope (staff of hrss organizations; admins see all)."""
    return jsonify(rows_page(risk_reports_query(g.api_user, query.status), risk_report_json))


@bp.post("/risk-reports/<int:report_id>/close")
@roles_required(ORG_STAFF)
@json_body(CloseIn)
@api_response(RiskReportOut)
def risk_report_close(report_id: int, body: CloseIn):
    """Close an open report with how it was handled (hrss staff of the scope; 409 when already closed)."""
    close_risk_report(g.api_user, report_id, body.handling)
    db.session.commit()
    return jsonify(risk_report_json(*get_risk_report(g.api_user, report_id)))
