"""Who may see and manage which certificates."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from ...auth.roles import ADMIN, ORG_STAFF
from ...core.errors import NotFound
from ..models import Certificate
from .issuing import find_by_number


def can_manage(actor, cert: Certificate) -> bool:
    if actor is None:
        return False
    return actor.has_role(ADMIN) or (actor.has_role(ORG_STAFF) and actor.organization_id == cert.issuer_organization_id)


def get_for_manage(actor, number: str) -> Certificate:
    cert = find_by_number(number)
    if cert is None or not can_manage(actor, cert):
        raise NotFound("证书不存在")
    return cert


def get_for_view(actor, number: str) -> Certificate:
    """Holders see their own; the issuing organization's staff and admins see any of theirs."""
    cert = find_by_number(number)
    if cert is None or not (can_manage(actor, cert) or (actor is not None and cert.holder_user_id == actor.id)):
        raise NotFound("证书不存在")
    return cert


def managed_certificates(actor, q: str | None = None, status: str | None = None) -> Select:
    stmt = select(Certificate).order_by(Certificate.id.desc())
    if not actor.has_role(ADMIN):
        stmt = stmt.where(Certificate.issuer_organization_id == (actor.organization_id or -1))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Certificate.number.ilike(like), Certificate.holder_name.ilike(like)))
    if status in ("valid", "revoked"):
        stmt = stmt.where(Certificate.status == status)
    return stmt
