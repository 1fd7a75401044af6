"""Certificate pages: staff settings, issuing, import, list, detail with revoke and reissue, batches;
holders' own certificates."""

from __future__ import annotations

import io
import secrets
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ...auth.roles import ADMIN, ORG_STAFF
from ...auth.services.accreditation import current_accreditation
from ...core.access import login_required, roles_required
from ...core.downloads import audit_export
from ...core.errors import DomainError
from ...core.filenames import safe_filename
from ...core.forms import apply_errors, run_action
from ...core.images import check_image
from ...core.navigation import NavItem
from ...core.occupation import occupation_name
from ...core.pagination import paginate_page
from ...core.storage import send_stored, storage
from ...extensions import db
from ..models import CertificateBatch
from ..queries import certificates_of, recent_batches
from ..services.access import can_manage, get_for_view, managed_certificates
from ..services.batches import SOURCE_LABELS, batch_file_key, create_batch, get_batch_for_staff, sources_of
from ..services.importing import build_template, import_certificates
from ..services.issuing import reissue, revoke
from ..services.numbering import settings_for, settings_row, update_settings
from ..services.rendering import qr_data_uri, render_certificate, render_contexts, seal_data_uri
from ..services.verification import qr_url, short_verify_url
from . import bp
from .forms import FILING_FIELDS, BatchForm, FiledSettingsForm, ImportForm, ReissueForm, RevokeForm, SettingsForm

STAFF = (ORG_STAFF, ADMIN)
NAV = [
    NavItem("证书管理", "certificates.index", roles=STAFF,
            description="签发、导入、撤销、补发证书，批量下载，证书设置", group="证书"),
    NavItem("我的证书", "certificates.mine", description="查看和下载本人的职业技能等级证书与获奖证书", group="证书"),
]


def _own_org():
    if current_user.organization is None:
        flash("您的账号尚未归属任何机构，无法管理证书。", "warning")
        return None
    return current_user.organization


def save_image(upload, folder: str, *, max_bytes: int = 2 * 1024 * 1024) -> str:
    """Check that an upload really is a PNG/JPEG image and store it under a random name in `folder` of the
    platform's storage (`seals`, `photos`)."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError("图片不能超过 2 MB", {"photo": "图片不能超过 2 MB"})
    image_format = check_image(data, "photo")  # its size from the header before anything decodes it
    name = f"{secrets.token_hex(16)}.{'png' if image_format == 'PNG' else 'jpg'}"
    storage().put(f"{folder}/{name}", data, "image/png" if image_format == "PNG" else "image/jpeg")
    return name


@bp.route("/")
@roles_required(*STAFF)
def index():
    q, status = request.args.get("q", "")[:50], request.args.get("status", "")
    page = paginate_page(managed_certificates(current_user, q, status))
    return render_template("certificates/index.html", page=page, q=q, status=status)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def settings():
    org = _own_org()
    if org is None:
        return redirect(url_for("certificates.index"))
    current = settings_for(org)
    filing = current_accreditation(org.id)
    form = (FiledSettingsForm if filing else SettingsForm)(obj=current)
    if request.method == "GET":
        row = settings_row(org)
        form.version.data = str(row.version) if row else ""
    if filing is not None:  # the codes come from the filing (备案); the page shows them but cannot change them
        for name in FILING_FIELDS:
            getattr(form, name).data = getattr(current, name)

    def save(body):
        codes = {name: getattr(current if filing else body, name) for name in FILING_FIELDS}
        seal_file = save_image(form.seal.data, "seals") if form.seal.data else None
        return update_settings(org, **codes, registered_name=body.registered_name, signatory=body.signatory,
                               version=body.version, seal_file=seal_file)

    def refused(exc: DomainError) -> None:
        if "photo" in exc.fields:  # the image checks name the file "photo"; here it is the seal
            exc.fields["seal"] = exc.fields.pop("photo")
        apply_errors(form, exc)

    if form.is_submitted() and run_action(form, save, "证书设置已保存。", on_form=True, show_error=refused):
        return redirect(url_for("certificates.settings"))
    example = f"{form.type_letter.data or current.type_letter}{form.org_code.data or current.org_code}" \
              f"{form.province_code.data or current.province_code}{form.site_code.data or current.site_code}263000001"
    return render_template("certificates/settings.html", form=form, current=current, example=example, filing=filing,
                           filing_fields=FILING_FIELDS if filing else ())


@bp.route("/import", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def import_view():
    org = _own_org()
    if org is None:
        return redirect(url_for("certificates.index"))
    form = ImportForm()
    done = form.validate_on_submit() and run_action(
        form, lambda: import_certificates(current_user, form.file.data.stream, form.file.data.filename), None)
    return render_template("certificates/import.html", form=form, report=done.value if done else None)


@bp.route("/import/template.xlsx")
@roles_required(ORG_STAFF)
def import_template():
    return send_file(build_template(), as_attachment=True, download_name="证书导入模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/mine")
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=certificates_of(current_user.id))


@bp.route("/preview/<kind>.pdf")
@roles_required(*STAFF)
def preview(kind: str):
    """A sample certificate with this organization's settings, to check the template before issuing."""
    if kind not in ("level", "award"):
        abort(404)
    org = current_user.organization
    s = settings_for(org) if org else None
    sample = {
        "kind": kind, "number": "S000037150001263000001" if kind == "level" else "2026SDLRC-0001",
        "holder_name": "张龑䶮", "id_type": "居民身份证", "id_number": "3715**********123X",
        "occupation": occupation_name(), "job_direction": "--", "level": 3, "level_label": "三级/高级工",
        "award": "一等奖" if kind == "award" else "",
        "event_title": f"山东省{occupation_name()}职业技能竞赛" if kind == "award" else "",
        "rank": 1 if kind == "award" else None, "issuer_name": s.registered_name if s else "（发证机构登记名称）",
        "signatory": (s.signatory or "") if s else "", "issued_on": date.today(), "status": "valid", "photo": None,
        "seal": None, "qr_code": None, "verify_url": request.host_url.rstrip("/") + "/verify", "sample": True,
    }
    if s and s.seal_file:
        sample["seal"] = seal_data_uri(s.seal_file)
    sample["qr_code"] = qr_data_uri(sample["verify_url"])
    sample["short_url"] = short_verify_url(sample["number"])
    return send_file(io.BytesIO(render_contexts([sample])), mimetype="application/pdf",
                     download_name=f"preview-{kind}.pdf")


