"""The 24-hour exam reminder: once per approved candidate, only for sessions opening within the next 24 hours,
never for pending or rejected applications; and the kinds the exam triggers use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lrc_training.core.models import Notification
from lrc_training.db import utcnow
from lrc_training.exams.jobs import send_exam_reminders
from lrc_training.exams.models import Application
from lrc_training.exams.services.applications import apply, decide
from lrc_training.extensions import db
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


def _reminders():
    return db.session.execute(select(Notification.user_id, Notification.title).where(
        Notification.kind == "exam_reminder")).all()


def test_reminders_go_once_to_approved_candidates_of_sessions_opening_within_a_day(app):
    _, staff = setup_org()
    make_bank(staff)
    tomorrow = make_session(staff, title="明天开考", opens_delta=20 * 60)  # opens in 20 hours
    next_week = make_session(staff, title="下周开考", opens_delta=7 * 24 * 60)
    approved, pending, later = (make_user("trainee", username=u) for u in ("amy", "ben", "cai"))
    for person, session in ((approved, tomorrow), (pending, tomorrow), (later, next_week)):
        apply(person, session.id, work_years=6)
    applications = {a.user_id: a for a in db.session.execute(select(Application)).scalars()}
    decide(staff, applications[approved.id], True)
    decide(staff, applications[later.id], True)
    db.session.commit()
    assert send_exam_reminders() == 1
    assert _reminders() == [(approved.id, "考试提醒：明天开考")]
    assert send_exam_reminders() == 0  # idempotent
    # a week later the other session is within 24 hours
    assert send_exam_reminders(now=utcnow() + timedelta(days=6, hours=12)) == 1
    assert sorted(user_id for user_id, _ in _reminders()) == sorted([approved.id, later.id])
    # once a session has opened there is nothing to remind
    assert send_exam_reminders(now=utcnow() + timedelta(days=8)) == 0


def test_exam_triggers_use_their_kinds(app):
    _, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    person = make_user("trainee", username="dan")
    application = apply(person, session.id, work_years=6)
    decide(staff, application, True)
    db.session.commit()
    kinds = db.session.execute(select(Notification.kind).where(Notification.user_id == person.id)).scalars().all()
    assert kinds == ["exam_application"]
