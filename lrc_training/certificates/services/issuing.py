"""Issuing, revoking and reissuing certificates. This area knows nothing of exams or competitions: they hand
it plain values (IssueRequest) and register their sources so the API can dispatch to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import Flask, current_app
from sqlalchemy import select

from ...auth.models import Organization, User
from ...auth.services.accreditation import local_today, require_accreditation
from ...auth.services.identity import parse_id_number
from ...auth.services.photos import approved_photo_files
from ...core.audit import record_audit
from ...core.errors import Conflict, NotFound, ValidationFailed
from ...core.notifications import notify
from ...core.occupation import occupation_name
from ...db import utcnow
from ...extensions import db
from ..models import LEVEL_LABELS, Certificate
from .numbering import award_number, level_number, settings_for
from .seals import require_seal


@dataclass
class IssueRequest:
    """Plain values describing one certificate to issue."""

    kind: str  # "level" or "award"
    holder_name: str
    issuer_organization_id: int
    source_type: str  # exam_session, competition, import, manual ...
    source_key: str | None = None  # unique per source item: issuing it again returns the same certificate
    source_id: str | None = None
    holder_user_id: int | None = None
    id_type: str = "居民身份证"
    id_number: str | None = None
    level: int | None = None
    award: str | None = None
    event_title: str | None = None
    rank: int | None = None
    number_prefix: str | None = None  # award numbering scheme, e.g. 2026SDLRC-
    occupation: str | None = None  # default: the LRC_OCCUPATION_NAME setting (劳动关系协调师)
    job_direction: str = "--"
    issued_on: date | None = None
    photo_file: str | None = None
    extra: dict = field(default_factory=dict)


def _validate(req: IssueRequest) -> None:
    errors = {}
    if req.kind not in ("level", "award"):
        errors["kind"] = "证书类型应为等级证书或获奖证书"
    name = (req.holder_name or "").strip()
    if not name or len(name) > 50:
        errors["holder_name"] = "持证人姓名不能为空且不超过 50 个字符"
    if req.kind == "level" and req.level not in LEVEL_LABELS:
        errors["level"] = "等级应为 4、3、2 或 1"
    if req.kind == "award" and not (req.award and req.event_title and req.number_prefix):
        errors["award"] = "获奖证书需要奖项、竞赛名称和编号前缀"
    if req.id_number and req.id_type == "居民身份证":
        try:
            req.id_number = parse_id_number(req.id_number).number
        except ValueError as exc:
            errors["id_number"] = str(exc)
    if req.id_number and len(req.id_number) > 30:
        errors["id_number"] = "证件号码过长"
    if len(req.job_direction or "") > 50:
        errors["job_direction"] = "工种/职业方向不能超过 50 个字符"
    if req.issued_on and req.issued_on > local_today():
        errors["issued_on"] = "发证日期不能晚于今天"
    if errors:
        raise ValidationFailed("证书信息有误：" + "；".join(errors.values()), errors)
    req.holder_name = name
    req.job_direction = (req.job_direction or "").strip() or "--"


def audit_view(cert: Certificate) -> dict:
    return {"number": cert.number, "kind": cert.kind, "holder": cert.holder_name, "level": cert.level,
            "award": cert.award, "status": cert.status, "source": f"{cert.source_type}:{cert.source_id or ''}"}


def issue_certificate(req: IssueRequest, *, actor_id: int | None = None) -> tuple[Certificate, bool]:
    """Issue one certificate, or return the one already issued for `req.source_key`.
    Returns (certificate, created)."""
    if req.source_key:
        existing = db.session.execute(
            select(Certificate).where(Certificate.source_key == req.source_key)).scalar_one_or_none()
        if existing is not None:
            return existing, False
    _validate(req)
    org = db.session.get(Organization, req.issuer_organization_id)
    if org is None:
        raise NotFound("发证机构不存在")
    issued_on = req.issued_on or local_today()
    if req.kind == "level":
        # The one gate of every path (exam sessions, Excel import, competition promotions, approved manual
        # requests, corrections): the filing covers the level and is valid today and on the issue date.
        require_accreditation(org.id, req.level, issued_on=issued_on)
    settings = settings_for(org)
    require_seal(org, settings)  # level and award alike: no certificate prints without the issuer's seal
    if req.kind == "level":
        number = level_number(settings, issued_on.year, req.level)
    else:
        number = award_number(req.number_prefix)
    cert = Certificate(
        number=number, kind=req.kind, status="valid", holder_user_id=req.holder_user_id,
        holder_name=req.holder_name, id_type=req.id_type, id_number=req.id_number,
        occupation=req.occupation or occupation_name(),
        job_direction=req.job_direction, level=req.level, award=req.award, event_title=req.event_title,
        rank=req.rank, issuer_organization_id=org.id, issuer_name=settings.registered_name,
        signatory=settings.signatory, issued_on=issued_on, photo_file=req.photo_file or _approved_photo(req),
        source_type=req.source_type, source_id=req.source_id, source_key=req.source_key, issued_by_id=actor_id)
    db.session.add(cert)
    db.session.flush()
    record_audit("certificate.issue", "certificate", cert.number, new=audit_view(cert), actor_id=actor_id)
    if cert.holder_user_id:
        notify(cert.holder_user_id, f"证书已签发：{cert.kind_label}", f"证书编号 {cert.number}",
               f"/certificates/{cert.number}", kind="certificate")
    return cert, True


def _approved_photo(req: IssueRequest) -> str | None:
    """The holder's approved ID photo when the certificate is issued: a later photo does not change it."""
    return approved_photo_files([req.holder_user_id]).get(req.holder_user_id) if req.holder_user_id else None


