"""Manual level certificates (typed in by hand: certified before the platform, a paper record …) need two people:
one org_staff member files a request with the evidence, a different org_staff member of the same organization
approves it — only then is the certificate issued — or rejects it with a reason. Both are recorded and audited.

Rules at request time (and again at approval, through the issuing gate): the organization's filing (备案) covers
the level and is valid today; the issue date is not in the future and lies within the filing's validity (so not
before the filing started). The holder may be anyone (an evaluator certifies candidates from anywhere), but
never twice: not while a request for the same person and level is pending, nor when this organization already
holds a valid certificate of that level for them (a correction is a 更正补发 on that certificate).

An Excel import (importing.py) files one request per valid row, tied to its CertificateImport; a colleague may
approve all pending requests of one import at once (approve_import), which skips the approver's own requests.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import joinedload

from ...auth.models import User, UserRole
from ...auth.roles import ORG_STAFF
from ...auth.services.accreditation import local_today, require_accreditation
from ...auth.services.identity import parse_id_number
from ...core.audit import record_audit
from ...core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.storage import storage
from ...db import utcnow
from ...extensions import db
from ..models import LEVEL_LABELS, Certificate, CertificateImport, ManualCertificateRequest
from .issuing import IssueRequest, holder_user_for, issue_certificate

PENDING = "pending_approval"
SCAN_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
DEFAULT_SCAN_MAX_BYTES = 10 * 1024 * 1024


@dataclass
class ManualInput:
    level: int
    issued_on: date | None
    reason: str
    evidence: str
    job_direction: str | None = None
    user_id: int | None = None  # the API names the holder by account …
    holder_name: str | None = None  # … the page by name and ID number (linked to an account when there is one)
    id_number: str | None = None
    scan_file: str | None = None
    photo_file: str | None = None


# -- the scan of the evidence ---------------------------------------------------------------------------------

def sniff_scan(data: bytes) -> str | None:
    """pdf, png or jpg from the content itself (never the name or the browser's claim); images must decode."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        try:
            image = Image.open(io.BytesIO(data))
            image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
        return {"PNG": "png", "JPEG": "jpg"}.get(image.format)
    return None


def store_scan(stream) -> str:
    """Check and store an uploaded scan under a random name; returns the stored name."""
    limit = current_app.config.get("LRC_EVIDENCE_MAX_BYTES", DEFAULT_SCAN_MAX_BYTES)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(f"扫描件不能超过 {limit // (1024 * 1024)} MB", {"scan": f"不能超过 {limit // (1024 * 1024)} MB"})
    if not data:
        raise ValidationFailed("扫描件为空", {"scan": "文件为空"})
    kind = sniff_scan(data)
    if kind is None:
        raise ValidationFailed("扫描件只支持 PDF、JPG 或 PNG 文件", {"scan": "只支持 PDF、JPG 或 PNG 文件"})
    name = f"{secrets.token_hex(16)}.{kind}"
    storage().put(scan_key(name), data, SCAN_TYPES[kind])
    return name


def scan_key(name: str) -> str:
    """Scans live under `evidence/` in the platform's storage (core/storage.py)."""
    return f"evidence/{Path(name).name}"


def scan_mimetype(req: ManualCertificateRequest) -> str:
    return SCAN_TYPES[req.scan_file.rsplit(".", 1)[-1]]


# -- requests -------------------------------------------------------------------------------------------------

def _staff_org(actor) -> int:
    if actor is None or not actor.has_role(ORG_STAFF) or actor.organization_id is None:
        raise Forbidden("只有评价机构的工作人员可以办理手工发证")
    return actor.organization_id


def _text(value, limit: int) -> str:
    return value.strip() if isinstance(value, str) else ""


def _holder(data: ManualInput, errors: dict) -> tuple[int | None, str, str]:
    if data.user_id is not None:
        user = db.session.get(User, data.user_id) if isinstance(data.user_id, int) else None
        if user is None or not user.active:
            errors["user_id"] = "用户不存在或已停用"
            return None, "", ""
        if not user.id_number:
            errors["user_id"] = "该用户没有登记身份证号，不能签发等级证书"
            return None, "", ""
        return user.id, user.name, user.id_number
    name = _text(data.holder_name, 50)
    if not name or len(name) > 50:
        errors["holder_name"] = "持证人姓名不能为空且不超过 50 个字符"
    try:
        id_number = parse_id_number((data.id_number or "").strip().upper()).number
    except ValueError as exc:
        errors["id_number"] = str(exc)
        return None, name, ""
    user = holder_user_for(id_number)
    if user is not None and name and user.name != name:
        errors["holder_name"] = "姓名与该身份证号登记的姓名不一致"
    return (user.id if user else None), name, id_number


def create_request(actor, data: ManualInput, *, certificate_import: CertificateImport | None = None
                   ) -> ManualCertificateRequest:
    """File one request. From an import, the colleagues are told once for the whole sheet (see importing.py)."""
    org_id = _staff_org(actor)
    errors: dict[str, str] = {}
    if data.level not in LEVEL_LABELS or isinstance(data.level, bool):
        errors["level"] = "等级应为 4、3、2 或 1"
    if data.issued_on is None:
        errors["issued_on"] = "请填写原发证日期"
    elif data.issued_on > local_today():
        errors["issued_on"] = "发证日期不能晚于今天"
    reason, evidence = _text(data.reason, 500), _text(data.evidence, 200)
    if not reason or len(reason) > 500:
        errors["reason"] = "请填写申请理由（不超过 500 字）"
    if not evidence or len(evidence) > 200:
        errors["evidence"] = "请写明证明材料（如原证书编号、认定档案名称，不超过 200 字）"
    job_direction = _text(data.job_direction, 50) or "--"
    if len(job_direction) > 50:
        errors["job_direction"] = "工种/职业方向不能超过 50 个字符"
    holder_id, name, id_number = _holder(data, errors)
    if errors:
        raise ValidationFailed("手工发证申请有误：" + "；".join(errors.values()), errors)
    require_accreditation(org_id, data.level, issued_on=data.issued_on)
    pending = db.session.execute(select(ManualCertificateRequest.id).where(
        ManualCertificateRequest.organization_id == org_id, ManualCertificateRequest.id_number == id_number,
        ManualCertificateRequest.level == data.level, ManualCertificateRequest.status == PENDING)).scalar()
    if pending is not None:
        raise Conflict("此人该等级已有待复核的手工发证申请", {"level": "已有待复核的申请"}, code="duplicate")
    held = db.session.execute(select(Certificate.number).where(
        Certificate.issuer_organization_id == org_id, Certificate.id_number == id_number,
        Certificate.level == data.level, Certificate.kind == "level", Certificate.status == "valid")).scalar()
    if held is not None:
        raise Conflict(f"本机构已为此人签发过该等级的有效证书（{held}），如需更正请在该证书上“更正补发”",
                       {"level": "已有有效证书"}, code="duplicate")
    req = ManualCertificateRequest(
        organization_id=org_id, holder_user_id=holder_id, holder_name=name, id_number=id_number, level=data.level,
        issued_on=data.issued_on, job_direction=job_direction, reason=reason, evidence=evidence,
        scan_file=data.scan_file, photo_file=data.photo_file, status=PENDING, requested_by_id=actor.id,
        import_id=certificate_import.id if certificate_import else None)
    db.session.add(req)
    db.session.flush()
    record_audit("certificate.manual_request", "manual_certificate_request", req.id, new={
        "holder": name, "level": data.level, "issued_on": data.issued_on, "reason": reason, "evidence": evidence,
        "scan": bool(data.scan_file), "requested_by": actor.id, "import": req.import_id}, actor_id=actor.id)
    if certificate_import is None:
        tell_colleagues(actor, "有一份手工发证申请待复核", f"{actor.name} 申请为 {req.holder_name} 签发"
                        f"{LEVEL_LABELS[req.level]}证书，请核对证明材料后批准或驳回。")
    return req


def tell_colleagues(actor, title: str, body: str) -> None:
    """Notify the other active staff members of the actor's organization (the possible approvers)."""
    colleagues = db.session.execute(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.organization_id == actor.organization_id, User.active.is_(True), UserRole.role == ORG_STAFF,
        User.id != actor.id)).scalars().all()
    for user_id in colleagues:
        notify(user_id, title, body, "/certificates/manual", kind="certificate")


