"""Competitions, their items and criteria, registrations with anonymous codes, judges and judging sheets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization, User
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin

TIERS = {"city": "市级", "provincial": "省级", "national": "国家级"}
STATES = {"registration": "报名中", "drawn": "已抽签", "published": "结果公示中", "final": "结果已确定"}
AWARD_LABELS = {"first": "一等奖", "second": "二等奖", "third": "三等奖", "gold": "金奖", "silver": "银奖",
                "bronze": "铜奖", "excellence": "优胜奖"}


class Competition(TimestampMixin, VersionMixin, Base):
    __tablename__ = "competitions"
    __table_args__ = (
        CheckConstraint("tier IN ('city', 'provincial', 'national')", name="tier_known"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        CheckConstraint("state IN ('registration', 'drawn', 'published', 'final')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    award_mode: Mapped[str] = mapped_column(String(10), default="ratio")  # ratio / national
    award_ratios: Mapped[dict] = mapped_column(JSON)
    aggregation: Mapped[str] = mapped_column(String(10), default="auto")  # auto / mean / trimmed / median
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    notice_days: Mapped[int] = mapped_column(Integer, default=5)
    number_prefix: Mapped[str | None] = mapped_column(String(24))  # award certificate numbers
    state: Mapped[str] = mapped_column(String(12), default="registration")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    items: Mapped[list[CompetitionItem]] = relationship(order_by="CompetitionItem.position",
                                                        cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return STATES[self.state]


class CompetitionItem(Base):
    __tablename__ = "competition_items"
    __table_args__ = (
        UniqueConstraint("competition_id", "position", name="uq_competition_items_position"),
        CheckConstraint("kind IN ('theory', 'practical')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # the API's item_index (0-based)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    criteria: Mapped[list[Criterion]] = relationship(order_by="Criterion.position", cascade="all, delete-orphan")

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal("0"))


class Criterion(Base):
    __tablename__ = "competition_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("competition_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    max_points: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class Registration(TimestampMixin, Base):
    __tablename__ = "competition_registrations"
    __table_args__ = (
        UniqueConstraint("competition_id", "user_id", name="uq_competition_registrations_person"),
        UniqueConstraint("competition_id", "contestant_code", name="uq_competition_registrations_code"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # at registration
    status: Mapped[str] = mapped_column(String(10))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    contestant_code: Mapped[str | None] = mapped_column(String(12))  # 一次加密
    station_number: Mapped[str | None] = mapped_column(String(12))  # 二次加密 for practical items

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class JudgeAssignment(Base):
    __tablename__ = "competition_judges"
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_competition_judges_item_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("competition_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_chief: Mapped[bool] = mapped_column(default=False)


class JudgingSheet(Base):
    """One judge's scores for one contestant on one item. `version` detects concurrent edits."""

    __tablename__ = "judging_sheets"
    __table_args__ = (UniqueConstraint("item_id", "judge_id", "registration_id", name="uq_judging_sheets_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("competition_items.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("competition_registrations.id", ondelete="CASCADE"))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {criterion id: "points"} as exact strings
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[CompetitionItem] = relationship()
    registration: Mapped[Registration] = relationship()
