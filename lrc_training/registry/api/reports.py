"""JSON API: reporting upward (docs/api.md "Reports upward"). The rules live in services/reporting.py; these
handlers parse, call one service and commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request
from pydantic import BaseModel

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.access import roles_required
from ...core.api import api_response, created, json_body, parse_json
from ...extensions import db
from ..schemas.inputs import ReportIn, ReturnIn, VersionIn
from ..schemas.responses import ReportOut, ReportOverviewOut
from ..services.reporting import (
    approve_report,
    create_report,
    readable_report,
    refresh_report,
    report_json,
    report_overview,
    return_report,
    submit_report,
)
from . import api_bp as bp


def optional_body(schema: type[BaseModel]) -> Callable:
    """As json_body, but an empty body counts as `{}` (the actions need no field but a return's reason, which the
    service names when it is missing)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            kwargs["body"] = parse_json(schema) if request.get_data(cache=True).strip() else schema()
            return view(*args, **kwargs)

        wrapped._api_body = schema  # read by the OpenAPI builder
        return wrapped

    return decorator


@bp.post("/reports")
@roles_required(ORG_STAFF, ADMIN)
@json_body(ReportIn)
@api_response(ReportOut, 201)
def report_create(body: ReportIn):
    """Make the caller's region's report for a period (人社 staff): the statistics frozen now; 409 when it exists."""
    report = create_report(g.api_user, body.period)
    db.session.commit()
    return created(report_json(report))


@bp.get("/reports")
@roles_required(ORG_STAFF, ADMIN)
@api_response(ReportOverviewOut)
def report_list():
    """The caller's own report for `?period=` (or null) and each child region's status."""
    _, own, children = report_overview(g.api_user, request.args.get("period"))
    return jsonify({"own": report_json(own) if own else None, "children": children})


@bp.get("/reports/<int:report_id>")
@roles_required(ORG_STAFF, ADMIN)
@api_response(ReportOut)
def report_get(report_id: int):
    """One report: its region's staff, or the parent region's once submitted; 404 to anyone else."""
    return jsonify(report_json(readable_report(g.api_user, report_id).report))


@bp.post("/reports/<int:report_id>/return")
@roles_required(ORG_STAFF, ADMIN)
@optional_body(ReturnIn)
@api_response(ReportOut)
def report_return(report_id: int, body: ReturnIn):
    """Send a submitted report back with a reason (the parent region's staff)."""
    report = return_report(g.api_user, report_id, body.reason, body.version)
    db.session.commit()
    return jsonify(report_json(report))


def _version_action(name: str, service: Callable, doc: str) -> None:
    """POST /reports/{id}/<name>: the service with the version read (an empty body is fine), the report back."""

    def action(report_id: int, body: VersionIn):
        report = service(g.api_user, report_id, body.version)
        db.session.commit()
        return jsonify(report_json(report))

    action.__name__ = action.__qualname__ = f"report_{name}"
    action.__doc__ = doc
    view = roles_required(ORG_STAFF, ADMIN)(optional_body(VersionIn)(api_response(ReportOut)(action)))
    bp.add_url_rule(f"/reports/<int:report_id>/{name}", endpoint=action.__name__, view_func=view, methods=["POST"])


_version_action("refresh", refresh_report, "Freeze the figures again (a draft or a returned report).")
_version_action("submit", submit_report, "Submit to the parent region; its staff are notified.")
_version_action("approve", approve_report, "Approve a submitted report (the parent region's staff).")
