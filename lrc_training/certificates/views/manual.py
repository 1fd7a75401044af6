"""Manual certificate pages: the request form (with an optional scan of the evidence), the list approvers work
from, approve / reject, and the scan itself (only for the organization's staff)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import ORG_STAFF
from ...auth.services.accreditation import accredited_levels_today, levels_text
from ...core.access import roles_required
from ...core.errors import DomainError
from ...core.forms import apply_errors, run_action
from ...core.navigation import NavItem
from ...core.pagination import paginate_page
from ...core.params import ascii_int
from ...core.storage import send_stored, storage
from ..models import MANUAL_STATUS_LABELS
from ..services.manual import (
    ManualInput,
    approve_import,
    approve_request,
    create_request,
    get_import_for_staff,
    get_request_for_staff,
    pending_imports,
    reject_request,
    requests_of,
    scan_key,
    scan_mimetype,
    store_scan,
)
from . import bp
from .certificates import save_image
from .forms import ApproveForm, ApproveImportForm, IssueForm, RejectForm

NAV = [
    NavItem("发证复核", "certificates.manual", roles=(ORG_STAFF,),
            description="核对证明材料，批准或驳回同事提交的手工发证申请", group="证书"),
]


@bp.route("/issue", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def issue():
    if current_user.organization is None:
        flash("您的账号尚未归属任何机构，无法管理证书。", "warning")
        return redirect(url_for("certificates.index"))
    form = IssueForm()
    levels = accredited_levels_today(current_user.organization_id)
    stored: list[str] = []  # files saved for this request, removed again when the service refuses it

    def submit(body):
        scan = photo = None
        if form.scan.data:
            scan = store_scan(form.scan.data.stream)
            stored.append(scan_key(scan))
        if form.photo.data:
            photo = save_image(form.photo.data, "photos")
            stored.append(f"photos/{photo}")
        return create_request(current_user, ManualInput(**body.model_dump(), scan_file=scan, photo_file=photo))

    def refused(exc: DomainError) -> None:
        for key in stored:
            storage().delete(key)
        apply_errors(form, exc)

    if form.is_submitted() and run_action(
            form, submit, lambda req: f"已提交 {req.holder_name} 的手工发证申请，须由本机构另一名工作人员复核后才会签发。",
            on_form=True, show_error=refused):
        return redirect(url_for("certificates.manual"))
    return render_template("certificates/issue.html", form=form, levels=levels_text(levels))


@bp.route("/manual")
@roles_required(ORG_STAFF)
def manual():
    status = request.args.get("status", "")
    status = status if status in MANUAL_STATUS_LABELS else ""
    batch = None
    if request.args.get("import"):
        try:
            batch = get_import_for_staff(current_user, ascii_int(request.args["import"], low=1))
        except DomainError:
            abort(404)
    page = paginate_page(requests_of(current_user, status or None, batch.id if batch else None))
    return render_template("certificates/manual.html", page=page, status=status, labels=MANUAL_STATUS_LABELS,
                           batch=batch, imports=pending_imports(current_user), approve_form=ApproveForm(),
                           reject_form=RejectForm(), import_form=ApproveImportForm())


@bp.route("/manual/imports/<int:import_id>/approve", methods=["POST"])
@roles_required(ORG_STAFF)
def manual_approve_import(import_id: int):
    """Approve every pending request of one Excel import (the approver's own requests are skipped)."""
    try:
        get_import_for_staff(current_user, import_id)
    except DomainError:
        abort(404)
    run_action(ApproveImportForm(), lambda: approve_import(current_user, import_id), _import_summary, "未能批准：")
    return redirect(url_for("certificates.manual"))


def _import_summary(result) -> str:
    text = f"已批准并签发 {len(result.issued)} 张证书"
    if result.own:
        text += f"，跳过本人导入的 {result.own} 条（须由其他工作人员复核）"
    if result.failed:
        text += f"，{len(result.failed)} 条未能签发、仍待复核：" + "；".join(f"{n}：{r}" for n, r in result.failed[:5])
    return text + "。"


@bp.route("/manual/<int:request_id>/approve", methods=["POST"])
@roles_required(ORG_STAFF)
def manual_approve(request_id: int):
    _request_or_404(request_id)
    run_action(ApproveForm(), lambda: approve_request(current_user, request_id),
               lambda result: f"已批准并签发证书 {result[1].number}。", "未能批准：")
    return redirect(url_for("certificates.manual"))


@bp.route("/manual/<int:request_id>/reject", methods=["POST"])
@roles_required(ORG_STAFF)
def manual_reject(request_id: int):
    _request_or_404(request_id)
    run_action(RejectForm(), lambda body: reject_request(current_user, request_id, body.reason), "已驳回该申请。",
               "未能驳回：")
    return redirect(url_for("certificates.manual"))


@bp.route("/manual/<int:request_id>/evidence")
@roles_required(ORG_STAFF)
def manual_evidence(request_id: int):
    req = _request_or_404(request_id)
    if not req.scan_file:
        abort(404)
    return send_stored(scan_key(req.scan_file), filename=f"证明材料-{req.id}.{req.scan_file.rsplit('.', 1)[-1]}",
                       mimetype=scan_mimetype(req), as_attachment=False)


def _request_or_404(request_id: int):
    try:
        return get_request_for_staff(current_user, request_id)
    except DomainError:
        abort(404)
