"""课时 and the teaching plan: a session's 课时 fit its times, the sessions fit the course, the completion
requirement is a number people say, and a course whose sessions are all over takes no more enrollments."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from lrc_training.core.errors import Conflict, ValidationFailed
from lrc_training.courses.queries import catalog
from lrc_training.courses.schemas import CourseQuery as CatalogFilter
from lrc_training.courses.schemas import SessionIn as SessionInput
from lrc_training.courses.services.courses import change_status
from lrc_training.courses.services.enrollment import enroll_trainee
from lrc_training.courses.services.hours import max_session_hours, required_hours, round_up_to_half
from lrc_training.courses.services.teaching import add_session
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.factories import make_user


@pytest.fixture
def teacher():
    return make_school_and_teacher()[1]


def session(course, day: int = 0, start=time(9), end=time(12), hours="3", topic="劳动合同的订立"):
    return SessionInput(held_on=course.starts_on + timedelta(days=day), starts_at=start, ends_at=end,
                        topic=topic, hours=hours)


def test_a_session_may_not_claim_more_lessons_than_its_times_hold(teacher):
    course = make_course(teacher, publish=False, hours=40)
    with pytest.raises(ValidationFailed) as info:
        add_session(teacher, course, session(course, hours="8"))
    assert info.value.fields["hours"] == "09:00–12:00 最多计 4 课时（每课时 45 分钟）"
    assert add_session(teacher, course, session(course, hours="4")).hours == Decimal("4.0")
    assert max_session_hours(time(14), time(15, 30)) == Decimal("2.0")
    assert max_session_hours(time(14), time(15)) == Decimal("1.0")  # 60 minutes: one whole 45-minute lesson


def test_the_lesson_length_is_a_setting(app, teacher):
    course = make_course(teacher, publish=False, hours=40)
    app.config["LRC_LESSON_MINUTES"] = 60
    try:
        with pytest.raises(ValidationFailed, match="最多计 3 课时（每课时 60 分钟）"):
            add_session(teacher, course, session(course, hours="4"))
    finally:
        app.config["LRC_LESSON_MINUTES"] = 45


def test_sessions_over_the_course_hours_block_publishing_and_show_the_plan(teacher):
    course = make_course(teacher, publish=False, hours=8)
    for day, hours in ((0, "4"), (1, "4"), (2, "3")):
        add_session(teacher, course, session(course, day, hours=hours))
    with pytest.raises(ValidationFailed) as info:
        change_status(teacher, course, "publish")
    assert info.value.code == "sessions_exceed_hours"
    message = info.value.message
    assert "课次合计 11 课时，超过课程总课时 8 课时（多 3 课时）" in message
    assert f"{course.starts_on} 09:00–12:00 4 课时" in message
    assert course.status == "draft"


def test_a_published_course_takes_no_session_beyond_its_hours(teacher):
    course = make_course(teacher, hours=8)
    add_session(teacher, course, session(course, 0, hours="4"))
    add_session(teacher, course, session(course, 1, hours="3"))
    with pytest.raises(ValidationFailed) as info:
        add_session(teacher, course, session(course, 2, hours="2"))
    assert info.value.fields["hours"] == "尚可安排 1 课时"
    add_session(teacher, course, session(course, 2, hours="1"))


def test_completion_requirement_is_rounded_up_to_half_lessons(teacher):
    assert round_up_to_half(Decimal("9.6")) == Decimal("10.0")
    assert round_up_to_half(Decimal("9.2")) == Decimal("9.5")
    assert round_up_to_half(Decimal("8")) == Decimal("8.0")
    course = make_course(teacher, hours=12)  # 80% of 12 = 9.6
    assert required_hours(course) == Decimal("10.0")


def test_trainees_read_the_rounded_requirement(client, teacher):
    course = make_course(teacher, hours=12)
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "结业需出勤 10 课时，即总课时的 80%，按半课时向上取整" in page
    assert "9.6" not in page


def test_enrollment_closes_itself_when_every_session_has_passed(client, teacher):
    today = date.today()
    course = make_course(teacher, starts_on=today - timedelta(days=10), hours=12)  # ends in 20 days
    add_session(teacher, course, session(course, 0))
    add_session(teacher, course, session(course, 5))  # 5 days ago: the last one
    db.session.commit()
    assert course.status == "published" and not course.enrollment_open()
    trainee = make_user("trainee", name="陈晓燕")
    with pytest.raises(ValidationFailed) as info:
        enroll_trainee(trainee, course.id)
    assert info.value.code == "enrollment_closed"
    db.session.rollback()
    open_ids = [c.id for c, _ in db.session.execute(catalog(CatalogFilter(open_seats=True))).all()]
    assert course.id not in open_ids

    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "报名已截止" in page and "登录后报名" not in page
    listed = client.get("/courses/").get_data(as_text=True)
    assert "报名已截止" in listed and "余 2 / 2 名额" not in listed
    login(client, teacher.username)
    manage = client.get(f"/courses/{course.id}/manage").get_data(as_text=True)
    assert "所有课次已结束" in manage and "课程已自动停止报名" in manage

    change_status(teacher, course, "close")
    with pytest.raises(Conflict, match="请先添加新的课次"):
        change_status(teacher, course, "reopen")
    # A new session in the future opens the way again.
    add_session(teacher, course, SessionInput(held_on=today + timedelta(days=3), starts_at=time(9),
                                              ends_at=time(12), topic="复习", hours="3"))
    change_status(teacher, course, "reopen")
    assert course.enrollment_open()
    assert course.id in [c.id for c, _ in db.session.execute(catalog(CatalogFilter(open_seats=True))).all()]


def test_a_course_with_a_session_still_to_come_stays_open(teacher):
    course = make_course(teacher, starts_on=date.today() - timedelta(days=2), hours=12)
    add_session(teacher, course, session(course, 0))
    add_session(teacher, course, session(course, 4))  # in two days
    assert course.enrollment_open()
    assert enroll_trainee(make_user("trainee"), course.id).status == "enrolled"


def test_refused_session_form_keeps_what_was_typed(client, teacher):
    course = make_course(teacher, publish=False, hours=8)
    login(client, teacher.username)
    response = post_form(client, f"/courses/{course.id}/sessions", {
        "session-held_on": course.starts_on.isoformat(), "session-starts_at": "09:00", "session-ends_at": "12:00",
        "session-topic": "集体协商的程序", "session-hours": "8", "session-room": "301"},
        token_from=f"/courses/{course.id}/manage")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "09:00–12:00 最多计 4 课时（每课时 45 分钟）" in page
    assert 'value="集体协商的程序"' in page
    assert not course.sessions


def test_manage_page_shows_the_plan_totals(client, teacher):
    course = make_course(teacher, publish=False, hours=8)
    for day, hours in ((0, "4"), (1, "4"), (2, "3")):
        add_session(teacher, course, session(course, day, hours=hours))
    db.session.commit()
    login(client, teacher.username)
    page = client.get(f"/courses/{course.id}/manage").get_data(as_text=True)
    assert "课次合计 11 课时，超过课程总课时 8 课时" in page and "课程不能发布" in page
    response = post_form(client, f"/courses/{course.id}/status/publish", {},
                         token_from=f"/courses/{course.id}/manage", follow_redirects=True)
    assert "不能发布：课次合计 11 课时" in response.get_data(as_text=True)
