"""Registry records that staff maintain, and honors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow


class RegistryEntry(TimestampMixin, VersionMixin, Base):
    """A coordinator's registry record: fields staff maintain, and a certificate issued elsewhere if any.
    Certificates issued on the platform make a person a coordinator without a record."""

    __tablename__ = "registry_entries"
    __table_args__ = (CheckConstraint("level IS NULL OR level BETWEEN 1 AND 4", name="level_1_to_4"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    position: Mapped[str | None] = mapped_column(String(100))
    full_time: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date | None] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(40))  # issued elsewhere
    level: Mapped[int | None] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Honor(Base):
    __tablename__ = "honors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))  # 金牌劳动关系协调员, 技术能手, 五一劳动奖章 ...
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