def get_request_for_staff(actor, request_id: int) -> ManualCertificateRequest:
    """A request of the actor's own organization; anything else is 404."""
    req = db.session.get(ManualCertificateRequest, request_id) if isinstance(request_id, int) else None
    if req is None or actor is None or not actor.has_role(ORG_STAFF) or req.organization_id != actor.organization_id:
        raise NotFound("手工发证申请不存在")
    return req


def _claim(req: ManualCertificateRequest, actor, status: str, reason: str | None = None) -> None:
    """Move a pending request on, atomically: of two people deciding at once, the second gets 409."""
    done = db.session.execute(
        update(ManualCertificateRequest)
        .where(ManualCertificateRequest.id == req.id, ManualCertificateRequest.status == PENDING)
        .values(status=status, decided_by_id=actor.id, decided_at=utcnow(), decision_reason=reason)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict("该申请已被处理", {"status": "已处理"}, code="wrong_state")
    db.session.refresh(req)


def approve_request(actor, request_id: int) -> tuple[ManualCertificateRequest, Certificate]:
    return _approve(actor, get_request_for_staff(actor, request_id))


def _approve(actor, req: ManualCertificateRequest, *, tell_requester: bool = True
             ) -> tuple[ManualCertificateRequest, Certificate]:
    if req.requested_by_id == actor.id:
        raise Forbidden("不能复核本人提交的申请，请由本机构另一名工作人员复核", {"approver": "申请人不能自己复核"},
                        code="self_approval")
    if req.status != PENDING:
        raise Conflict("该申请已被处理", {"status": "已处理"}, code="wrong_state")
    _claim(req, actor, "approved")
    # An imported row keeps its import as the certificate's source, so 批量下载 offers the sheet as one batch.
    source_type, source_id = ("import", str(req.import_id)) if req.import_id else ("manual", str(req.id))
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=req.holder_name, holder_user_id=req.holder_user_id, id_number=req.id_number,
        issuer_organization_id=req.organization_id, level=req.level, job_direction=req.job_direction,
        issued_on=req.issued_on, photo_file=req.photo_file, source_type=source_type, source_id=source_id,
        source_key=f"manual:{req.id}"), actor_id=actor.id)
    req.certificate_id = cert.id
    db.session.flush()
    record_audit("certificate.manual_approve", "manual_certificate_request", req.id, old={"status": PENDING},
                 new={"status": "approved", "number": cert.number, "requested_by": req.requested_by_id,
                      "approved_by": actor.id, "import": req.import_id}, actor_id=actor.id)
    if tell_requester:
        notify(req.requested_by_id, "手工发证申请已批准", f"{req.holder_name} 的证书已签发，编号 {cert.number}。",
               f"/certificates/{cert.number}", kind="certificate")
    return req, cert


