"""Autosave: one statement per answer, and every rule of the save kept (tests/exams/test_exam_flow.py and
test_proctoring.py cover the journey; these pin the one-statement path and each refusal it hands over)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.core.metrics import PROCESS_REGISTRY
from lrc_training.db import utcnow
from lrc_training.exams.models import Application, Attempt, PaperItem, Response
from lrc_training.exams.services.attempts import start_attempt, submit
from lrc_training.exams.services.autosave import answer_shapes, save_answer
from lrc_training.extensions import db
from tests.conftest import api_token, login
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

BLUEPRINT = [{"function_code": "LC", "kind": "single", "count": 2, "points_each": 10},
             {"function_code": "LC", "kind": "multiple", "count": 2, "points_each": 10},
             {"function_code": "LC", "kind": "true_false", "count": 2, "points_each": 10},
             {"function_code": "LC", "kind": "essay", "count": 1, "points_each": 40}]


@pytest.fixture
def exam(client):
    org, staff = setup_org()
    make_bank(staff, level=2, singles=3, true_false=3, multiples=3, essays=2)
    session = make_session(staff, level=2, blueprint=BLUEPRINT)
    candidate = make_user("trainee", username="cand", name="陈晓燕")
    db.session.add(Application(session_id=session.id, user_id=candidate.id, status="approved",
                               anonymous_code="K000001", eligibility_note="破格"))
    db.session.commit()
    attempt = start_attempt(candidate, session.id)
    db.session.commit()
    items = {item.kind: item.question_id for item in attempt.items}
    return {"session": session, "candidate": candidate, "attempt_id": attempt.id, "items": items,
            "headers": api_token(client, "cand")}


def _put(client, exam, kind_or_id, value, headers=None):
    question = exam["items"][kind_or_id] if isinstance(kind_or_id, str) else kind_or_id
    return client.put(f"/api/v1/attempts/{exam['attempt_id']}/responses/{question}", json={"response": value},
                      headers=headers or exam["headers"])


def _stored(exam, kind):
    return db.session.execute(select(Response.response).where(
        Response.attempt_id == exam["attempt_id"], Response.question_id == exam["items"][kind])).scalar_one_or_none()


def test_a_save_is_one_statement_with_the_token_check_in_it(client, exam, count_queries):
    with count_queries() as counter:
        assert _put(client, exam, "single", "b").status_code == 200
    assert len(counter.statements) == 1 and counter.statements[0].startswith("INSERT INTO exam_responses")
    assert "api_tokens" in counter.statements[0]
    with count_queries() as counter:  # changing the answer: the same single upsert
        assert _put(client, exam, "single", "C").status_code == 200
    assert len(counter.statements) == 1
    assert _stored(exam, "single") == "C"


def test_a_revoked_or_expired_token_or_a_lost_role_saves_nothing(client, exam):
    from lrc_training.auth.models import ApiToken, UserRole

    assert client.delete("/api/v1/auth/token", headers=exam["headers"]).status_code == 204
    revoked = _put(client, exam, "single", "A")
    assert revoked.status_code == 401 and revoked.get_json()["error"] == "invalid_token"
    fresh = api_token(client, "cand")
    token = db.session.execute(select(ApiToken).where(ApiToken.revoked_at.is_(None))).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _put(client, exam, "single", "A", headers=fresh).status_code == 401
    token.expires_at = utcnow() + timedelta(hours=1)
    db.session.execute(UserRole.__table__.delete().where(UserRole.user_id == exam["candidate"].id))
    db.session.commit()
    assert _put(client, exam, "single", "A", headers=fresh).status_code == 403
    candidate = db.session.get(type(exam["candidate"]), exam["candidate"].id)
    candidate.set_roles(["trainee"])
    candidate.active = False
    db.session.commit()
    assert _put(client, exam, "single", "A", headers=fresh).status_code == 401
    assert _stored(exam, "single") is None
    candidate.active = True
    db.session.commit()
    assert _put(client, exam, "single", "A", headers=fresh).status_code == 200


def test_values_are_cleaned_per_kind_and_a_null_clears(client, exam):
    assert _put(client, exam, "single", "a").status_code == 200
    assert _put(client, exam, "multiple", ["c", "A", "a"]).status_code == 200
    assert _put(client, exam, "true_false", False).status_code == 200
    assert _put(client, exam, "essay", "a").status_code == 200  # an essay keeps the text as written
    assert [_stored(exam, k) for k in ("single", "multiple", "true_false", "essay")] == ["A", ["A", "C"], False, "a"]
    assert _put(client, exam, "single", None).status_code == 200
    assert _stored(exam, "single") is None


@pytest.mark.parametrize("kind, value", [
    ("single", "AB"),  # one letter only (a two-letter string used to pass as a single choice)
    ("single", "E"),  # beyond the question's four options
    ("single", True), ("multiple", ["A", "E"]), ("multiple", "A"), ("true_false", "yes"), ("essay", ["A"]),
    ("essay", "字" * 10001),
])
def test_a_value_the_question_cannot_take_is_422_and_nothing_is_saved(client, exam, kind, value):
    response = _put(client, exam, kind, value)
    assert response.status_code == 422 and "response" in response.get_json()["fields"]
    assert _stored(exam, kind) is None


def test_a_question_not_on_the_paper_and_another_persons_attempt_are_404(client, exam):
    not_on_paper = db.session.execute(select(PaperItem.question_id)).scalars().all()
    response = _put(client, exam, max(not_on_paper) + 1000, "A")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    make_user("trainee", username="other")
    assert _put(client, exam, "single", "A", headers=api_token(client, "other")).status_code == 404
    assert _stored(exam, "single") is None


def test_after_submission_a_save_is_409_submitted_and_the_graded_answer_stays(client, exam):
    assert _put(client, exam, "true_false", True).status_code == 200
    assert client.post(f"/api/v1/attempts/{exam['attempt_id']}/submit", headers=exam["headers"]).status_code == 200
    refused = _put(client, exam, "true_false", False)
    assert refused.status_code == 409 and refused.get_json()["error"] == "submitted"
    assert _stored(exam, "true_false") is True


def test_a_late_save_is_409_and_hands_the_paper_in(client, exam):
    assert _put(client, exam, "true_false", True).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=91), tick=False):
        late = _put(client, exam, "true_false", False)
    assert late.status_code == 409 and late.get_json()["error"] == "deadline_passed"
    attempt = db.session.get(Attempt, exam["attempt_id"])
    assert attempt.status == "submitted" and attempt.submitted_by == "platform"
    assert _stored(exam, "true_false") is True


def test_a_paused_attempt_refuses_saves_with_409_paused(client, exam):
    attempt = db.session.get(Attempt, exam["attempt_id"])
    attempt.paused_at = utcnow()
    db.session.commit()
    refused = _put(client, exam, "single", "A")
    assert refused.status_code == 409 and refused.get_json()["error"] == "paused"
    assert _stored(exam, "single") is None
    assert save_answer(exam["candidate"].id, exam["attempt_id"], exam["items"]["single"], "A") is None


def test_the_page_save_checks_the_device_in_the_same_statement(client, app, exam, count_queries):
    attempt = db.session.get(Attempt, exam["attempt_id"])
    attempt.active_device = "a" * 32
    db.session.commit()
    login(client, "cand")
    url = f"/exams/attempts/{exam['attempt_id']}/responses/{exam['items']['single']}"
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with count_queries() as counter:
            ok = client.put(url, json={"response": "B"}, headers={"X-Exam-Device": "a" * 32})
        exam_statements = [s for s in counter.statements if "exam_" in s]  # besides the signed-in user's session
        assert ok.status_code == 200 and len(exam_statements) == 1 and exam_statements[0].startswith("INSERT")
        stale = client.put(url, json={"response": "C"}, headers={"X-Exam-Device": "b" * 32})
        assert stale.status_code == 409 and stale.get_json()["error"] == "taken_over"
        assert _stored(exam, "single") == "B"
        attempt.paused_at = utcnow()
        db.session.commit()
        paused = client.put(url, json={"response": "C"}, headers={"X-Exam-Device": "a" * 32})
        assert paused.status_code == 409 and paused.get_json()["error"] == "paused"
        bad = client.put(url, data="{", content_type="application/json", headers={"X-Exam-Device": "a" * 32})
        assert bad.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def _autosaves_counted() -> float:
    return PROCESS_REGISTRY.get_sample_value("lrc_exam_autosaves_total") or 0.0


def test_every_successful_save_is_counted_in_the_metrics_and_a_refusal_is_not(client, app, exam):
    before = _autosaves_counted()
    assert _put(client, exam, "single", "A").status_code == 200  # the API
    assert _put(client, exam, "single", "Z").status_code == 422
    login(client, "cand")
    url = f"/exams/attempts/{exam['attempt_id']}/responses/{exam['items']['true_false']}"
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        assert client.put(url, json={"response": True}).status_code == 200  # the exam page
        assert client.put(url, json={"response": "maybe"}).status_code == 422
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert _autosaves_counted() == before + 2


def test_the_one_statement_save_and_a_submission_never_both_win(exam):
    """A save that runs after the attempt was claimed writes nothing; one that ran before is graded."""
    candidate, attempt_id, single = exam["candidate"], exam["attempt_id"], exam["items"]["true_false"]
    assert save_answer(candidate.id, attempt_id, single, True) is not None
    attempt = submit(db.session.get(Attempt, attempt_id))
    db.session.commit()
    graded = db.session.execute(select(Response.score).where(
        Response.attempt_id == attempt_id, Response.question_id == single)).scalar_one()
    assert graded is not None and attempt.objective_score >= 0
    assert save_answer(candidate.id, attempt_id, single, False) is None


def test_answer_shapes():
    assert answer_shapes("b") == {"single": ("B", 2), "essay": ("b", 0)}
    assert answer_shapes(["b", "A"]) == {"multiple": (["A", "B"], 2)}
    assert answer_shapes([]) == {"multiple": ([], 0)}
    assert answer_shapes(True) == {"true_false": (True, 0)}
    assert answer_shapes(3) == {}
    assert set(answer_shapes(None)) == {"single", "multiple", "true_false", "essay"}