@bp.route("/batches", methods=["GET", "POST"])
@roles_required(ORG_STAFF)
def batches():
    org = _own_org()
    if org is None:
        return redirect(url_for("certificates.index"))
    sources = sources_of(org.id)
    form = BatchForm()
    form.source.choices = [(f"{t}|{i or ''}", f"{SOURCE_LABELS.get(t, t)} {i or ''}（{n} 张）") for t, i, n in sources]
    if form.is_submitted() and run_action(
            form, lambda body: create_batch(current_user, org.id, body.source_type, body.source_id, body.format),
            lambda batch: f"已提交批量生成任务（{batch.total} 张），完成后可在下方下载。"):
        return redirect(url_for("certificates.batches"))
    return render_template("certificates/batches.html", form=form, jobs=recent_batches(org.id), labels=SOURCE_LABELS)


def _batch_for(batch_id: int) -> CertificateBatch:
    try:
        return get_batch_for_staff(current_user, batch_id)
    except DomainError:
        abort(404)


@bp.route("/batches/<int:batch_id>/progress")
@roles_required(ORG_STAFF)
def batch_progress(batch_id: int):
    batch = _batch_for(batch_id)
    return jsonify({"status": batch.status, "done": batch.done, "total": batch.total, "percent": batch.percent,
                    "error": batch.error})


@bp.route("/batches/<int:batch_id>/download")
@roles_required(ORG_STAFF)
def batch_download(batch_id: int):
    batch = _batch_for(batch_id)
    key = batch_file_key(batch)
    if key is None:
        abort(404)
    response = send_stored(key, filename=safe_filename(f"证书-{batch.title}.{batch.format}"),
                           mimetype="application/pdf" if batch.format == "pdf" else "application/zip")
    audit_export("certificate_batch", "certificate_batch", batch.id, rows=batch.total,
                 scope={"source": batch.title, "format": batch.format})
    db.session.commit()
    return response


@bp.route("/<string:number>.pdf")
@login_required
def pdf(number: str):
    try:
        cert = get_for_view(current_user, number)
    except DomainError:
        abort(404)
    return send_file(io.BytesIO(render_certificate(cert)), mimetype="application/pdf",
                     download_name=f"{cert.number}.pdf")


@bp.route("/<string:number>", methods=["GET", "POST"])
@login_required
def detail(number: str):
    try:
        cert = get_for_view(current_user, number)
    except DomainError:
        abort(404)
    manager = can_manage(current_user, cert)
    revoke_form, reissue_form = RevokeForm(prefix="revoke"), ReissueForm(prefix="reissue")
    if request.method == "POST":
        if not manager:
            abort(403)
        # One POST carries either of two forms (revoke, reissue), told apart by the button that sent it; each
        # redirects to its own certificate (a reissue to the new one).
        if revoke_form.submit.data and run_action(
                revoke_form, lambda body: revoke(cert, body.reason, actor_id=current_user.id),
                "证书已撤销，公开查询将显示“已撤销”。", on_form=True):
            return redirect(url_for("certificates.detail", number=cert.number))
        if reissue_form.submit.data and (done := run_action(
                reissue_form, lambda body: _reissue(cert, body), lambda new: f"已补发新证书 {new.number}，原证书已撤销。",
                on_form=True)):
            return redirect(url_for("certificates.detail", number=done.value.number))
    return render_template("certificates/detail.html", cert=cert, manager=manager, revoke_form=revoke_form,
                           reissue_form=reissue_form, verify_link=qr_url(cert))


def _reissue(cert, body):
    return reissue(cert, body.reason, holder_name=body.holder_name, id_number=body.id_number,
                   job_direction=body.job_direction, actor_id=current_user.id)
