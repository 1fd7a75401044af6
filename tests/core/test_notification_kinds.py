"""Each trigger files its notification under the kind users choose on 通知设置 (so turning a kind off stops
exactly those emails), and the settings page is there for every role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lrc_training.auth.roles import ALL_ROLES
from lrc_training.core.mail import send_pending_emails
from lrc_training.core.models import Notification
from lrc_training.core.notifications import KINDS, notify
from lrc_training.courses.services.enrollment import (
    approve_enrollment,
    complete_enrollment,
    enroll_trainee,
    reject_enrollment,
    withdraw,
)
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user


def _notes(user_id: int) -> list[tuple[str, str]]:
    return db.session.execute(select(Notification.kind, Notification.title).where(
        Notification.user_id == user_id).order_by(Notification.id)).all()


def test_the_kinds_are_the_ones_in_the_issue_plus_general():
    assert set(KINDS) == {"enrollment", "exam_application", "exam_reminder", "results", "certificate",
                          "competition_registration", "judge_assignment", "appeal", "risk_report", "selection", "report",
                          "general"}
    assert all(label.strip() for label in KINDS.values())


def test_enrollment_decisions_promotion_and_completion_are_enrollment_notifications(app):
    _, teacher = make_school_and_teacher()
    approval = make_course(teacher, requires_approval=True, title="需审核课程")
    accepted, refused = make_user("trainee", username="accepted"), make_user("trainee", username="refused")
    approve_enrollment(teacher, enroll_trainee(accepted, approval.id))
    reject_enrollment(teacher, enroll_trainee(refused, approval.id), "名额已满")
    full = make_course(teacher, capacity=1, starts_on=date.today(), title="满员课程")
    leaving, waiting = make_user("trainee", username="leaving"), make_user("trainee", username="waiting")
    first = enroll_trainee(leaving, full.id)
    promoted = enroll_trainee(waiting, full.id)
    withdraw(leaving, first)
    complete_enrollment(teacher, promoted, hours_attended=40)
    db.session.commit()
    assert _notes(accepted.id) == [("enrollment", "报名已通过：《需审核课程》")]
    assert _notes(refused.id) == [("enrollment", "报名未通过：《需审核课程》")]
    assert _notes(waiting.id) == [("enrollment", "候补成功：《满员课程》"), ("enrollment", "已结业：《满员课程》")]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_finds_the_settings_page_in_the_account_menu(app, client, role):
    make_user(role, username=f"u_{role}")
    login(client, f"u_{role}")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'href="/notifications/settings"' in home
    assert client.get("/notifications/settings").status_code == 200


def test_the_settings_page_needs_a_login(client):
    response = client.get("/notifications/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_turning_every_kind_off_keeps_in_site_notifications_but_sends_no_email(app, client):
    user = make_user("trainee", username="quiet")
    user.email = "quiet@example.com"
    db.session.commit()
    login(client, "quiet")
    saved = post_form(client, "/notifications/settings", {}, follow_redirects=True)
    assert "通知设置已保存" in saved.get_data(as_text=True)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "quiet@example.com" in page and "checked" not in page
    notify(user.id, "成绩已发布：秋季认定", kind="results")
    db.session.commit()
    assert send_pending_emails() == 0
    assert _notes(user.id) == [("results", "成绩已发布：秋季认定")]
    assert "成绩已发布：秋季认定" in client.get("/notifications").get_data(as_text=True)


def test_the_settings_page_needs_its_csrf_token(app, client):
    make_user("trainee", username="typo")
    login(client, "typo")
    missing_token = client.post("/notifications/settings", data={"kinds": ["results"]})
    assert missing_token.status_code == 400
