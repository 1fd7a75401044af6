"""晋级发证申请: the level certificates other areas (a competition's committee) ask this evaluation organization
to issue. Its staff see each request with the evidence and approve (the organization issues the certificate) or
decline with a reason. Only requests addressed to the staff member's own organization exist for them (404)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ORG_STAFF
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import run_action
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ..models import SOURCE_REQUEST_STATUS_LABELS
from ..services.batches import SOURCE_LABELS
from ..services.source_requests import approve, decline, get_for_issuer, requests_to
from . import bp
from .forms import SourceApproveForm, SourceDeclineForm

NAV = [
    NavItem("晋级发证申请", "certificates.source_requests", roles=(ORG_STAFF,),
            description="竞赛组委会请本评价机构签发的晋级等级证书：核对成绩后签发或拒绝", group="证书"),
]


@bp.route("/issue-requests")
@roles_required(ORG_STAFF)
def source_requests():
    status = request.args.get("status", "")
    status = status if status in SOURCE_REQUEST_STATUS_LABELS else ""
    page = paginate_page(requests_to(current_user, status or None))
    return render_template("certificates/source_requests.html", page=page, status=status,
                           labels=SOURCE_REQUEST_STATUS_LABELS, sources=SOURCE_LABELS,
                           approve_form=SourceApproveForm(), decline_form=SourceDeclineForm())


def _version(body) -> int:
    """The version the page showed; a form without one is treated as stale (the API may leave it out)."""
    return body.version if body.version is not None else -1


@bp.route("/issue-requests/<int:request_id>/approve", methods=["POST"])
@roles_required(ORG_STAFF)
def source_request_approve(request_id: int):
    _request_or_404(request_id)
    run_action(SourceApproveForm(), lambda body: approve(current_user, request_id, _version(body)),
               lambda result: f"已签发 {result[0].holder_name} 的{result[0].level_label}证书，编号 {result[1].number}。",
               "未能签发：")
    return redirect(url_for("certificates.source_requests"))


@bp.route("/issue-requests/<int:request_id>/decline", methods=["POST"])
@roles_required(ORG_STAFF)
def source_request_decline(request_id: int):
    _request_or_404(request_id)
    run_action(SourceDeclineForm(), lambda body: decline(current_user, request_id, body.reason, _version(body)),
               "已拒绝该申请，已通知组委会和本人。", "未能拒绝：")
    return redirect(url_for("certificates.source_requests"))


def _request_or_404(request_id: int):
    try:
        return get_for_issuer(current_user, request_id)
    except DomainError:
        abort(404)
