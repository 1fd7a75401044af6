"""What other areas may read about certificates: a person's certificates and highest level, and which source items
already hold one. Plain reads, no side effects; the registry and the exam and competition areas use these instead of
the certificates' tables."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from .models import Certificate


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
