"""What other areas may read about certificates: a person's certificates and highest level, and which source items
already hold one. Plain reads, no side effects; the registry and the exam and competition areas use these instead of
the certificates' tables. The area's own pages read here too (an organization's recent batch downloads)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, inspect, select

from ..db import year_month
from ..extensions import db
from .models import Certificate, CertificateBatch


def highest_level_of(user_id: int) -> int | None:
    """The person's highest valid level (1 is the highest), from certificates issued on the platform."""
    return db.session.execute(select(func.min(Certificate.level)).where(
        Certificate.holder_user_id == user_id, Certificate.kind == "level",
        Certificate.status == "valid")).scalar()


def certificates_of(user_id: int) -> list[Certificate]:
    return list(db.session.execute(select(Certificate).where(Certificate.holder_user_id == user_id)
                                   .order_by(Certificate.issued_on.desc(), Certificate.id.desc())).scalars())


def valid_numbers_for_source_keys(keys: list[str]) -> dict[str, str]:
    """{source key: certificate number} of the valid certificates issued for these source items (a source asking
    which of its results already hold a certificate, e.g. an exam correction flagging them for review)."""
    if not keys:
        return {}
    return dict(db.session.execute(select(Certificate.source_key, Certificate.number).where(
        Certificate.source_key.in_(keys), Certificate.status == "valid")).all())


def level_holders(user_ids=None):
    """Select (user_id, level): the holders of valid level certificates issued on the platform, one row per
    certificate — what makes a person a coordinator (the registry keeps its count of them from this); only these
    people's when `user_ids` (ids or a subquery) is given."""
    stmt = select(Certificate.holder_user_id.label("user_id"), Certificate.level.label("level")).where(
        Certificate.kind == "level", Certificate.status == "valid", Certificate.holder_user_id.is_not(None))
    return stmt if user_ids is None else stmt.where(Certificate.holder_user_id.in_(user_ids))


def holders_touched(objects) -> set[int]:
    """The people whose certificates are among these ORM objects (a flush's new, changed and deleted ones): the
    holder before and after the change, so a certificate moved, revoked or issued is noticed by whoever counts."""
    touched: set[int] = set()
    for obj in objects:
        if isinstance(obj, Certificate):
            history = inspect(obj).attrs.holder_user_id.history
            touched.update(v for v in (*history.added, *history.unchanged, *history.deleted) if v)
    return touched


def valid_numbers_of(holders=None):
    """Select (holder_user_id, number) of valid certificates, oldest first: of these holders (ids or a subquery),
    or of everyone with a holder."""
    stmt = (select(Certificate.holder_user_id, Certificate.number)
            .where(Certificate.status == "valid", Certificate.holder_user_id.is_not(None)).order_by(Certificate.id))
    return stmt if holders is None else stmt.where(Certificate.holder_user_id.in_(holders))


def level_certificates_by_month(since: date, holders=None) -> dict[str, int]:
    """{'YYYY-MM': level certificates issued that month} since a day, for these holders (a subquery) or all."""
    month = year_month(Certificate.issued_on, db.engine.dialect.name)
    stmt = select(month, func.count()).where(Certificate.kind == "level", Certificate.issued_on >= since)
    if holders is not None:
        stmt = stmt.where(Certificate.holder_user_id.in_(holders))
    return dict(db.session.execute(stmt.group_by(month)).all())


def certificates_table():
    """The certificates table itself, for whoever must notice bulk statements on it (the registry's read model)."""
    return Certificate.__table__


def recent_batches(organization_id: int, limit: int = 20) -> list[CertificateBatch]:
    """The organization's latest batch downloads, newest first (the batches page)."""
    return list(db.session.execute(select(CertificateBatch).where(CertificateBatch.organization_id == organization_id)
                                   .order_by(CertificateBatch.id.desc()).limit(limit)).scalars())
