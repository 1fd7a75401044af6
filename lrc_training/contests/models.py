"""Competitions, their items and criteria, registrations with anonymous codes, judges and judging sheets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization, User
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

TIERS = {"city": "市级", "provincial": "省级", "national": "国家级"}
STATES = {"registration": "报名中", "drawn": "评分中", "published": "结果公示中", "final": "结果已确定"}
STAGES = {"single": "单轮", "preliminary": "初赛", "final": "决赛"}
TIE_BREAKS = {"practical": "实操成绩", "theory": "理论成绩"}
APPEAL_STATES = {"pending": "待处理", "upheld": "申诉成立", "dismissed": "申诉不成立"}
DUTIES = {"code_keeper": "编码保管员", "supervisor": "监督仲裁组"}
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
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: open from creation
    venue: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    award_mode: Mapped[str] = mapped_column(String(10), default="ratio")  # ratio / national
    award_ratios: Mapped[dict] = mapped_column(JSON)
    aggregation: Mapped[str] = mapped_column(String(10), default="auto")  # auto / mean / trimmed / median
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    notice_days: Mapped[int] = mapped_column(Integer, default=5)
    number_prefix: Mapped[str | None] = mapped_column(String(24))  # award certificate numbers
    state: Mapped[str] = mapped_column(String(12), default="registration")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage: Mapped[str] = mapped_column(String(12), default="single")  # single / preliminary / final
    advance_count: Mapped[int | None] = mapped_column(Integer)  # a preliminary: how many advance to the final
    tie_break: Mapped[list] = mapped_column(JSON, default=lambda: ["practical", "theory"])
    appeal_hours: Mapped[int] = mapped_column(Integer, default=2)
    promotion_awards: Mapped[list] = mapped_column(JSON, default=list)  # awards that earn a one-level promotion
    honor_top_n: Mapped[int] = mapped_column(Integer, default=0)  # top N named 技术能手
    honor_title: Mapped[str] = mapped_column(String(100), default="技术能手")
    # A promotion to level L needs a valid platform certificate of level L+1 (none needed for level 4) unless the
    # competition's rules waive it; promotions that fall short are recorded as not eligible, with the reason.
    promotion_requires_certificate: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    organization: Mapped[Organization] = relationship()
    items: Mapped[list[CompetitionItem]] = relationship(order_by="CompetitionItem.position",
                                                        cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def promotion_rule_text(self) -> str:
        """The promotion rule as contestants read it."""
        if self.promotion_requires_certificate:
            return ("获奖晋级须已持有低一级的职业技能等级证书（本平台签发且有效）：晋升到某一等级，须已持有比它低一级的证书；"
                    "晋升到四级的不受此限。未持有的，奖励记为不符合晋级条件，不签发等级证书。")
        return "本竞赛获奖晋级不要求已持有低一级证书：未持有等级证书的获奖者按本竞赛的标准等级晋级。"

    @property
    def notice_ends_at(self) -> datetime | None:
        return self.published_at + timedelta(days=self.notice_days) if self.published_at else None

    @property
    def appeals_close_at(self) -> datetime | None:
        return self.published_at + timedelta(hours=self.appeal_hours) if self.published_at else None


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
    # A theory item may be scored by an online exam (its published theory result, 0–100) instead of judges.
    exam_session_id: Mapped[int | None] = mapped_column(ForeignKey("exam_sessions.id"))

    criteria: Mapped[list[Criterion]] = relationship(order_by="Criterion.position", cascade="all, delete-orphan")

    @property
    def max_points(self) -> Decimal:
        if self.exam_session_id is not None:
            return Decimal("100")
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
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    qualified_from_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id"))  # earlier stage

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
    total: Mapped[Decimal] = mapped_column(Numeric(9, 2), default=Decimal("0"))  # sum of scores, kept on save
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    item: Mapped[CompetitionItem] = relationship()
    registration: Mapped[Registration] = relationship()


class CompetitionOfficial(Base):
    """A designated person: the code keepers (who alone see the code ↔ name mapping, besides admins, once any
    are designated) and the supervision/arbitration group (who decide appeals)."""

    __tablename__ = "competition_officials"
    __table_args__ = (
        UniqueConstraint("competition_id", "user_id", "duty", name="uq_competition_officials_duty"),
        CheckConstraint("duty IN ('code_keeper', 'supervisor')", name="duty_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    duty: Mapped[str] = mapped_column(String(12))

    user: Mapped[User] = relationship()


class Qualification(Base):
    """Contestants taken from an earlier stage or from other competitions (a national final taking the top N of
    each provincial competition), recorded once per source."""

    __tablename__ = "competition_qualifications"
    __table_args__ = (UniqueConstraint("competition_id", "source_id", name="uq_competition_qualifications_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    top_n: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    source: Mapped[Competition] = relationship(foreign_keys=[source_id])


class Appeal(TimestampMixin, VersionMixin, Base):
    """A contestant's written appeal within the appeal window after publication, decided by the supervision group."""

    __tablename__ = "competition_appeals"
    __table_args__ = (CheckConstraint("status IN ('pending', 'upheld', 'dismissed')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("competition_registrations.id", ondelete="CASCADE"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decision: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()

    @property
    def status_label(self) -> str:
        return APPEAL_STATES[self.status]


class Reward(Base):
    """A reward recorded when results become final: a one-level promotion (eligible for a level certificate) or
    an honor title such as 技术能手 (also written to the registry's honors)."""

    __tablename__ = "competition_rewards"
    __table_args__ = (
        UniqueConstraint("registration_id", "kind", name="uq_competition_rewards_kind"),
        CheckConstraint("kind IN ('promotion', 'honor')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("competition_registrations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    level: Mapped[int | None] = mapped_column(Integer)  # promotion: the level the winner is promoted to
    title: Mapped[str] = mapped_column(String(100))
    ineligible_reason: Mapped[str | None] = mapped_column(String(200))  # promotion: why no certificate follows
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