@dataclass
class ImportApproval:
    issued: list[str] = field(default_factory=list)  # certificate numbers
    own: int = 0  # the approver's own requests, left for someone else
    failed: list[tuple[str, str]] = field(default_factory=list)  # (holder, reason): still pending


def get_import_for_staff(actor, import_id: int) -> CertificateImport:
    """An import of the actor's own organization; anything else is 404."""
    row = db.session.get(CertificateImport, import_id) if isinstance(import_id, int) else None
    if row is None or actor is None or not actor.has_role(ORG_STAFF) or row.organization_id != actor.organization_id:
        raise NotFound("导入批次不存在")
    return row


def approve_import(actor, import_id: int) -> ImportApproval:
    """Approve every pending request of one import, each exactly as a single approval (same checks, same audit);
    the approver's own requests are skipped, a request that fails a rule (e.g. the filing ended) stays pending."""
    batch = get_import_for_staff(actor, import_id)
    pending = db.session.execute(select(ManualCertificateRequest).where(
        ManualCertificateRequest.import_id == batch.id, ManualCertificateRequest.status == PENDING)
        .order_by(ManualCertificateRequest.id)).scalars().all()
    if not pending:
        raise Conflict("该导入批次没有待复核的申请", {"status": "没有待复核的申请"}, code="wrong_state")
    result = ImportApproval()
    for req in pending:
        if req.requested_by_id == actor.id:
            result.own += 1
            continue
        try:
            with db.session.begin_nested():
                _, cert = _approve(actor, req, tell_requester=False)
        except DomainError as exc:
            result.failed.append((req.holder_name, exc.message))
            continue
        result.issued.append(cert.number)
    if not result.issued and result.own == len(pending):
        raise Forbidden("不能复核本人导入的申请，请由本机构另一名工作人员复核", {"approver": "申请人不能自己复核"},
                        code="self_approval")
    record_audit("certificate.import_approve", "certificate_import", batch.id, new={
        "issued": len(result.issued), "own_skipped": result.own, "failed": len(result.failed),
        "imported_by": batch.imported_by_id, "approved_by": actor.id}, actor_id=actor.id)
    if result.issued:
        notify(batch.imported_by_id, "导入的发证申请已批准",
               f"{batch.file_name}：已签发 {len(result.issued)} 张证书。", "/certificates/manual", kind="certificate")
    return result


