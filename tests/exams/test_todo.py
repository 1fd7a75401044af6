"""The home page's certification to-dos: the candidate's exam (with 进入考试), their pending application, the
examiner's grading per session, the evaluation organization's applications and results — never someone else's."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from lrc_training.db import utcnow
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import start_attempt, submit
from lrc_training.extensions import db
from tests.conftest import login
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.exams.test_staff_pages import _essay_world
from tests.factories import make_org, make_user
from tests.home import todo_section as home


def approved(session, staff, user):
    application = apply(user, session.id, work_years=5)
    decide(staff, application, True)
    db.session.commit()
    return application


def test_an_open_exam_is_the_first_to_do_with_its_button(client):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="2026 年第一批四级认定")
    candidate = make_user("trainee", username="cand")
    approved(session, staff, candidate)
    make_user("trainee", username="other")
    login(client, "cand")
    html = home(client)
    assert "理论考试已开始" in html and "2026 年第一批四级认定" in html
    assert f'href="/exams/sessions/{session.id}/exam"' in html and ">进入考试</a>" in html
    assert "入场截止" in html and "紧急" in html
    other = client.application.test_client()
    login(other, "other")
    assert home(other) == ""


def test_an_exam_starting_tomorrow_morning_and_a_handed_in_one(client):
    org, staff = setup_org()
    make_bank(staff)
    soon = make_session(staff, title="明早开考", opens_delta=12 * 60)
    later = make_session(staff, title="下月开考", opens_delta=30 * 24 * 60)
    done = make_session(staff, title="已交卷")
    candidate = make_user("trainee", username="cand")
    for session in (soon, later, done):
        approved(session, staff, candidate)
    attempt = start_attempt(candidate, done.id)
    submit(attempt)
    db.session.commit()
    login(client, "cand")
    html = home(client)
    assert "理论考试即将开始" in html and "明早开考" in html and "开考：" in html
    assert "下月开考" not in html and "已交卷" not in html


def test_a_pending_application_waits_and_staff_see_it_to_review(client):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="待审核批次", opens_delta=3 * 24 * 60)
    candidate = make_user("trainee", username="cand")
    apply(candidate, session.id, work_years=5)
    outsider_org = make_org("另一评价机构")
    make_user("org_staff", username="outsider", org=outsider_org)
    db.session.commit()
    login(client, "cand")
    assert "认定报名待审核" in home(client)
    staff_client = client.application.test_client()
    login(staff_client, "staff")
    html = home(staff_client)
    assert "审核认定报名" in html and "待审核批次 · 1 人待审核" in html
    assert f'href="/exams/sessions/{session.id}"' in html
    outsider = client.application.test_client()
    login(outsider, "outsider")
    assert "待审核批次" not in home(outsider)


def test_results_to_publish_once_the_window_has_ended(client):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff, title="已结束批次", window=100)
    login(client, "staff")
    assert "发布认定成绩" not in home(client)
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        html = home(client)
    assert "发布认定成绩" in html and "已结束批次 · 考试已结束，成绩待发布" in html
    assert f'href="/exams/sessions/{session.id}"' in html


def test_grading_counts_answers_per_session_for_the_organizations_examiners_only(client):
    org, staff, session, application, examiners = _essay_world()
    make_user("examiner", username="elsewhere", org=make_org("另一评价机构"))
    examiners[0].username = "grader"
    db.session.commit()
    login(client, "grader")
    html = home(client)
    assert "阅卷评分" in html and "二级认定 · 待评 2 份答卷" in html and 'href="/exams/grading"' in html
    client.get("/exams/grading")  # claims the two answers: still two to grade
    assert "二级认定 · 待评 2 份答卷" in home(client)
    elsewhere = client.application.test_client()
    login(elsewhere, "elsewhere")
    assert "二级认定" not in home(elsewhere)


def test_the_candidates_home_costs_the_same_queries_for_one_exam_or_four(client, count_queries):
    org, staff = setup_org()
    make_bank(staff)
    candidate = make_user("trainee", username="cand")
    approved(make_session(staff, title="批次0"), staff, candidate)
    login(client, "cand")
    home(client)
    with count_queries() as one:
        assert home(client).count("进入考试</a>") == 1
    for i in range(1, 4):
        approved(make_session(staff, title=f"批次{i}"), staff, candidate)
        apply(candidate, make_session(staff, title=f"待审{i}", opens_delta=5000).id, work_years=5)
    db.session.commit()
    with count_queries() as four:
        assert home(client).count("进入考试</a>") == 4
    assert four.count == one.count
