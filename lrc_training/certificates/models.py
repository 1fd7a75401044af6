"""Certificates (level and award), each organization's numbering settings, serial counters and batch jobs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization, User
from ..auth.services.identity import mask_id_number
from ..core.levels import LEVEL_LABELS
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

KIND_LABELS = {"level": "职业技能等级证书", "award": "获奖证书"}
STATUS_LABELS = {"valid": "有效", "revoked": "已撤销"}


class CertificateSettings(VersionMixin, Base):
    """How an organization numbers and signs its certificates. Without a row, defaults derived from the
    organization apply (see services.settings_for)."""

    __tablename__ = "certificate_settings"
    __table_args__ = (
        CheckConstraint("type_letter IN ('Y', 'S')", name="type_letter_known"),
        CheckConstraint("length(org_code) = 4", name="org_code_four_digits"),
        CheckConstraint("length(province_code) = 2", name="province_code_two_digits"),
        CheckConstraint("length(site_code) = 6", name="site_code_six_digits"),
    )

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    type_letter: Mapped[str] = mapped_column(String(1))
    org_code: Mapped[str] = mapped_column(String(4))
    province_code: Mapped[str] = mapped_column(String(2))
    site_code: Mapped[str] = mapped_column(String(6))
    registered_name: Mapped[str] = mapped_column(String(100))
    signatory: Mapped[str | None] = mapped_column(String(50))
    seal_file: Mapped[str | None] = mapped_column(String(64))  # PNG under instance/seals/
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SerialCounter(Base):
    """The last serial used in a numbering scope (organization + year + level, or an award scheme).
    Serials are taken under a row lock and never handed out twice, even after revocation."""

    __tablename__ = "serial_counters"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Certificate(TimestampMixin, Base):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('level', 'award')", name="kind_known"),
        CheckConstraint("status IN ('valid', 'revoked')", name="status_known"),
        CheckConstraint("level IS NULL OR level BETWEEN 1 AND 4", name="level_1_to_4"),
        Index("ix_certificates_holder", "holder_user_id", "status"),
        Index("ix_certificates_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="valid")
    # active_history: a changed holder is seen with the previous one, so the registry recounts both (its read model)
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), active_history=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    id_type: Mapped[str] = mapped_column(String(20), default="居民身份证")
    id_number: Mapped[str | None] = mapped_column(String(30), index=True)
    occupation: Mapped[str] = mapped_column(String(50))
    job_direction: Mapped[str] = mapped_column(String(50), default="--")  # 工种/职业方向
    level: Mapped[int | None] = mapped_column(Integer)
    award: Mapped[str | None] = mapped_column(String(50))  # e.g. 一等奖, 金牌, 技术能手
    event_title: Mapped[str | None] = mapped_column(String(200))  # the competition of an award
    rank: Mapped[int | None] = mapped_column(Integer)
    issuer_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    issuer_name: Mapped[str] = mapped_column(String(100))  # registered name at issue time
    signatory: Mapped[str | None] = mapped_column(String(50))
    issued_on: Mapped[date] = mapped_column(Date)
    photo_file: Mapped[str | None] = mapped_column(String(64))
    source_type: Mapped[str] = mapped_column(String(32))  # exam_session, competition, import, manual
    source_id: Mapped[str | None] = mapped_column(String(64))
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)  # idempotency per source item
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    holder: Mapped[User | None] = relationship(foreign_keys=[holder_user_id])
    issuer: Mapped[Organization] = relationship()
    replaces: Mapped[Certificate | None] = relationship(foreign_keys=[replaces_id], remote_side=[id])
    replaced_by: Mapped[Certificate | None] = relationship(foreign_keys=[replaced_by_id], remote_side=[id])

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, "") if self.level else ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class CertificateBatch(Base):
    """A background job that renders all certificates of a source into one merged PDF or a ZIP."""

    __tablename__ = "certificate_batches"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("format IN ('pdf', 'zip')", name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.status == "done" else 0)


class CertificateImport(Base):
    """One Excel sheet of certificates uploaded by a staff member: its valid rows became manual certificate
    requests (pending approval), which a colleague may approve one by one or all at once."""

    __tablename__ = "certificate_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(120))
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    requested: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)

    imported_by: Mapped[User] = relationship()


MANUAL_STATUS_LABELS = {"pending_approval": "待复核", "approved": "已批准签发", "rejected": "已驳回"}


class ManualCertificateRequest(TimestampMixin, Base):
    """A level certificate typed in by hand (certified before the platform, a correction …): one org_staff member
    asks, with the evidence; a different staff member of the same organization approves (then it is issued) or
    rejects it with a reason."""

    __tablename__ = "manual_certificate_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending_approval', 'approved', 'rejected')", name="status_known"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        Index("ix_manual_certificate_requests_org_status", "organization_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    holder_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    job_direction: Mapped[str] = mapped_column(String(50), default="--")
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(String(200))  # the document that proves it
    scan_file: Mapped[str | None] = mapped_column(String(64))  # PDF/JPG/PNG under instance/evidence/
    photo_file: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="pending_approval")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_imports.id"), index=True)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    certificate: Mapped[Certificate | None] = relationship()
    certificate_import: Mapped[CertificateImport | None] = relationship()

    @property
    def status_label(self) -> str:
        return MANUAL_STATUS_LABELS[self.status]

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


SOURCE_REQUEST_STATUS_LABELS = {"pending": "待审核", "approved": "已签发", "declined": "已拒绝"}


class SourceIssueRequest(TimestampMixin, VersionMixin, Base):
    """A level certificate that another area asks an accredited evaluation organization to issue (a competition's
    promotion: the committee asks, the evaluator issues). Plain values only: this area knows nothing of the source
    beyond its type, id, key, title and the evidence it sent. The evaluator's staff approve — the certificate is
    then issued by the evaluator, through the accreditation gate — or decline with a reason. One row per source item
    (`source_key`); after a decline the asker may send it again, to the same or another evaluator."""

    __tablename__ = "certificate_source_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status_known"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        Index("ix_certificate_source_requests_issuer_status", "issuer_organization_id", "status"),
        Index("ix_certificate_source_requests_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    source_key: Mapped[str] = mapped_column(String(120), unique=True)  # the certificate's source_key too
    source_title: Mapped[str] = mapped_column(String(200))  # e.g. the competition
    source_detail: Mapped[str] = mapped_column(String(200))  # e.g. the award and the promotion
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # [[label, value], ...] shown to the evaluator
    evidence_link: Mapped[str | None] = mapped_column(String(300))  # a page of ours, e.g. the public results
    requester_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issuer_organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    requester_organization: Mapped[Organization] = relationship(foreign_keys=[requester_organization_id])
    issuer_organization: Mapped[Organization] = relationship(foreign_keys=[issuer_organization_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    certificate: Mapped[Certificate | None] = relationship()

    @property
    def status_label(self) -> str:
        return SOURCE_REQUEST_STATUS_LABELS[self.status]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""
