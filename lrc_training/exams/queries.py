"""Reads of the exams area that other areas use (through create_app's wiring, never by importing our models)."""

from __future__ import annotations

from sqlalchemy import Select, select

from .models import Application, ExamSession


def candidate_user_ids(organization_id: int) -> Select:
    """The people who applied (pending or admitted) to a session the organization runs: its staff check their ID
    photos and print them on admission tickets and sign-in sheets."""
    return (select(Application.user_id).join(ExamSession, ExamSession.id == Application.session_id)
            .where(ExamSession.organization_id == organization_id, Application.status != "rejected"))
