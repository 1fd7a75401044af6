"""Marking a question's key wrong: the session is re-graded with the right key, old papers keep the text they showed,
a published session gets an audited correction that tells each affected candidate, and a certificate whose holder
no longer passes is flagged for staff review instead of being revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.certificates.models import Certificate
from lrc_training.core.errors import Conflict, NotFound, ValidationFailed
from lrc_training.core.models import AuditLog, Notification
from lrc_training.exams.models import (
    ExamPaper,
    ExamSession,
    KeyCorrection,
    PaperItem,
    PartResult,
    Question,
    QuestionRevision,
)
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.autosave import DISPLAY_KEYS
from lrc_training.exams.services.grading import record_part_score
from lrc_training.exams.services.key_correction import KeyInput, close_review, correct_key
from lrc_training.exams.services.results import compute_results, issue_session_certificates, publish
from lrc_training.extensions import db
from tests.conftest import login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_org, make_user

BLUEPRINT = [{"function_code": "LC", "kind": "single", "count": 2, "points_each": 50}]


def _letter(attempt, question_id: int, bank_key: str) -> str:
    item = next(i for i in attempt.items if i.question_id == question_id)
    return DISPLAY_KEYS[item.option_order.index(bank_key)]


@pytest.fixture
def sat(client):
    """Two singles (bank key B for both); the second one's key is wrong — the right answer is C. 甲 answered B
    to both (100 under the wrong key, 50 under the right one), 乙 answered B then C (50, then 100)."""
    org, staff = setup_org()
    examiner = make_user("examiner", username="exam1", org=org)
    make_bank(staff, singles=2, true_false=0)
    session = make_session(staff, blueprint=BLUEPRINT)
    first, wrong = db.session.execute(select(Question.id).order_by(Question.id)).scalars().all()
    people = {}
    for username, name, second_answer in (("jia", "考生甲", "B"), ("yi", "考生乙", "C")):
        person = make_user("trainee", username=username, name=name)
        application = apply(person, session.id, work_years=6)
        decide(staff, application, True)
        db.session.commit()
        attempt = start_attempt(person, session.id)
        save_response(attempt, first, _letter(attempt, first, "B"))
        save_response(attempt, wrong, _letter(attempt, wrong, second_answer))
        submit(attempt)
        record_part_score(examiner, session, application.id, 80, "practical")
        db.session.commit()
        people[username] = (person, application, attempt)
    return {"session": session, "staff": staff, "question": wrong, "people": people}


def _after_window(session):
    return time_machine.travel(session.closes_at + timedelta(minutes=5), tick=False)


def _theory(session) -> dict[str, float]:
    return {r.name: float(r.scores["theory"]) for r in compute_results(db.session.get(ExamSession, session.id))}


def _revision_id(question_id: int) -> int:
    return db.session.get(Question, question_id).current_revision_id


def test_correcting_before_publication_regrades_and_keeps_what_the_papers_showed(sat):
    session, staff, question_id = sat["session"], sat["staff"], sat["question"]
    assert _theory(session) == {"考生甲": 100.0, "考生乙": 50.0}
    old_revision = _revision_id(question_id)
    paper_before = db.session.execute(select(ExamPaper.questions)).scalars().all()
    with _after_window(session):
        correction = correct_key(staff, session.id, question_id, KeyInput(old_revision, "C", "标准答案录入错误"))
        db.session.commit()
    assert _theory(session) == {"考生甲": 50.0, "考生乙": 100.0}
    assert correction.changed_count == 2 and not correction.after_publication and correction.reviews_open == 0
    # The papers as shown are the same text; the items now point at a revision with the same stem and options.
    assert db.session.execute(select(ExamPaper.questions)).scalars().all() == paper_before
    old, new = db.session.get(QuestionRevision, old_revision), db.session.get(QuestionRevision, correction.new_revision_id)
    assert old.answer == "B" and new.answer == "C" and new.corrects_revision_id == old.id
    assert (new.stem, new.options, new.points) == (old.stem, old.options, old.points)
    assert set(db.session.execute(select(PaperItem.revision_id).where(
        PaperItem.question_id == question_id)).scalars()) == {new.id}
    assert db.session.get(Question, question_id).current_revision_id == new.id  # later sessions draw the right key
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "question.key_correct")).scalar_one()
    assert audit.reason == "标准答案录入错误" and {s["new"] for s in audit.new["scores"]} == {"50.00", "100.00"}
    # Nothing is published, so nobody is told yet.
    assert not db.session.execute(select(Notification).where(Notification.title.like("成绩更正%"))).first()


def test_a_published_correction_is_audited_per_candidate_tells_them_and_flags_the_certificate(sat):
    session, staff, question_id = sat["session"], sat["staff"], sat["question"]
    jia, _, _ = sat["people"]["jia"]
    yi, yi_application, _ = sat["people"]["yi"]
    with _after_window(session):
        publish(staff, db.session.get(ExamSession, session.id))
        db.session.commit()
        issued = issue_session_certificates(staff, session.id)  # 甲 passed (theory 100, practical 80)
        db.session.commit()
        assert [c.holder_user_id for c in issued] == [jia.id]
        correction = correct_key(staff, session.id, question_id, KeyInput(_revision_id(question_id), "C", "答案有误"))
        db.session.commit()
    results = {r.user_id: r for r in db.session.execute(select(PartResult).where(PartResult.part == "theory")).scalars()}
    assert (results[jia.id].score, results[jia.id].passed) == (50, False)
    assert (results[yi.id].score, results[yi.id].passed) == (100, True) and results[yi.id].valid_until is not None
    audits = {a.object_id: a for a in db.session.execute(select(AuditLog).where(
        AuditLog.action == "theory_score.key_correction")).scalars()}
    assert audits[str(yi_application.id)].old["score"] == "50.00" and audits[str(yi_application.id)].new["score"] == "100.00"
    for person, text in ((jia, "调整为 50.00"), (yi, "调整为 100.00")):
        note = db.session.execute(select(Notification).where(Notification.user_id == person.id,
                                                             Notification.title.like("成绩更正%"))).scalar_one()
        assert text in note.body
    # 甲's certificate stays valid and is flagged; the staff are told which one.
    certificate = db.session.execute(select(Certificate)).scalar_one()
    assert certificate.status == "valid"
    assert correction.reviews_open == 1 and correction.after_publication
    flagged = [c for c in correction.changes if c["certificate"]]
    assert [c["certificate"] for c in flagged] == [certificate.number] and flagged[0]["passed_after"] is False
    staff_note = db.session.execute(select(Notification).where(Notification.user_id == staff.id,
                                                               Notification.title.like("答案更正后需复核%"))).scalar_one()
    assert certificate.number in staff_note.body and "1 名考生更正后合格" in staff_note.body
    # Staff record their decision; a second time there is nothing open.
    close_review(staff, correction.id, "经复核，证书已在证书管理中撤销")
    db.session.commit()
    assert db.session.get(KeyCorrection, correction.id).reviews_open == 0
    with pytest.raises(Conflict):
        close_review(staff, correction.id, "再次复核")


def test_a_stale_page_the_same_key_a_wrong_shape_and_an_open_window_are_refused(sat):
    session, staff, question_id = sat["session"], sat["staff"], sat["question"]
    revision = _revision_id(question_id)
    late = make_user("trainee", username="late")
    decide(staff, apply(late, session.id, work_years=6), True)
    db.session.commit()
    start_attempt(late, session.id)  # still writing: the numbers would change under the correction
    db.session.commit()
    with pytest.raises(Conflict) as early:
        correct_key(staff, session.id, question_id, KeyInput(revision, "C", "答案有误"))
    assert early.value.code == "not_closed"
    with _after_window(session):
        with pytest.raises(ValidationFailed) as same:
            correct_key(staff, session.id, question_id, KeyInput(revision, "B", "答案有误"))
        assert "answer" in same.value.fields
        with pytest.raises(ValidationFailed) as shape:
            correct_key(staff, session.id, question_id, KeyInput(revision, ["A", "C"], "答案有误"))
        assert "answer" in shape.value.fields
        with pytest.raises(ValidationFailed) as reason:
            correct_key(staff, session.id, question_id, KeyInput(revision, "C", "  "))
        assert "reason" in reason.value.fields
        correct_key(staff, session.id, question_id, KeyInput(revision, "C", "答案有误"))
        db.session.commit()
        with pytest.raises(Conflict) as stale:  # a second page still showing the old key
            correct_key(staff, session.id, question_id, KeyInput(revision, "D", "答案有误"))
        assert stale.value.code == "stale_version"
        other = make_user("org_staff", username="other_staff", org=make_org("另一个评价机构"))
        with pytest.raises(NotFound):
            correct_key(other, session.id, question_id, KeyInput(revision, "D", "答案有误"))


def test_the_page_corrects_the_key_and_shows_chinese_field_errors(client, sat):
    session, question_id = sat["session"], sat["question"]
    url = f"/exams/sessions/{session.id}/item-analysis/{question_id}/key"
    login(client, "staff")
    with _after_window(session):
        page = client.get(url).get_data(as_text=True)
        assert "原标准答案：<strong>B</strong>" in page and "更正答案并重新评分" in page
        empty = post_form(client, url, {"answer": "", "reason": "", "revision_id": _revision_id(question_id)})
        assert empty.status_code == 200
        text = empty.get_data(as_text=True)
        assert "请选择正确答案" in text and "请填写更正原因" in text
        done = post_form(client, url, {"answer": "C", "reason": "标准答案录入错误",
                                       "revision_id": _revision_id(question_id)}, follow_redirects=True)
        text = done.get_data(as_text=True)
        assert "答案已更正，重新评分 2 份答卷，2 名考生的理论成绩有变化" in text
        assert "更正为" in text  # the analysis page lists the correction
        # Tampered revision id: refused with a message, nothing changes.
        again = post_form(client, url, {"answer": "D", "reason": "x", "revision_id": "²"}, follow_redirects=True)
        assert "已被他人更正" in again.get_data(as_text=True)
    assert _theory(session) == {"考生甲": 50.0, "考生乙": 100.0}


@pytest.mark.parametrize(("who", "role", "same_org", "key_page", "history"), [
    ("staff", "org_staff", True, 200, 200),
    ("exam2", "examiner", True, 403, 200),
    ("outsider", "org_staff", False, 404, 404),
    ("outside_examiner", "examiner", False, 403, 404),
    ("learner", "trainee", False, 403, 403),
])
def test_who_may_correct_keys_and_read_a_questions_history(client, sat, who, role, same_org, key_page, history):
    session, question_id = sat["session"], sat["question"]
    if who != "staff":
        org = session.organization if same_org else make_org(f"{who}的机构")
        make_user(role, username=who, org=org)
        db.session.commit()
    with _after_window(session):
        login(client, who)
        assert client.get(f"/exams/sessions/{session.id}/item-analysis/{question_id}/key").status_code == key_page
        assert client.get(f"/exams/bank/{question_id}/history").status_code == history


def test_the_history_page_answers_in_a_fixed_number_of_queries(client, sat, count_queries):
    session, staff, question_id = sat["session"], sat["staff"], sat["question"]
    url = f"/exams/bank/{question_id}/history"
    with _after_window(session):
        login(client, "staff")
        client.get(url)
        with count_queries() as one_session:
            client.get(url)
    for n in range(3):  # three more sessions that drew the question
        later = make_session(staff, title=f"第{n + 2}批", blueprint=BLUEPRINT)
        person = make_user("trainee", username=f"more{n}")
        decide(staff, apply(person, later.id, work_years=6), True)
        db.session.commit()
        submit(start_attempt(person, later.id))
        db.session.commit()
    with time_machine.travel(session.closes_at + timedelta(days=1), tick=False):
        login(client, "staff")
        client.get(url)
        with count_queries() as four_sessions:
            page = client.get(url).get_data(as_text=True)
    assert four_sessions.count == one_session.count
    assert "第4批" in page and page.count("计入组卷") == 0  # each session listed; none has 30 candidates


def test_a_review_conclusion_is_required_in_chinese(client, sat):
    session, question_id = sat["session"], sat["question"]
    with _after_window(session):
        correction = correct_key(sat["staff"], session.id, question_id,
                                 KeyInput(_revision_id(question_id), "C", "答案有误"))
        db.session.commit()
    login(client, "staff")
    history = f"/exams/bank/{question_id}/history"
    url = f"/exams/key-corrections/{correction.id}/review"
    text = post_form(client, url, {"note": ""}, token_from=history, follow_redirects=True).get_data(as_text=True)
    assert "不能记录：复核结论：请填写复核结论" in text
    text = post_form(client, url, {"note": "长" * 501}, token_from=history, follow_redirects=True).get_data(as_text=True)
    assert "长度不能超过 500 个字符" in text


def test_the_multiple_choice_key_form_asks_for_the_options_in_chinese(app):
    from werkzeug.datastructures import MultiDict

    from lrc_training.exams.views.forms import KeyCorrectionMultipleForm

    with app.test_request_context("/", method="POST", data=MultiDict({"reason": "录入错误"})):
        app.config["WTF_CSRF_ENABLED"], before = False, app.config.get("WTF_CSRF_ENABLED")
        try:
            form = KeyCorrectionMultipleForm()
            form.answer.choices = [("A", "A. 甲"), ("B", "B. 乙"), ("C", "C. 丙")]
            assert form.parse() is None
        finally:
            app.config["WTF_CSRF_ENABLED"] = before
        assert form.answer.errors == ["请至少选择两个选项"] and form.answer.label.text == "正确答案（多选）"
        assert form.reason.flags.maxlength == 500 and "审计日志" in form.reason.description
