"""A person's ID photo (证件照): one row per upload, checked by staff before anything prints it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin
from .models import User

PENDING, APPROVED, REJECTED, SUPERSEDED = "pending", "approved", "rejected", "superseded"
PHOTO_STATUS_LABELS = {PENDING: "待审核", APPROVED: "已通过", REJECTED: "未通过", SUPERSEDED: "已替换"}


class PersonPhoto(TimestampMixin, VersionMixin, Base):
    """A person has at most one approved photo (the one printed) and at most one pending one (waiting for staff).
    Approving a new photo supersedes the old approved one; a new upload supersedes a photo still pending."""

    __tablename__ = "person_photos"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')", name="status_known"),
        Index("ix_person_photos_user_status", "user_id", "status"),
        Index("ix_person_photos_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(64))  # a name in the storage's photos/ folder (JPEG, 413×579)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def status_label(self) -> str:
        return PHOTO_STATUS_LABELS[self.status]
