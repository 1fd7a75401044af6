"""Courses, their instructors, class sessions, materials, enrollments and attendance."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization, User
from ..core.errors import Conflict
from ..core.models import WorkArea
from ..core.timeutil import local_zone
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

# What the columns hold; schemas.py declares every input with these same numbers.
TITLE_MAX = 120
LOCATION_MAX = 200
TOPIC_MAX = 200
ROOM_MAX = 100
MATERIAL_TITLE_MAX = 200
FILENAME_MAX = 200
REASON_MAX = 200


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"  # enrollment closed; teaching goes on
    ARCHIVED = "archived"


COURSE_STATUS_LABELS = {"draft": "草稿", "published": "报名中", "closed": "报名已截止", "archived": "已归档"}


class EnrollmentStatus(enum.StrEnum):
    PENDING = "pending"
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


ENROLLMENT_STATUS_LABELS = {"pending": "待审核", "enrolled": "已录取", "waitlisted": "候补中", "rejected": "未通过",
                            "completed": "已结业", "withdrawn": "已退出"}
# Statuses that hold a seat: a pending application reserves one until it is decided.
SEAT_HOLDING = (EnrollmentStatus.PENDING, EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)
ACTIVE = (*SEAT_HOLDING, EnrollmentStatus.WAITLISTED)

course_instructors = Table(
    "course_instructors",
    Base.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

course_work_areas = Table(
    "course_work_areas",
    Base.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("work_area_code", ForeignKey("work_areas.code"), primary_key=True, index=True),
)


class Course(TimestampMixin, VersionMixin, Base):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("completion_share > 0 AND completion_share <= 1", name="completion_share_range"),
        CheckConstraint("status IN ('draft', 'published', 'closed', 'archived')", name="status_known"),
        Index("ix_courses_status_level", "status", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    level: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    capacity: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    enrollment_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(LOCATION_MAX))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    completion_share: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0.80"))
    status: Mapped[str] = mapped_column(String(16), default=CourseStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    instructors: Mapped[list[User]] = relationship(secondary=course_instructors, order_by=User.id)
    work_areas: Mapped[list[WorkArea]] = relationship(secondary=course_work_areas, order_by=WorkArea.position)
    sessions: Mapped[list[CourseSession]] = relationship(
        back_populates="course", cascade="all, delete-orphan",
        order_by=lambda: (CourseSession.held_on, CourseSession.starts_at))
    materials: Mapped[list[CourseMaterial]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseMaterial.id")

    # -- state -------------------------------------------------------------
    @property
    def status_label(self) -> str:
        return COURSE_STATUS_LABELS[self.status]

    def last_session_end(self) -> datetime | None:
        """When the last class session ends (None before any session is planned)."""
        if not self.sessions:
            return None
        last = max(self.sessions, key=lambda s: (s.held_on, s.ends_at))
        return datetime.combine(last.held_on, last.ends_at, tzinfo=local_zone())

    def sessions_over(self, now: datetime | None = None) -> bool:
        """Every planned session has ended: nobody can still attend, so nobody may still enroll."""
        end = self.last_session_end()
        return end is not None and (now or utcnow()) > end

    def enrollment_deadline(self) -> datetime:
        """The set closing time, or the end of the last session when that comes first."""
        end = self.last_session_end()
        return min(self.enrollment_closes_at, end) if end is not None else self.enrollment_closes_at

    def enrollment_open(self, now: datetime | None = None) -> bool:
        return self.status == CourseStatus.PUBLISHED and (now or utcnow()) <= self.enrollment_deadline()

    def display_status(self, now: datetime | None = None) -> str:
        """The status as people see it: a published course whose deadline has passed reads 报名已截止."""
        if self.status == CourseStatus.PUBLISHED and not self.enrollment_open(now):
            return CourseStatus.CLOSED
        return self.status

    @property
    def display_status_label(self) -> str:
        return COURSE_STATUS_LABELS[self.display_status()]

    def has_started(self, today: date) -> bool:
        return today >= self.starts_on

    def publish(self) -> None:
        """Open enrollment (services.courses checks the teaching plan first)."""
        if self.status != CourseStatus.DRAFT:
            raise Conflict("只有草稿状态的课程可以发布", {"status": "课程当前状态不允许发布"}, code="wrong_state")
        self.status = CourseStatus.PUBLISHED

    def close_enrollment(self) -> None:
        if self.status != CourseStatus.PUBLISHED:
            raise Conflict("只有报名中的课程可以截止报名", {"status": "课程当前状态不允许截止报名"},
                           code="wrong_state")
        self.status = CourseStatus.CLOSED

    def reopen_enrollment(self) -> None:
        if self.status != CourseStatus.CLOSED:
            raise Conflict("只有已截止报名的课程可以重新开放", {"status": "课程当前状态不允许重新开放"},
                           code="wrong_state")
        if self.sessions_over():
            raise Conflict("所有课次均已结束，重新开放报名前请先添加新的课次",
                           {"status": "所有课次均已结束"}, code="sessions_over")
        self.status = CourseStatus.PUBLISHED

    def archive(self) -> None:
        if self.status == CourseStatus.ARCHIVED:
            raise Conflict("课程已归档", {"status": "课程已归档"}, code="wrong_state")
        self.status = CourseStatus.ARCHIVED


class CourseSession(Base):
    """One class meeting: date, time, topic, hours, room."""

    __tablename__ = "course_sessions"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    room: Mapped[str | None] = mapped_column(String(ROOM_MAX))

    course: Mapped[Course] = relationship(back_populates="sessions")


class CourseMaterial(Base):
    """An uploaded teaching file, stored under the instance folder and served only to the course's people."""

    __tablename__ = "course_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(MATERIAL_TITLE_MAX))
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))  # the name the user uploaded
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    mime_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship(back_populates="materials")


class Enrollment(TimestampMixin, VersionMixin, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("course_id", "user_id"),
        CheckConstraint(
            "status IN ('pending', 'enrolled', 'waitlisted', 'rejected', 'completed', 'withdrawn')",
            name="status_known"),
        Index("ix_enrollments_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)  # order of arrival on the waitlist
    decision_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    hours_attended: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))  # recorded at completion
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        return ENROLLMENT_STATUS_LABELS[self.status]


class Attendance(Base):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
