"""The home page's to-dos from certificates: a holder's new certificates to download; for an organization's staff
the certificate batches they started that are ready, and colleagues' manual certificate requests to approve (the
requester never approves their own). One statement each, at most a few rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from ..auth.roles import ORG_STAFF
from ..core.levels import level_label
from ..core.todo import INFO, NORMAL, TodoItem
from ..extensions import db
from .models import Certificate, CertificateBatch, ManualCertificateRequest

NEW_FOR = timedelta(days=30)  # a certificate counts as new this long after it was issued
BATCH_KEPT_IN_VIEW = timedelta(days=7)
SHOWN = 5


def todo_for(user, now: datetime) -> list[TodoItem]:
    items = _new_certificates(user, now)
    if user.has_role(ORG_STAFF) and user.organization_id:
        items += _manual_requests_to_approve(user) + _batches_done(user, now)
    return items


def _new_certificates(user, now: datetime) -> list[TodoItem]:
    rows = db.session.execute(
        select(Certificate.number, Certificate.kind, Certificate.level, Certificate.award, Certificate.event_title,
               Certificate.created_at)
        .where(Certificate.holder_user_id == user.id, Certificate.status == "valid",
               Certificate.created_at >= now - NEW_FOR)
        .order_by(Certificate.created_at.desc(), Certificate.id.desc()).limit(SHOWN)).all()
    items = []
    for number, kind, level, award, event, _created in rows:
        what = f"{level_label(level)}证书" if kind == "level" else f"{event or '竞赛'} {award or ''}获奖证书"
        items.append(TodoItem("新证书可下载", url_for("certificates.pdf", number=number), f"{what} · {number}",
                              urgency=INFO, action="下载"))
    return items


def _manual_requests_to_approve(user) -> list[TodoItem]:
    waiting = db.session.execute(
        select(func.count()).select_from(ManualCertificateRequest)
        .where(ManualCertificateRequest.organization_id == user.organization_id,
               ManualCertificateRequest.status == "pending_approval",
               ManualCertificateRequest.requested_by_id != user.id)).scalar_one()
    if not waiting:
        return []
    return [TodoItem("复核手工发证申请", url_for("certificates.manual", status="pending_approval"),
                     f"同事提交的 {waiting} 份申请待您复核", urgency=NORMAL, action="去复核")]


def _batches_done(user, now: datetime) -> list[TodoItem]:
    rows = db.session.execute(
        select(CertificateBatch.id, CertificateBatch.title, CertificateBatch.format, CertificateBatch.total)
        .where(CertificateBatch.organization_id == user.organization_id, CertificateBatch.created_by_id == user.id,
               CertificateBatch.status == "done", CertificateBatch.finished_at >= now - BATCH_KEPT_IN_VIEW)
        .order_by(CertificateBatch.finished_at.desc()).limit(SHOWN)).all()
    return [TodoItem("证书批量文件已生成", url_for("certificates.batch_download", batch_id=batch_id),
                     f"{title} · {total} 张 · {fmt.upper()}", urgency=INFO, action="下载")
            for batch_id, title, fmt, total in rows]
