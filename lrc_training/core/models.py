"""Shared models; the audit log is append-only and chained with keyed seals so a quiet edit or deletion shows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    # The seal of the previous record and this record's own seal: HMAC-SHA256 with the key named by key_id
    # (see core/audit_keys.py); key_id NULL marks a record written before keyed sealing (plain SHA-256).
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(String(16))


@event.listens_for(AuditLog, "before_update")
def _refuse_update(mapper, connection, target):  # noqa: ARG001
    raise RuntimeError("audit records are append-only")


@event.listens_for(AuditLog, "before_delete")
def _refuse_delete(mapper, connection, target):  # noqa: ARG001
    raise RuntimeError("audit records are append-only")


class WorkArea(Base):
    """A work area (职业功能) of the national standard; tags courses, questions and competition items.
    Admins may rename, add or retire them; codes never change once used."""

    __tablename__ = "work_areas"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


DEFAULT_WORK_AREAS = [
    ("LS", "劳动标准实施管理"),
    ("LC", "劳动合同管理"),
    ("CB", "集体协商与集体合同管理"),
    ("RR", "劳动规章制度建设"),
    ("DM", "劳资沟通与民主管理"),
    ("DR", "员工申诉与劳动争议处理"),
]


class Notification(Base):
    """An in-site message to one user (enrollment decisions, waitlist promotion, results ...)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),
                      Index("ix_notifications_email_status", "email_status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(30), default="general")
    # The email copy: pending until the mail job sends it (sent), gives up (failed) or finds nobody to send
    # it to (skipped: no address, or the user turned this kind of email off).
    email_status: Mapped[str | None] = mapped_column(String(10))
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_error: Mapped[str | None] = mapped_column(String(300))
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a failed copy waits until then
    # A copy that is no use after this moment (an exam reminder once the exam has begun) is skipped, not sent late.
    email_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Which mail job run is sending the copy, since when: another run leaves it alone until the claim runs out.
    email_claimed_by: Mapped[str | None] = mapped_column(String(120))
    email_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailOptOut(Base):
    """A kind of notification a user does not want by email (in-site notifications always arrive)."""

    __tablename__ = "email_opt_outs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)


class RegionName(Base):
    """The name of a township/street (9-digit) or community/village (12-digit) statistical code, loaded by an
    admin (`flask regions load`); county-level and higher names come from the national table in data/."""

    __tablename__ = "region_names"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SchedulerJob(Base):
    """One timed job as every scheduler process sees it: when it is next due, which process runs it now and until
    when that claim holds (a process that died loses it then), and how its last runs went (also for /metrics)."""

    __tablename__ = "scheduler_jobs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_duration_ms: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_node: Mapped[str | None] = mapped_column(String(120))
    runs: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
