"""Question bank (with revisions), exam sessions, applications, attempts, responses and grading."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Organization, User
from ..core.errors import Conflict
from ..db import Base, TimestampMixin, UTCDateTime, VersionMixin, utcnow

QUESTION_KINDS = {"single": "单选题", "multiple": "多选题", "true_false": "判断题", "essay": "简答题"}
OBJECTIVE_KINDS = ("single", "multiple", "true_false")
PARTS = {"theory": "理论知识考试", "practical": "操作技能考核", "review": "综合评审"}
# A question's limits, declared once (schemas/inputs.py, the bank's rules and its Excel import use them).
OPTION_KEYS = "ABCDEFGH"  # a choice question's options, as the bank stores them
STEM_MAX = 5000
OPTION_MAX = 1000
REFERENCE_MAX = 10000  # an essay's reference answer
NOTE_MAX = 5000  # explanation, rubric
# Every part a level certificate needs: a session without all of them (e.g. a theory-only competition
# preliminary) is allowed but issues no level certificates.
LEVEL_PARTS = {4: ("theory", "practical"), 3: ("theory", "practical"), 2: ("theory", "practical", "review"),
               1: ("theory", "practical", "review")}
SESSION_STATES = {"draft": "草稿", "open": "报名/考试中", "closed": "考试结束", "published": "成绩已发布"}
APPLICATION_STATES = {"pending": "待审核", "approved": "已通过", "rejected": "未通过"}


class Question(TimestampMixin, Base):
    """A question's identity and classification. Its wording, options, key and points live in revisions:
    editing adds a revision, so a paper that used an earlier one never changes under a candidate."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("kind IN ('single', 'multiple', 'true_false', 'essay')", name="kind_known"),
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty_1_to_5"),
        Index("ix_questions_pick", "organization_id", "level", "function_code", "kind", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)
    function_code: Mapped[str] = mapped_column(ForeignKey("work_areas.code"))
    difficulty: Mapped[int] = mapped_column(Integer, default=3)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_revisions.id", use_alter=True, name="fk_questions_current_revision"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    current: Mapped[QuestionRevision | None] = relationship(foreign_keys=[current_revision_id], post_update=True)

    @property
    def kind_label(self) -> str:
        return QUESTION_KINDS[self.kind]