def issue_many(requests: list[IssueRequest], *, actor_id: int | None = None) -> list[Certificate]:
    """Issue a list; already-issued items are returned as they are (idempotent). Returns the new ones."""
    created = []
    for req in requests:
        cert, is_new = issue_certificate(req, actor_id=actor_id)
        if is_new:
            created.append(cert)
    return created


def revoke(cert: Certificate, reason: str, *, actor_id: int | None = None) -> Certificate:
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed("请填写撤销原因（不超过 500 字）", {"reason": "请填写撤销原因"})
    if cert.status == "revoked":
        raise Conflict("证书已撤销", {"status": "证书已撤销"}, code="wrong_state")
    cert.status, cert.revoked_at, cert.revoke_reason = "revoked", utcnow(), reason
    db.session.flush()
    record_audit("certificate.revoke", "certificate", cert.number, old={"status": "valid"},
                 new={"status": "revoked"}, reason=reason, actor_id=actor_id)
    if cert.holder_user_id:
        notify(cert.holder_user_id, f"证书已撤销：{cert.number}", f"原因：{reason}", f"/certificates/{cert.number}",
               kind="certificate")
    return cert


def reissue(cert: Certificate, reason: str, *, holder_name: str | None = None, id_number: str | None = None,
            job_direction: str | None = None, actor_id: int | None = None) -> Certificate:
    """A corrected certificate with a new number; the old one is revoked and both point at each other."""
    if cert.replaced_by_id is not None:
        raise Conflict("该证书已补发过，请在新证书上操作", {"status": "已补发"}, code="wrong_state")
    req = IssueRequest(
        kind=cert.kind, holder_name=holder_name or cert.holder_name, issuer_organization_id=cert.issuer_organization_id,
        source_type=cert.source_type, source_id=cert.source_id, holder_user_id=cert.holder_user_id,
        id_type=cert.id_type, id_number=id_number or cert.id_number, level=cert.level, award=cert.award,
        event_title=cert.event_title, rank=cert.rank, occupation=occupation_name(),  # corrected: today's name
        job_direction=job_direction or cert.job_direction, photo_file=cert.photo_file,
        number_prefix=_award_prefix(cert.number) if cert.kind == "award" else None)
    if cert.status == "valid":
        revoke(cert, f"更正补发：{reason}", actor_id=actor_id)
    new, _ = issue_certificate(req, actor_id=actor_id)
    new.replaces_id, cert.replaced_by_id = cert.id, new.id
    # The source item now points at the corrected certificate.
    cert.source_key, new.source_key = None, cert.source_key
    db.session.flush()
    record_audit("certificate.reissue", "certificate", cert.number, old={"number": cert.number},
                 new={"number": new.number}, reason=reason, actor_id=actor_id)
    return new


def _award_prefix(number: str) -> str:
    return number[:-4]


def find_by_number(number: str) -> Certificate | None:
    return db.session.execute(select(Certificate).where(Certificate.number == (number or "").strip().upper()
                                                        )).scalar_one_or_none()


def holder_user_for(id_number: str | None) -> User | None:
    if not id_number:
        return None
    return db.session.execute(select(User).where(User.id_number == id_number)).scalar_one_or_none()


# -- sources -------------------------------------------------------------------

SourceIssuer = Callable[[object, int], list[Certificate]]
SOURCES_KEY = "lrc_certificate_sources"


@dataclass(frozen=True)
class CertificateSource:
    """How an area issues for one of its sources (e.g. "exam_session" → issue to every candidate who passed).
    The area declares it; `create_app` registers it (`register_certificate_sources`), so certificates imports no
    area and a declaration registers nothing by itself."""

    name: str
    issue: SourceIssuer


def register_certificate_sources(app: Flask, *sources: CertificateSource) -> None:
    registered = app.extensions.setdefault(SOURCES_KEY, {})
    for source in sources:
        if registered.get(source.name, source).issue is not source.issue:
            raise ValueError(f"two certificate sources are called {source.name}")
        registered[source.name] = source


def certificate_sources(app: Flask | None = None) -> dict[str, CertificateSource]:
    """This app's sources by name (the dict itself: tests replace one with monkeypatch)."""
    return (app or current_app).extensions.setdefault(SOURCES_KEY, {})


def issue_for_source(actor, name: str, source_id: int) -> tuple[list[Certificate], list[Certificate]]:
    """Dispatch to the registered source. Returns (newly issued, all certificates of the source)."""
    source = certificate_sources().get(name)
    if source is None:
        raise ValidationFailed(f"未知的证书来源：{name}", {name: "不支持的来源"})
    created = source.issue(actor, source_id)
    return created, source_certificates(name, str(source_id))


def source_certificates(source_type: str, source_id: str) -> list[Certificate]:
    """Every certificate issued for one source (an exam session, a competition's promotions ...)."""
    return list(db.session.execute(select(Certificate).where(
        Certificate.source_type == source_type, Certificate.source_id == source_id).order_by(Certificate.id)).scalars())


def registered_sources() -> list[str]:
    return sorted(certificate_sources())

