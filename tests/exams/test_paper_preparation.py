"""Papers drawn ahead: the preparation job, a start that is one INSERT, nothing visible before the window."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from lrc_training.db import utcnow
from lrc_training.exams.jobs import prepare_upcoming_papers
from lrc_training.exams.models import Application, Attempt, PaperItem, Question, QuestionRevision
from lrc_training.exams.services.attempts import start_attempt
from lrc_training.exams.services.bank import QuestionInput, update_question
from lrc_training.exams.services.sessions import SessionInput, update_session
from lrc_training.extensions import db
from tests.conftest import api_token, login
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


def _world(opens_in_minutes: int, candidates=("ann", "bo", "cy")):
    org, staff = setup_org()
    make_bank(staff, singles=12, true_false=8)
    session = make_session(staff, opens_delta=opens_in_minutes)
    users = []
    for username in candidates:
        user = make_user("trainee", username=username)
        db.session.add(Application(session_id=session.id, user_id=user.id, status="approved",
                                   anonymous_code=f"K{len(users):06d}", eligibility_note="测试"))
        users.append(user)
    db.session.commit()
    return staff, session, users


def _paper(application_id):
    return [(i.question_id, tuple(i.option_order or ())) for i in db.session.execute(
        select(PaperItem).where(PaperItem.application_id == application_id).order_by(PaperItem.position)).scalars()]


def _application_ids(session):
    return list(db.session.execute(select(Application.id).where(Application.session_id == session.id)
                                   .order_by(Application.id)).scalars())


def test_the_job_draws_each_candidate_an_own_paper_ahead_of_the_window(app):
    staff, session, users = _world(opens_in_minutes=60)
    later = make_session(staff, opens_delta=60 * 24, title="明天开考的批次")  # outside the lead: not yet
    db.session.add(Application(session_id=later.id, user_id=users[0].id, status="approved",
                               anonymous_code="K999999", eligibility_note="测试"))
    exempt = db.session.execute(select(Application).where(
        Application.user_id == users[2].id, Application.session_id == session.id)).scalar_one()
    exempt.exempt_parts = ["theory"]
    db.session.commit()
    assert prepare_upcoming_papers() == 2
    ann, bo, cy = (_paper(a) for a in _application_ids(session))
    assert len(ann) == len(bo) == 10 and cy == []
    assert ann != bo  # different questions or option order
    assert _paper(_application_ids(later)[0]) == []
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 0
    assert prepare_upcoming_papers() == 0  # drawn once


def test_a_paper_drawn_ahead_is_not_visible_before_the_window_opens(client, app):
    staff, session, users = _world(opens_in_minutes=30)
    prepare_upcoming_papers()
    headers = api_token(client, "ann")
    early = client.post(f"/api/v1/exam-sessions/{session.id}/attempts", headers=headers)
    assert early.status_code == 422 and early.get_json()["error"] == "not_open"
    assert "questions" not in early.get_json()
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 0
    stems = [db.session.get(Question, q).current.stem for q, _ in _paper(_application_ids(session)[0])]
    login(client, "ann")
    page = client.get(f"/exams/sessions/{session.id}/exam").get_data(as_text=True)
    assert not any(stem in page for stem in stems)


def test_starting_over_a_paper_drawn_ahead_is_one_insert(client, app, count_queries):
    staff, session, users = _world(opens_in_minutes=30)
    prepare_upcoming_papers()
    drawn = _paper(_application_ids(session)[0])
    headers = api_token(client, "ann")
    url = f"/api/v1/exam-sessions/{session.id}/attempts"
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        with count_queries() as counter:
            started = client.post(url, headers=headers)
        assert started.status_code == 201
        writes = [s for s in counter.statements if re.match(r"(WITH .*)?(INSERT|UPDATE|DELETE) ", s, re.S)]
        assert len(writes) == 1 and "INSERT INTO exam_attempts" in writes[0], writes
        body = started.get_json()
        assert [q["id"] for q in body["questions"]] == [q for q, _ in drawn]
        for shown, item in zip(body["questions"], db.session.execute(select(PaperItem).where(
                PaperItem.application_id == _application_ids(session)[0]).order_by(PaperItem.position)).scalars(),
                strict=True):  # the stored paper shows exactly the drawn items, relabelled, without the key
            revision = db.session.get(QuestionRevision, item.revision_id)
            assert shown["stem"] == revision.stem and shown["kind"] == item.kind
            if item.option_order:
                assert list(shown["options"].values()) == [revision.options[k] for k in item.option_order]
                assert list(shown["options"]) == list("ABCD")
            assert set(shown) == {"id", "position", "kind", "stem", "options", "points"}
        assert body["deadline"] and float(sum(q["points"] for q in body["questions"])) == 100
        attempt = db.session.get(Attempt, body["id"])
        assert attempt.total_points == 100 and attempt.status == "in_progress"
        again = client.post(url, headers=headers)
        assert again.status_code == 200 and again.get_json()["id"] == body["id"]


def test_a_question_edited_before_the_window_is_drawn_again_with_its_new_wording(app):
    staff, session, users = _world(opens_in_minutes=30, candidates=("ann",))
    prepare_upcoming_papers()
    application_id = _application_ids(session)[0]
    question_id = _paper(application_id)[0][0]
    question = db.session.get(Question, question_id)
    update_question(staff, question, QuestionInput(kind=question.kind, level=4, function_code="LC", stem="改正后的题干",
                                                   options=question.current.options, answer=question.current.answer,
                                                   points=1))
    db.session.commit()
    assert prepare_upcoming_papers() == 1
    revisions = set(db.session.execute(select(PaperItem.revision_id).where(
        PaperItem.application_id == application_id)).scalars())
    current = set(db.session.execute(select(Question.current_revision_id).where(
        Question.id.in_([q for q, _ in _paper(application_id)]))).scalars())
    assert revisions == current


def test_changing_the_blueprint_discards_papers_drawn_so_far(app):
    staff, session, users = _world(opens_in_minutes=30, candidates=("ann",))
    prepare_upcoming_papers()
    blueprint = [{"function_code": "LC", "kind": "single", "count": 8, "points_each": 10},
                 {"function_code": "LC", "kind": "true_false", "count": 2, "points_each": 10}]
    update_session(staff, session, SessionInput(
        title=session.title, level=4, opens_at=session.opens_at, closes_at=session.closes_at,
        duration_minutes=90, blueprint=blueprint, pass_mark=60), version=session.version)
    db.session.commit()
    assert _paper(_application_ids(session)[0]) == []
    prepare_upcoming_papers()
    kinds = list(db.session.execute(select(PaperItem.kind).where(
        PaperItem.application_id == _application_ids(session)[0])).scalars())
    assert kinds.count("single") == 8 and kinds.count("true_false") == 2


def test_a_candidate_approved_after_the_job_ran_gets_a_paper_at_the_start(app):
    staff, session, users = _world(opens_in_minutes=-5, candidates=("ann",))
    attempt = start_attempt(users[0], session.id)
    db.session.commit()
    assert len(attempt.items) == 10 and attempt.total_points == 100


def test_a_revoked_token_or_an_exempt_candidate_cannot_start(client, app):
    staff, session, users = _world(opens_in_minutes=-5, candidates=("ann", "bo"))
    prepare_upcoming_papers()
    url = f"/api/v1/exam-sessions/{session.id}/attempts"
    headers = api_token(client, "ann")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.post(url, headers=headers).status_code == 401
    bo = db.session.execute(select(Application).where(Application.user_id == users[1].id)).scalar_one()
    bo.exempt_parts = ["theory"]
    db.session.commit()
    exempt = client.post(url, headers=api_token(client, "bo"))
    assert exempt.status_code == 422 and exempt.get_json()["error"] == "exempt"
    assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 0
