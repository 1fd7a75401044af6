"""Selections (评选): a 人社 department opens a round, organizations of its region nominate, a panel scores, the
shortlist is posted for a notice period (公示), and the result becomes honors with a numbered certificate.

The round's state moves only through its methods, which raise Conflict on an illegal move:
draft → nominating → reviewing → notice → final."""

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
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from ...core.errors import Conflict
from ...db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

DEFAULT_TITLE = "金牌劳动关系协调员"
KIND_LABELS = {"person": "个人", "organization": "单位（指导站、工作室等）"}
KINDS = tuple(KIND_LABELS)
STATE_LABELS = {"draft": "草稿", "nominating": "推荐中", "reviewing": "评审中", "notice": "公示中", "final": "已确定"}
STATES = tuple(STATE_LABELS)
OBJECTION_LABELS = {"open": "待处理", "dismissed": "不成立", "upheld": "成立，取消入选"}
OBJECTION_STATUSES = tuple(OBJECTION_LABELS)
DEFAULT_NOTICE_DAYS = 5
DEFAULT_PER_ORG_LIMIT = 2
MAX_SCORE = Decimal(100)
# The inputs' limits, declared once (schemas.py, and the columns where they have one).
TITLE_MAX, STANDARD_MAX = 100, 5000
QUOTA_MAX, PER_ORG_MAX, NOTICE_MAX = 1000, 50, 30
GROUNDS_MAX, COMMENT_MAX, USERNAME_MAX = 5000, 1000, 32
TEXT_MAX, CONTACT_MAX, REPLY_MAX = 2000, 100, 2000


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class SelectionRound(TimestampMixin, VersionMixin, Base):
    """One round of a selection, opened by an hrss organization for its region (`region_code`, its own)."""

    __tablename__ = "selection_rounds"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_quoted(KINDS)})", name="kind_known"),
        CheckConstraint(f"state IN ({_quoted(STATES)})", name="state_known"),
        CheckConstraint("quota >= 1", name="quota_positive"),
        CheckConstraint("per_org_limit >= 1", name="per_org_limit_positive"),
        CheckConstraint("notice_days >= 1", name="notice_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX), default=DEFAULT_TITLE)
    kind: Mapped[str] = mapped_column(String(20), default="person")
    standard: Mapped[str] = mapped_column(Text)
    quota: Mapped[int] = mapped_column(Integer)
    per_org_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_PER_ORG_LIMIT)
    nomination_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    review_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    notice_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_NOTICE_DAYS)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the opening organization's, copied
    state: Mapped[str] = mapped_column(String(12), default="draft")
    notice_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def accepts_nominations(self) -> bool:
        return self.state == "nominating" and utcnow() < self.nomination_deadline

    @property
    def notice_over(self) -> bool:
        return self.state == "notice" and self.notice_ends_at is not None and utcnow() >= self.notice_ends_at

    def _move(self, expected: str, target: str, why: str) -> None:
        if self.state != expected:
            raise Conflict(f"{why}：当前状态为“{self.state_label}”", {"state": self.state_label}, code="wrong_state")
        self.state = target

    def open_nominations(self) -> None:
        if self.nomination_deadline <= utcnow():
            raise Conflict("推荐截止时间已过，请先修改截止时间", {"nomination_deadline": "已过"}, code="wrong_state")
        self._move("draft", "nominating", "只有草稿可以开始推荐")

    def start_review(self) -> None:
        if self.state == "nominating" and utcnow() < self.nomination_deadline:
            raise Conflict("推荐截止前不能开始评审", {"nomination_deadline": "尚未截止"}, code="wrong_state")
        self._move("nominating", "reviewing", "只有推荐中的评选可以开始评审")

    def post_notice(self) -> None:
        self._move("reviewing", "notice", "只有评审中的评选可以公示")
        self.notice_starts_at = utcnow()
        self.notice_ends_at = self.notice_starts_at + timedelta(days=self.notice_days)

    def finalize(self) -> None:
        if self.state == "notice" and not self.notice_over:
            raise Conflict("公示期未结束", {"notice_ends_at": "公示期未结束"}, code="wrong_state")
        self._move("notice", "final", "只有公示中的评选可以确定结果")
        self.finalized_at = utcnow()


class Nomination(Base):
    """An organization's nominee (a person of its own, or for an organization round the organization itself), the
    grounds, and a snapshot of the record taken when nominated (work records by kind, certificates).
    `nominee_key` ("u:<user id>" / "o:<organization id>") makes a second nomination of the same nominee fail."""

    __tablename__ = "selection_nominations"
    __table_args__ = (UniqueConstraint("round_id", "nominee_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    nominee_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    nominee_key: Mapped[str] = mapped_column(String(24))
    grounds: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reviewer(Base):
    """A member of a round's review panel, appointed by the round's hrss staff."""

    __tablename__ = "selection_reviewers"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Score(TimestampMixin, VersionMixin, Base):
    """One reviewer's score (0–100, two decimals) and comment on one nomination; a change is a new version."""

    __tablename__ = "selection_scores"
    __table_args__ = (UniqueConstraint("nomination_id", "reviewer_user_id"),
                      CheckConstraint("score >= 0 AND score <= 100", name="score_0_to_100"))

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("selection_nominations.id", ondelete="CASCADE"), index=True)
    reviewer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")


class Objection(Base):
    """An objection (异议) anyone submitted during the notice period, seen and handled by the round's hrss staff.
    An upheld objection against a shortlisted nomination takes it off the list of winners."""

    __tablename__ = "selection_objections"
    __table_args__ = (CheckConstraint(f"status IN ({_quoted(OBJECTION_STATUSES)})", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("selection_nominations.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX))
    status: Mapped[str] = mapped_column(String(10), default="open")
    reply: Mapped[str | None] = mapped_column(String(REPLY_MAX))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Award(Base):
    """A winner of a final round: the honor it recorded in the registry (person rounds) and the honor certificate's
    number, printed on the PDF and checked on the public verification page."""

    __tablename__ = "selection_awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("selection_nominations.id", ondelete="CASCADE"),
                                               unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    honor_id: Mapped[int | None] = mapped_column(ForeignKey("honors.id", ondelete="SET NULL"))
    granted_on: Mapped[date] = mapped_column(Date)
    mean_score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