class QuestionRevision(Base):
    __tablename__ = "question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[dict | None] = mapped_column(JSON)  # {"A": "...", "B": "..."} for single/multiple
    answer: Mapped[object] = mapped_column(JSON)  # "B" | ["A","C"] | true/false | reference text
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    explanation: Mapped[str | None] = mapped_column(Text)
    rubric: Mapped[str | None] = mapped_column(Text)  # essays: how to award points
    # A key correction (exams/key_correction.py): this revision is the one it corrects with the right answer; the
    # same stem and options, so the papers moved onto it still show exactly what the candidates saw.
    corrects_revision_id: Mapped[int | None] = mapped_column(ForeignKey("question_revisions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExamSession(TimestampMixin, VersionMixin, Base):
    """A certification batch (认定批次) for one level."""

    __tablename__ = "exam_sessions"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 4", name="level_1_to_4"),
        CheckConstraint("closes_at > opens_at", name="window_order"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("state IN ('draft', 'open', 'closed', 'published')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    parts: Mapped[list] = mapped_column(JSON)  # subset of PARTS, in order
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applications_close_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    practical_pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    review_pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("60"))
    blueprint: Mapped[list] = mapped_column(JSON)  # [{"function_code","kind","count","points_each","difficulty"?}]
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    examiners_per_paper: Mapped[int] = mapped_column(Integer, default=3)
    arbitration_share: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("0.20"))
    part_validity_years: Mapped[int] = mapped_column(Integer, default=2)
    allow_review: Mapped[bool] = mapped_column(Boolean, default=True)  # candidates may review answers
    chief_examiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(12), default="open")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    chief_examiner: Mapped[User | None] = relationship(foreign_keys=[chief_examiner_id])

    @property
    def state_label(self) -> str:
        """The state as people see it: an open session is 报名中 before its window, 考试中 during it, and
        考试结束，待发布 after it until results are published."""
        if self.state == "open":
            now = utcnow()
            if now < self.opens_at:
                return "报名中"
            if now < self.closes_at:
                return "考试中"
            return "考试结束，待发布"
        return SESSION_STATES[self.state]

    @property
    def total_points(self) -> Decimal:
        return sum((Decimal(str(r["points_each"])) * r["count"] for r in self.blueprint), Decimal("0"))

    @property
    def missing_parts(self) -> list[str]:
        """Parts of the level this session does not assess."""
        return [p for p in LEVEL_PARTS[self.level] if p not in (self.parts or [])]

    @property
    def issues_certificates(self) -> bool:
        return not self.missing_parts

    @property
    def certificate_notice(self) -> str | None:
        """Why this session cannot lead to level certificates, in the words shown on its pages."""
        if self.issues_certificates:
            return None
        missing = "、".join(PARTS[p] for p in self.missing_parts)
        return (f"本批次不含{missing}，不能颁发职业技能等级证书：等级证书须通过该等级的全部考核部分"
                f"（{'、'.join(PARTS[p] for p in LEVEL_PARTS[self.level])}）。本批次成绩可作为竞赛初赛等用途，"
                f"通过的部分 {self.part_validity_years} 年内有效。")

    def pass_mark_for(self, part: str) -> Decimal:
        return {"theory": self.pass_mark, "practical": self.practical_pass_mark, "review": self.review_pass_mark}[part]

    def ensure_not_published(self) -> None:
        if self.state == "published":
            raise Conflict("成绩已发布并冻结，不能再修改", {"session": "成绩已发布"}, code="frozen")

    def publish(self) -> None:
        self.ensure_not_published()
        self.state = "published"
        self.published_at = utcnow()


class Application(TimestampMixin, VersionMixin, Base):
    __tablename__ = "exam_applications"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="uq_exam_applications_session_user"),
        UniqueConstraint("session_id", "anonymous_code", name="uq_exam_applications_session_code"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    work_years: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("0"))  # full years when dated
    work_started_on: Mapped[date | None] = mapped_column(Date)  # work in the occupation since
    education: Mapped[str] = mapped_column(String(20), default="none")
    related_major: Mapped[bool] = mapped_column(Boolean, default=False)
    prior_certificate_number: Mapped[str | None] = mapped_column(String(40))
    prior_certificate_issued_on: Mapped[date | None] = mapped_column(Date)  # known for platform certificates
    prior_certificate_level: Mapped[int | None] = mapped_column(Integer)
    eligibility_note: Mapped[str | None] = mapped_column(Text)  # which rule admitted them
    override_reason: Mapped[str | None] = mapped_column(Text)  # staff admitted despite the rules
    decision_reason: Mapped[str | None] = mapped_column(Text)
    exempt_parts: Mapped[list] = mapped_column(JSON, default=list)  # passed within the validity period
    anonymous_code: Mapped[str | None] = mapped_column(String(12))
    room: Mapped[str | None] = mapped_column(String(50))
    seat: Mapped[str | None] = mapped_column(String(20))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the 24-hour exam reminder went out
    reminder_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the start time it announced

    session: Mapped[ExamSession] = relationship()
    user: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        return APPLICATION_STATES[self.status]


