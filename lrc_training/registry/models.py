"""Registry records that staff maintain, and honors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..core.errors import Conflict
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

CATEGORIES = ("negotiation_instructor", "party_member", "union_cadre")
CATEGORY_LABELS = {"negotiation_instructor": "集体协商指导员", "party_member": "党员", "union_cadre": "工会干部"}


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
    # Categories counted in the statistics (专职集体协商指导员, 党员, 工会干部); see CATEGORIES.
    negotiation_instructor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    party_member: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    union_cadre: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def categories(self) -> list[str]:
        return [c for c in CATEGORIES if getattr(self, c)]


class Honor(Base):
    __tablename__ = "honors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))  # 金牌劳动关系协调员, 技术能手, 五一劳动奖章 ...
    granted_by: Mapped[str] = mapped_column(String(100))
    granted_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- coordinators' work (工作情况) and risk reports (劳动关系风险隐患) ------------------------------------------------

WORK_KIND_LABELS = {
    "consultation": "政策咨询",
    "mediation": "调解劳动争议",
    "negotiation": "集体协商指导",
    "rules": "规章制度建设",
    "training": "培训宣讲",
    "risk": "风险隐患报告",
}
WORK_KINDS = tuple(WORK_KIND_LABELS)
SEVERITY_LABELS = {"low": "一般", "medium": "较大", "high": "重大"}
SEVERITIES = tuple(SEVERITY_LABELS)
RISK_STATUS_LABELS = {"open": "待处理", "closed": "已处置"}
TEXT_MAX = 2000  # a work record's summary and a risk report's handling


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class WorkRecord(Base):
    """One piece of a coordinator's work: what kind, when, at which enterprise, how many workers were involved.
    A `risk` record carries a severity and opens a RiskReport."""

    __tablename__ = "work_records"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(WORK_KINDS)})", name="kind_known"),
        CheckConstraint("people >= 0", name="people_not_negative"),
        CheckConstraint(f"(kind = 'risk' AND severity IN ({_quoted(SEVERITIES)})) OR "
                        "(kind <> 'risk' AND severity IS NULL)", name="severity_for_risk_only"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    summary: Mapped[str] = mapped_column(String(TEXT_MAX))
    people: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(10))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RiskReport(Base):
    """A labor-relations risk (风险隐患) a coordinator reported; the 人社 departments whose scope contains the
    enterprise's region see it until one of them closes it with how it was handled. `region_code` is the
    enterprise's, copied when the report opens (the scope rule reads it)."""

    __tablename__ = "risk_reports"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint(f"severity IN ({_quoted(SEVERITIES)})", name="severity_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_record_id: Mapped[int] = mapped_column(ForeignKey("work_records.id", ondelete="CASCADE"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handling: Mapped[str | None] = mapped_column(String(TEXT_MAX))


class ServiceArea(Base):
    """A platform's service area (园区/街道/社区平台 → the enterprises it serves), set by the 人社 department: the
    platform's staff see those enterprises' coordinators, and its coordinators cover them."""

    __tablename__ = "platform_service_areas"

    platform_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)


class Coordinator(Base):
    """Who is a coordinator, kept ready for counting (a read model, registry/coordinators.py): one row per person
    with a valid level certificate or a registry record, their highest level and where they count — their
    organization and its kind, and the organization's region or, without one, the home region of their ID number.
    Kept in step in the same transaction as every change to those facts, and rebuilt nightly; a province's
    statistics and coverage read 100,000 narrow rows here instead of joining certificates, records, people and
    organizations on every page."""

    __tablename__ = "registry_coordinators"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int | None] = mapped_column(Integer)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"),
                                                        index=True)
    organization_kind: Mapped[str] = mapped_column(String(20))  # "none" without an organization
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)


class RegionTarget(TimestampMixin, Base):
    """A guideline target for a region and year (目标责任考核), set by the 人社 department of a parent region."""

    __tablename__ = "registry_targets"
    __table_args__ = (UniqueConstraint("scope", "year"),
                      CheckConstraint("coverage_share >= 0 AND coverage_share <= 1", name="share_0_to_1"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(12))  # the region's scope (371500 → 3715)
    year: Mapped[int] = mapped_column(Integer)
    coordinators: Mapped[int] = mapped_column(Integer)
    coverage_share: Mapped[float] = mapped_column(Float)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# -- reporting upward (报表上报): county → city → province → ministry ------------------------------------------------

REPORT_STATUS_LABELS = {"draft": "草稿", "submitted": "已上报", "returned": "已退回", "approved": "已审核通过"}
REPORT_STATUSES = tuple(REPORT_STATUS_LABELS)


class Report(TimestampMixin, VersionMixin, Base):
    """One region's report for one period (`2026`, `2026-Q4`, `2026-11`): the statistics frozen when it was made
    (or last refreshed, while it is a draft or returned). The 人社 department of the region makes and submits it;
    the department of the nearest enclosing reporting region returns or approves it. `scope` is the region's scope
    (371500 → 3715): one report per scope and period."""

    __tablename__ = "registry_reports"
    __table_args__ = (UniqueConstraint("scope", "period"),
                      CheckConstraint(f"status IN ({_quoted(REPORT_STATUSES)})", name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    scope: Mapped[str] = mapped_column(String(12))  # the unique (scope, period) index serves lookups by scope
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    snapshot: Mapped[dict] = mapped_column(JSON)
    snapshot_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(String(1000))

    @property
    def editable(self) -> bool:
        """The region may refresh and submit it: a draft, or returned by the parent."""
        return self.status in ("draft", "returned")

    def _require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise Conflict(f"报表当前状态为“{REPORT_STATUS_LABELS[self.status]}”，不能进行此操作",
                           {"status": REPORT_STATUS_LABELS[self.status]}, code="wrong_status")

    def refresh(self, snapshot: dict) -> None:
        self._require("draft", "returned")
        self.snapshot, self.snapshot_at = snapshot, utcnow()

    def submit(self) -> None:
        self._require("draft", "returned")
        self.status, self.submitted_at = "submitted", utcnow()

    def return_(self, actor_id: int, reason: str) -> None:
        self._require("submitted")
        self.status, self.return_reason = "returned", reason
        self.decided_by_id, self.decided_at = actor_id, utcnow()

    def approve(self, actor_id: int) -> None:
        self._require("submitted")
        self.status, self.return_reason = "approved", None
        self.decided_by_id, self.decided_at = actor_id, utcnow()
