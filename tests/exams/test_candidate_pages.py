"""The candidate's pages: 我的认定, applying, the exam page with its autosave endpoint, handing in, the review."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.db import utcnow
from lrc_training.exams.models import Application, Attempt, ExamSession, PaperItem, QuestionRevision, Response
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.exams.services.bank import QuestionInput, create_question
from lrc_training.exams.services.grading import record_part_score
from lrc_training.exams.services.results import issue_session_certificates, publish
from lrc_training.extensions import db
from tests.conftest import csrf_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

EXPLANATION = "解析：劳动合同应当以书面形式订立"


@pytest.fixture
def world(client):
    org, staff = setup_org()
    make_bank(staff)
    for i in range(5):  # questions with an explanation: it must never show before publication
        create_question(staff, QuestionInput(kind="single", level=4, function_code="LC", stem=f"带解析的单选题{i}",
                                             options={"A": "甲", "B": "乙", "C": "丙"}, answer="A", points=1,
                                             explanation=EXPLANATION))
    db.session.commit()
    session = make_session(staff)
    candidate = make_user("trainee", username="cand", name="陈晓燕")
    return {"org": org, "staff": staff, "session": session, "candidate": candidate}


def approve(world, user=None, work_years=5) -> Application:
    application = apply(user or world["candidate"], world["session"].id, work_years=work_years)
    decide(world["staff"], application, True)
    db.session.commit()
    return application


def start(client, world) -> Attempt:
    page = client.get(f"/exams/sessions/{world['session'].id}/exam")
    assert page.status_code == 200 and "开始考试" in page.get_data(as_text=True)
    started = post_form(client, f"/exams/sessions/{world['session'].id}/exam", {})
    assert started.status_code == 302
    return db.session.execute(select(Attempt)).scalar_one()


def question_ids(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'<section class="card exam-question[^"]*" id="q-\d+" data-question-id="(\d+)"',
                                       html)]


def answer_key(attempt_id: int) -> dict[int, object]:
    keys = {}
    for item in db.session.execute(select(PaperItem).join(Attempt, Attempt.application_id == PaperItem.application_id).where(
            Attempt.id == attempt_id)).scalars():
        rev = db.session.get(QuestionRevision, item.revision_id)
        keys[item.question_id] = "ABCD"[item.option_order.index(rev.answer)] if item.kind == "single" else rev.answer
    return keys


def save(client, attempt_id, question_id, value, token):
    return client.put(f"/exams/attempts/{attempt_id}/responses/{question_id}", json={"response": value},
                      headers={"X-CSRFToken": token})


# -- 我的认定 and applying ---------------------------------------------------------------------------------------

def test_mine_lists_open_sessions_with_level_window_and_deadline(client, world):
    login(client, "cand")
    page = client.get("/exams/mine")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "我的认定" in html and "2026 年第一批四级认定" in html and "四级/中级工" in html
    assert f'href="/exams/sessions/{world["session"].id}/apply"' in html
    assert "您还没有报名任何认定批次" in html
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/exams/mine"' in dashboard


def test_apply_then_pending_with_the_rule_that_admitted(client, world):
    login(client, "cand")
    response = post_form(client, f"/exams/sessions/{world['session'].id}/apply",
                         {"work_years": "4.5", "education": "bachelor", "related_major": "no",
                          "prior_certificate_number": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/exams/mine")
    application = db.session.execute(select(Application)).scalar_one()
    assert application.status == "pending" and application.education == "bachelor"
    mine = client.get("/exams/mine").get_data(as_text=True)
    assert "待审核" in mine and "满 4 年" in mine and "已报名" in mine
    again = client.get(f"/exams/sessions/{world['session'].id}/apply")
    assert again.status_code == 302  # already applied: back to 我的认定 with a message


def test_ineligible_application_shows_the_reason_and_keeps_the_values(client, world):
    login(client, "cand")
    response = post_form(client, f"/exams/sessions/{world['session'].id}/apply",
                         {"work_years": "1.5", "education": "junior_college", "related_major": "no",
                          "prior_certificate_number": "s000037150001263000009"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "不符合报名条件" in html and "申报四级需从事本职业或相关职业工作满 4 年" in html
    assert 'value="1.5"' in html
    assert re.search(r'<option selected value="junior_college">|<option value="junior_college" selected>', html)
    assert 'value="s000037150001263000009"' in html
    assert db.session.execute(select(Application)).first() is None


def test_applying_needs_csrf_and_the_trainee_role(client, world):
    login(client, "cand")
    no_token = client.post(f"/exams/sessions/{world['session'].id}/apply", data={"work_years": "5"})
    assert no_token.status_code == 400
    make_user("org_staff", username="staff2", org=world["org"])
    other = client.application.test_client()
    login(other, "staff2")
    assert other.get(f"/exams/sessions/{world['session'].id}/apply").status_code == 403


def test_rejection_reason_exempt_parts_and_seat_are_shown(client, world):
    login(client, "cand")
    application = apply(world["candidate"], world["session"].id, work_years=6)
    decide(world["staff"], application, False, reason="材料不全，请补充工作证明")
    db.session.commit()
    assert "材料不全，请补充工作证明" in client.get("/exams/mine").get_data(as_text=True)

    second = make_user("trainee", username="cand2", name="李明")
    approve(world, second)
    assign_seats(world["staff"], world["session"], room_size=30)
    db.session.commit()
    other = client.application.test_client()
    login(other, "cand2")
    html = other.get("/exams/mine").get_data(as_text=True)
    assert "已通过" in html and "第01考场" in html and "01 号" in html and "进入理论考试" in html
    seated = db.session.execute(select(Application).where(Application.user_id == second.id)).scalar_one()
    ticket = other.get(f"/exams/applications/{seated.id}/ticket")
    assert ticket.status_code == 200 and "准考证" in ticket.get_data(as_text=True)
    assert client.get(ticket.request.path).status_code == 404  # not the other person's ticket


# -- the exam page -----------------------------------------------------------------------------------------------

def test_start_then_resume_shows_the_same_paper_without_answers(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    first = client.get(f"/exams/sessions/{world['session'].id}/exam")
    html = first.get_data(as_text=True)
    ids = question_ids(html)
    assert first.status_code == 200 and len(ids) == 10
    assert ids == [i.question_id for i in attempt.items]
    assert EXPLANATION not in html and "data-answer" not in html
    assert 'data-deadline="' in html and 'data-server-now="' in html and 'role="timer"' in html
    assert "<script>" not in html and 'style="' not in html  # CSP: scripts and styles come from files
    # A second start (another tab) and another browser resume the same attempt.
    again = post_form(client, f"/exams/sessions/{world['session'].id}/exam", {},
                      token_from=f"/exams/sessions/{world['session'].id}/exam")
    assert again.status_code == 302
    other_browser = client.application.test_client()
    login(other_browser, "cand")
    assert question_ids(other_browser.get(f"/exams/sessions/{world['session'].id}/exam").get_data(as_text=True)) == ids
    assert db.session.execute(select(Attempt)).scalars().all() == [attempt]


def test_autosave_saves_and_the_page_shows_saved_answers(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    items = {i.question_id: i.kind for i in attempt.items}
    single = next(q for q, k in items.items() if k == "single")
    tf = next(q for q, k in items.items() if k == "true_false")
    ok = save(client, attempt.id, single, "C", token)
    assert ok.status_code == 200 and ok.get_json()["question_id"] == single
    assert ok.get_json()["saved_at"].endswith("+08:00") and "server_now" in ok.get_json()
    assert save(client, attempt.id, tf, False, token).status_code == 200
    html = client.get(f"/exams/sessions/{world['session'].id}/exam").get_data(as_text=True)
    assert re.search(rf'id="q-{single}-C" value="C" checked', html)
    assert re.search(rf'id="q-{tf}-false" value="false" checked', html)
    assert 'id="exam-answered">2<' in html
    bad = save(client, attempt.id, single, "Z", token)
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid"
    assert client.put(f"/exams/attempts/{attempt.id}/responses/{single}", data="nope",
                      headers={"X-CSRFToken": token}).status_code == 400


def test_autosave_requires_the_csrf_token(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    question = attempt.items[0].question_id
    response = client.put(f"/exams/attempts/{attempt.id}/responses/{question}", json={"response": "A"})
    assert response.status_code == 400
    wrong = client.put(f"/exams/attempts/{attempt.id}/responses/{question}", json={"response": "A"},
                       headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert db.session.execute(select(Response)).first() is None


def test_autosave_404_for_a_question_not_on_the_paper_and_for_another_persons_attempt(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    on_paper = {i.question_id for i in attempt.items}
    elsewhere = db.session.execute(select(QuestionRevision.question_id).where(
        QuestionRevision.question_id.not_in(on_paper))).scalars().first()
    missing = save(client, attempt.id, elsewhere, "A", token)
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"

    make_user("trainee", username="nosy")
    nosy = client.application.test_client()
    login(nosy, "nosy")
    nosy_token = csrf_token(nosy, "/exams/mine")
    first = attempt.items[0].question_id
    assert save(nosy, attempt.id, first, "A", nosy_token).status_code == 404
    assert nosy.get(f"/exams/attempts/{attempt.id}/state").status_code == 404
    assert post_form(nosy, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine").status_code == 404
    assert db.session.execute(select(Response)).first() is None


def test_autosave_after_the_deadline_is_409_and_the_platform_hands_in(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    keys = answer_key(attempt.id)
    first = attempt.items[0].question_id
    assert save(client, attempt.id, first, keys[first], token).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=91), tick=False):
        late = save(client, attempt.id, attempt.items[1].question_id, "A", token)
        assert late.status_code == 409 and late.get_json()["error"] == "deadline_passed"
        assert "考试时间已到" in late.get_json()["message"]
        db.session.refresh(attempt)
        assert attempt.status == "submitted" and attempt.submitted_by == "platform"
        state = client.get(f"/exams/attempts/{attempt.id}/state").get_json()
        assert state["status"] == "submitted" and state["submitted_by"] == "platform"
        assert state["remaining_seconds"] == 0
        page = client.get(f"/exams/sessions/{world['session'].id}/exam").get_data(as_text=True)
        assert "平台已于" in page and "自动交卷" in page


def test_state_reports_the_server_clock_and_remaining_time(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    state = client.get(f"/exams/attempts/{attempt.id}/state").get_json()
    assert state["status"] == "in_progress" and 89 * 60 < state["remaining_seconds"] <= 90 * 60
    assert state["deadline"].endswith("+08:00") and state["server_now"].endswith("+08:00")


def test_submit_shows_the_objective_score_when_review_is_allowed(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    keys = answer_key(attempt.id)
    for question_id, value in list(keys.items())[:4]:
        assert save(client, attempt.id, question_id, value, token).status_code == 200
    done = post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine",
                     follow_redirects=True)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "已交卷" in html and "客观题得分" in html and "<strong>40</strong> / 100" in html
    db.session.refresh(attempt)
    assert attempt.submitted_by == "candidate" and attempt.objective_score == 40
    twice = post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine",
                      follow_redirects=True)
    assert "答卷已提交" in twice.get_data(as_text=True)
    assert save(client, attempt.id, attempt.items[0].question_id, "A", token).status_code == 409
    assert "理论考试已交卷" in client.get("/exams/mine").get_data(as_text=True)


def test_submit_without_review_shows_no_score(client, world):
    world["session"].allow_review = False
    db.session.commit()
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    done = post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine",
                     follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "已交卷" in html and "客观题得分" not in html


def test_submit_needs_csrf(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    assert client.post(f"/exams/attempts/{attempt.id}/submit").status_code == 400
    db.session.refresh(attempt)
    assert attempt.status == "in_progress"


def test_start_outside_the_window_or_without_approval(client, world):
    login(client, "cand")
    assert client.get(f"/exams/sessions/{world['session'].id}/exam").status_code == 404  # not applied
    apply(world["candidate"], world["session"].id, work_years=5)
    db.session.commit()
    assert client.get(f"/exams/sessions/{world['session'].id}/exam").status_code == 404  # pending
    application = db.session.execute(select(Application)).scalar_one()
    decide(world["staff"], application, True)
    db.session.commit()
    with time_machine.travel(world["session"].closes_at + timedelta(minutes=1), tick=False):
        page = client.get(f"/exams/sessions/{world['session'].id}/exam").get_data(as_text=True)
        assert "考试已结束" in page and "开始考试</button>" not in page
        refused = post_form(client, f"/exams/sessions/{world['session'].id}/exam", {})
        assert refused.status_code == 422 and "考试已结束" in refused.get_data(as_text=True)
    assert db.session.execute(select(Attempt)).first() is None


# -- after publication ---------------------------------------------------------------------------------------------

def finish_and_publish(client, world, attempt, practical=75):
    post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine")
    examiner = make_user("examiner", username="exam1", org=world["org"])
    record_part_score(examiner, db.session.get(ExamSession, world["session"].id), attempt.application_id, practical)
    db.session.commit()
    with time_machine.travel(world["session"].closes_at + timedelta(minutes=1), tick=False):
        publish(world["staff"], db.session.get(ExamSession, world["session"].id))
        db.session.commit()


def test_review_only_after_publication_and_only_ones_own(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    keys = answer_key(attempt.id)
    wrong = attempt.items[0]
    for question_id, value in keys.items():
        if question_id == wrong.question_id:
            value = next(k for k in "ABC" if k != value)
        save(client, attempt.id, question_id, value, token)
    assert client.get(f"/exams/attempts/{attempt.id}/review").status_code == 404  # still writing
    post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine")
    assert client.get(f"/exams/attempts/{attempt.id}/review").status_code == 404  # not yet published
    finish_and_publish(client, world, attempt)

    review = client.get(f"/exams/attempts/{attempt.id}/review")
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert html.count("✓ 正确") == 9 and html.count("✗ 错误") == 1
    if any(db.session.get(QuestionRevision, i.revision_id).explanation for i in attempt.items):
        assert EXPLANATION in html

    make_user("trainee", username="nosy")
    nosy = client.application.test_client()
    login(nosy, "nosy")
    assert nosy.get(f"/exams/attempts/{attempt.id}/review").status_code == 404


def test_review_is_404_when_the_session_does_not_allow_it(client, world):
    world["session"].allow_review = False
    db.session.commit()
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    finish_and_publish(client, world, attempt)
    assert client.get(f"/exams/attempts/{attempt.id}/review").status_code == 404
    assert "查看答卷与解析" not in client.get("/exams/mine").get_data(as_text=True)


def test_mine_shows_part_scores_pass_fail_and_the_certificate(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    for question_id, value in answer_key(attempt.id).items():
        save(client, attempt.id, question_id, value, token)
    finish_and_publish(client, world, attempt, practical=55)
    html = client.get("/exams/mine").get_data(as_text=True)
    assert "成绩（已发布）" in html and "理论知识考试" in html and "操作技能考核" in html
    assert ">100<" in html and ">55<" in html and "不合格" in html and "未通过" in html
    assert "查看答卷与解析" in html and "查看证书" not in html


def test_mine_links_the_certificate_of_a_passed_session(client, world):
    approve(world)
    login(client, "cand")
    attempt = start(client, world)
    token = csrf_token(client, "/exams/mine")
    for question_id, value in answer_key(attempt.id).items():
        save(client, attempt.id, question_id, value, token)
    finish_and_publish(client, world, attempt, practical=80)
    assert "证书正在制作" in client.get("/exams/mine").get_data(as_text=True)
    certificates = issue_session_certificates(world["staff"], world["session"].id)
    db.session.commit()
    html = client.get("/exams/mine").get_data(as_text=True)
    assert "通过本级认定" in html
    assert f'href="/certificates/{certificates[0].number}"' in html
    assert client.get(f"/certificates/{certificates[0].number}").status_code == 200


def test_essay_questions_are_written_saved_and_left_to_the_examiners(client, world):
    make_bank(world["staff"], level=2, singles=4, true_false=0, essays=2)
    session = make_session(world["staff"], level=2, title="2026 年二级认定", blueprint=[
        {"function_code": "LC", "kind": "single", "count": 3, "points_each": 10},
        {"function_code": "LC", "kind": "essay", "count": 2, "points_each": 35}])
    db.session.add(Application(session_id=session.id, user_id=world["candidate"].id, status="approved",
                               anonymous_code="K000001", eligibility_note="破格"))
    db.session.commit()
    login(client, "cand")
    post_form(client, f"/exams/sessions/{session.id}/exam", {})
    attempt = db.session.execute(select(Attempt)).scalar_one()
    html = client.get(f"/exams/sessions/{session.id}/exam").get_data(as_text=True)
    assert html.count('class="form-control exam-essay"') == 2
    essay = next(i.question_id for i in attempt.items if i.kind == "essay")
    token = csrf_token(client, "/exams/mine")
    text = "应当依法订立书面劳动合同。\n<b>不是标签</b>"
    assert save(client, attempt.id, essay, text, token).status_code == 200
    assert save(client, attempt.id, essay, "长" * 10001, token).status_code == 422
    html = client.get(f"/exams/sessions/{session.id}/exam").get_data(as_text=True)
    assert "应当依法订立书面劳动合同。\n&lt;b&gt;不是标签&lt;/b&gt;</textarea>" in html
    done = post_form(client, f"/exams/attempts/{attempt.id}/submit", {}, token_from="/exams/mine",
                     follow_redirects=True).get_data(as_text=True)
    assert "客观题得分" in done and "/ 30 分" in done and "简答题由考评员匿名评分" in done