class Attempt(Base):
    """One candidate's theory exam: a paper fixed at start and a server-side deadline."""

    __tablename__ = "exam_attempts"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'submitted')", name="status_known"),
        Index("ix_exam_attempts_due", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exam_applications.id", ondelete="CASCADE"),
                                                unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by: Mapped[str | None] = mapped_column(String(10))  # candidate / platform
    objective_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    total_points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    # The exam page's last sign of life (its state poll); saves count too (exam_responses.saved_at).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # One active device: the token of the exam page opened last; an older page is told it was taken over.
    active_device: Mapped[str | None] = mapped_column(String(32))
    # The proctor paused the room: the clock stops (the deadline moves on by the pause when resumed).
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # cheating: the theory score is 0
    void_reason: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship()
    # The paper belongs to the application (drawn ahead of the window, see exams/services/preparation.py); the attempt
    # shows it from the moment the candidate starts.
    items: Mapped[list[PaperItem]] = relationship(
        primaryjoin="Attempt.application_id == foreign(PaperItem.application_id)", order_by="PaperItem.position",
        viewonly=True)


EVENT_KINDS = {"device": "新设备/地址", "focus_lost": "离开考试页面", "extended": "延时", "takeover": "设备接管",
               "paused": "暂停", "resumed": "恢复", "voided": "作废"}


class AttemptEvent(Base):
    """What the proctor's view shows besides answers: the devices an attempt was opened from, the times the
    candidate left the exam tab or window, and the proctor's actions (extensions)."""

    __tablename__ = "exam_attempt_events"
    __table_args__ = (CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVENT_KINDS)})", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExamPaper(Base):
    """A candidate's paper as shown (JSON text of the questions, options relabelled, no answer key), written when
    the paper is drawn, so that starting and resuming read one row instead of rebuilding it question by question.
    Derived from the paper items and their (never changing) revisions; the items stay what is graded."""

    __tablename__ = "exam_papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exam_applications.id", ondelete="CASCADE"), unique=True)
    questions: Mapped[str] = mapped_column(Text)
    total_points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PaperItem(Base):
    """One question of a candidate's own paper: drawn for the application before the window opens (or at the
    start when none was), shown only through the attempt once the candidate starts."""

    __tablename__ = "exam_paper_items"
    # By question: a question's history across sessions and the measured facilities used when drawing papers.
    __table_args__ = (UniqueConstraint("application_id", "question_id"), Index("ix_exam_paper_items_question_id",
                                                                               "question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exam_applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    kind: Mapped[str] = mapped_column(String(12))
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    option_order: Mapped[list | None] = mapped_column(JSON)  # original keys in the order shown as A, B, C ...

    revision: Mapped[QuestionRevision] = relationship()


class Response(Base):
    __tablename__ = "exam_responses"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    response: Mapped[object] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # objective: at submit; essay: after grading
    needs_arbitration: Mapped[bool] = mapped_column(Boolean, default=False)


class GradingTask(Base):
    """One examiner's grade of one essay answer; the examiner sees only the candidate's anonymous code."""

    __tablename__ = "exam_grading_tasks"
    __table_args__ = (UniqueConstraint("response_id", "examiner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("exam_responses.id", ondelete="CASCADE"), index=True)
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_arbitration: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    response: Mapped[Response] = relationship()


class PartScore(Base):
    """A candidate's practical (操作技能考核) or review (综合评审) score as recorded on site."""

    __tablename__ = "exam_part_scores"
    __table_args__ = (
        UniqueConstraint("application_id", "part"),
        CheckConstraint("part IN ('practical', 'review')", name="part_known"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exam_applications.id", ondelete="CASCADE"))
    part: Mapped[str] = mapped_column(String(10))
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PartResult(Base):
    """A published part result; a passed part stays valid for retakes (default 2 years)."""

    __tablename__ = "exam_part_results"
    __table_args__ = (UniqueConstraint("application_id", "part"), Index("ix_part_results_user", "user_id", "level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("exam_applications.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    level: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(10))
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    passed: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExamOutcomeMonth(Base):
    """Published exam outcomes counted per month and candidate organization, kept up to date when results are
    published or re-graded, so statistics never scan every exam result (see exams/services/outcomes.py)."""

    __tablename__ = "exam_outcome_months"
    __table_args__ = (UniqueConstraint("month", "organization_id", name="uq_exam_outcome_months_month_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of publication (UTC)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)


# The key corrections and room proctors live beside (a file of their own keeps this one readable).
from .review_models import KeyCorrection, RoomProctor  # noqa: E402, F401
