"""Rows the bank's owners and the exam-day staff keep beside the exam itself: corrections of an answer key (with
what the re-grade changed) and the proctor assigned to each room of a session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class KeyCorrection(Base):
    """A question's answer key was wrong in one session: the corrected key, why, and each candidate's theory score
    before and after the re-grade (`changes`). When results were already published and someone who held a
    certificate no longer passes, the certificate is flagged for staff review (`reviews_open`) — never revoked by
    the correction itself."""

    __tablename__ = "exam_key_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    old_revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    new_revision_id: Mapped[int] = mapped_column(ForeignKey("question_revisions.id"))
    old_answer: Mapped[object] = mapped_column(JSON)
    new_answer: Mapped[object] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    after_publication: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"application_id","code","old","new","passed_before","passed_after","certificate"}] for every re-graded paper
    changes: Mapped[list] = mapped_column(JSON, default=list)
    reviews_open: Mapped[int] = mapped_column(Integer, default=0)  # certificates waiting for a staff decision
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def changed_count(self) -> int:
        """Candidates whose theory score the correction changed."""
        return sum(1 for change in self.changes or [] if change.get("old") != change.get("new"))


class RoomProctor(Base):
    """The person watching one room of a session (监考员). Only they see the names of that room's candidates on the
    monitor; everyone else sees anonymous codes and seats."""

    __tablename__ = "exam_room_proctors"
    __table_args__ = (UniqueConstraint("session_id", "room", name="uq_exam_room_proctors_session_room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"))
    room: Mapped[str] = mapped_column(String(50))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