def pending_imports(actor) -> list[tuple[CertificateImport, int]]:
    """The actor's organization's imports that still have pending requests, with how many (one query)."""
    if not actor.has_role(ORG_STAFF) or actor.organization_id is None:
        return []
    counts = (select(ManualCertificateRequest.import_id, func.count().label("pending"))
              .where(ManualCertificateRequest.organization_id == actor.organization_id,
                     ManualCertificateRequest.status == PENDING, ManualCertificateRequest.import_id.is_not(None))
              .group_by(ManualCertificateRequest.import_id).subquery())
    rows = db.session.execute(
        select(CertificateImport, counts.c.pending).join(counts, counts.c.import_id == CertificateImport.id)
        .where(CertificateImport.organization_id == actor.organization_id).order_by(CertificateImport.id.desc())
        .options(joinedload(CertificateImport.imported_by))).all()
    return [(row, n) for row, n in rows]


def reject_request(actor, request_id: int, reason: str) -> ManualCertificateRequest:
    req = get_request_for_staff(actor, request_id)
    reason = _text(reason, 500)
    if not reason or len(reason) > 500:
        raise ValidationFailed("请填写驳回原因（不超过 500 字）", {"reason": "请填写驳回原因"})
    if req.status != PENDING:
        raise Conflict("该申请已被处理", {"status": "已处理"}, code="wrong_state")
    _claim(req, actor, "rejected", reason)
    record_audit("certificate.manual_reject", "manual_certificate_request", req.id, old={"status": PENDING},
                 new={"status": "rejected", "requested_by": req.requested_by_id, "rejected_by": actor.id},
                 reason=reason, actor_id=actor.id)
    if req.requested_by_id != actor.id:
        notify(req.requested_by_id, "手工发证申请被驳回", f"{req.holder_name}：{reason}", "/certificates/manual",
               kind="certificate")
    return req


def requests_of(actor, status: str | None = None, import_id: int | None = None) -> Select:
    """The actor's organization's requests, pending first, with both people loaded (constant queries)."""
    org_id = actor.organization_id if actor.has_role(ORG_STAFF) else None
    stmt = (select(ManualCertificateRequest).where(ManualCertificateRequest.organization_id == (org_id or -1))
            .options(joinedload(ManualCertificateRequest.requested_by), joinedload(ManualCertificateRequest.decided_by),
                     joinedload(ManualCertificateRequest.certificate))
            .order_by((ManualCertificateRequest.status != PENDING), ManualCertificateRequest.id.desc()))
    if status in ("pending_approval", "approved", "rejected"):
        stmt = stmt.where(ManualCertificateRequest.status == status)
    if import_id is not None:
        stmt = stmt.where(ManualCertificateRequest.import_id == import_id)
    return stmt
