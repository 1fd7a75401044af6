"""When the 24-hour exam reminder goes out (not at 24 h + 1 min, at 24 h, once; a session created late still gets
one before it opens; a moved session is announced again), and what reaches a candidate's mailbox along an exam:
approval, reminder, published results — each with its kind, and only the kinds the candidate kept."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.core.mail import mail_folder, send_pending_emails
from lrc_training.core.models import Notification
from lrc_training.core.notifications import KINDS, set_email_kinds
from lrc_training.exams.jobs import send_exam_reminders
from lrc_training.exams.models import Application
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.grading import record_part_score
from lrc_training.exams.services.results import publish
from lrc_training.extensions import db
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


@pytest.fixture
def staff(app):
    org, staff = setup_org()
    make_bank(staff)
    return staff


def _approved(staff, session, username: str, address: str | None = None):
    person = make_user("trainee", username=username, name="孙丽")
    person.email = address
    decide(staff, apply(person, session.id, work_years=6), True)
    db.session.commit()
    return person


def _reminders(user_id: int) -> list[tuple[str, str]]:
    return db.session.execute(select(Notification.title, Notification.body).where(
        Notification.user_id == user_id, Notification.kind == "exam_reminder").order_by(Notification.id)).all()


def test_the_reminder_goes_exactly_when_the_window_is_24_hours_away(staff):
    session = make_session(staff, title="周五认定", opens_delta=30 * 60)  # opens in 30 hours
    person = _approved(staff, session, "zhou")
    start = session.opens_at
    assert send_exam_reminders(now=start - timedelta(hours=24, minutes=1)) == 0
    assert send_exam_reminders(now=start - timedelta(hours=24)) == 1
    assert send_exam_reminders(now=start - timedelta(hours=23, minutes=55)) == 0
    assert send_exam_reminders(now=start - timedelta(minutes=5)) == 0
    [(title, body)] = _reminders(person.id)
    assert title == "考试提醒：周五认定"
    # the candidate's local time (Asia/Shanghai), not UTC
    assert f"考试将于 {(start + timedelta(hours=8)):%Y-%m-%d %H:%M} 开始" in body


def test_a_session_created_less_than_a_day_ahead_is_reminded_before_it_opens_and_never_after(staff):
    session = make_session(staff, title="临时加考", opens_delta=2 * 60)  # opens in 2 hours
    early = _approved(staff, session, "early")
    assert send_exam_reminders() == 1
    assert len(_reminders(early.id)) == 1
    late = _approved(staff, session, "late")  # approved after the window opened
    assert send_exam_reminders(now=session.opens_at + timedelta(minutes=1)) == 0
    assert _reminders(late.id) == [] and len(_reminders(early.id)) == 1


def test_a_moved_session_is_announced_again_once_with_the_new_time(staff):
    session = make_session(staff, title="六月认定", opens_delta=20 * 60)
    person = _approved(staff, session, "moved")
    assert send_exam_reminders() == 1
    session.opens_at += timedelta(days=3)
    session.closes_at += timedelta(days=3)
    db.session.commit()
    assert send_exam_reminders() == 0  # the new start is three days away
    assert send_exam_reminders(now=session.opens_at - timedelta(hours=23)) == 1
    assert send_exam_reminders(now=session.opens_at - timedelta(hours=22)) == 0
    first, second = _reminders(person.id)
    assert first[0] == "考试提醒：六月认定" and second[0] == "考试提醒（时间已调整）：六月认定"
    assert f"{(session.opens_at + timedelta(hours=8)):%Y-%m-%d %H:%M}" in second[1]


def test_draft_sessions_and_undecided_or_rejected_candidates_get_no_reminder(staff):
    session = make_session(staff, opens_delta=20 * 60)
    pending = make_user("trainee", username="pending")
    apply(pending, session.id, work_years=6)
    refused = make_user("trainee", username="refused")
    decide(staff, apply(refused, session.id, work_years=6), False, "工作年限证明不全")
    draft = make_session(staff, title="草稿批次", opens_delta=20 * 60)
    _approved(staff, draft, "draftee")
    draft.state = "draft"
    db.session.commit()
    assert send_exam_reminders() == 0


def _mailbox() -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(mail_folder().glob("*.eml"))]


def test_a_candidate_receives_approval_reminder_and_results_by_email_in_the_kinds_they_kept(staff):
    for old in mail_folder().glob("*.eml"):
        old.unlink()
    session = make_session(staff, title="秋季认定", opens_delta=20 * 60, window=120)
    keeps_all = _approved(staff, session, "keeps", "keeps@example.com")
    no_reminders = _approved(staff, session, "noremind", "noremind@example.com")
    set_email_kinds(no_reminders.id, set(KINDS) - {"exam_reminder"})
    db.session.commit()
    assert send_exam_reminders() == 2
    assert send_pending_emails() == 3  # two approvals, one reminder (before the exam: later it is skipped)
    examiner = make_user("examiner", username="examiner", org=staff.organization)
    with time_machine.travel(session.closes_at + timedelta(minutes=1), tick=False):
        for application_id in db.session.execute(select(Application.id).where(
                Application.session_id == session.id)).scalars():
            record_part_score(examiner, session, application_id, 80)
        publish(staff, session)
        db.session.commit()
        assert send_pending_emails() == 2
    received = [(m["To"], m["Subject"].removeprefix("【劳动关系协调师平台】")) for m in _mailbox()]
    assert sorted(received) == sorted([
        ("keeps@example.com", "认定报名已通过：秋季认定"), ("noremind@example.com", "认定报名已通过：秋季认定"),
        ("keeps@example.com", "考试提醒：秋季认定"),
        ("keeps@example.com", "成绩已发布：秋季认定"), ("noremind@example.com", "成绩已发布：秋季认定")])
    kinds = db.session.execute(select(Notification.user_id, Notification.kind, Notification.email_status)
                               .order_by(Notification.id)).all()
    assert kinds == [(keeps_all.id, "exam_application", "sent"), (no_reminders.id, "exam_application", "sent"),
                     (keeps_all.id, "exam_reminder", "sent"), (no_reminders.id, "exam_reminder", "skipped"),
                     (keeps_all.id, "results", "sent"), (no_reminders.id, "results", "sent")]
    body = next(m for m in _mailbox() if "成绩已发布" in m["Subject"]).get_content()
    assert "http://127.0.0.1:5000/exams/mine" in body and "孙丽，您好" in body
