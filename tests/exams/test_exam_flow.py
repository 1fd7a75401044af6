"""The whole theory-exam journey through the API, and its rules."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.db import utcnow
from lrc_training.exams.jobs import submit_overdue_attempts
from lrc_training.exams.models import Attempt, PaperItem, QuestionRevision
from lrc_training.extensions import db
from tests.conftest import api_token
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


@pytest.fixture
def world(client):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    candidate = make_user("trainee", username="cand", name="陈晓燕")
    return {"org": org, "staff": staff, "session": session, "candidate": candidate,
            "staff_h": api_token(client, "staff"), "cand_h": api_token(client, "cand")}


def approved_application(client, world, work_years=5):
    app_resp = client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications",
                           json={"work_years": work_years, "prior_certificate_number": None}, headers=world["cand_h"])
    assert app_resp.status_code == 201 and app_resp.get_json()["status"] == "pending"
    application_id = app_resp.get_json()["id"]
    approved = client.post(f"/api/v1/applications/{application_id}/approve", headers=world["staff_h"])
    assert approved.status_code == 200 and approved.get_json()["anonymous_code"].startswith("K")
    return application_id


def answer_key(attempt_id):
    """{question id: the displayed key that is correct} for a paper (test helper; the API never tells)."""
    items = db.session.execute(select(PaperItem).join(Attempt, Attempt.application_id == PaperItem.application_id).where(
            Attempt.id == attempt_id)).scalars().all()
    keys = {}
    for item in items:
        rev = db.session.get(QuestionRevision, item.revision_id)
        if item.kind == "single":
            keys[item.question_id] = "ABCD"[item.option_order.index(rev.answer)]
        elif item.kind == "true_false":
            keys[item.question_id] = rev.answer
    return keys


def test_candidate_takes_the_exam_and_results_are_published(client, world):
    application_id = approved_application(client, world)
    start = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"])
    assert start.status_code == 201
    paper = start.get_json()
    assert len(paper["questions"]) == 10 and "deadline" in paper
    assert all("answer" not in q for q in paper["questions"])
    assert [q["kind"] for q in paper["questions"]] == ["single"] * 5 + ["true_false"] * 5
    keys = answer_key(paper["id"])
    wrong_one = paper["questions"][0]["id"]
    for q in paper["questions"]:
        value = keys[q["id"]]
        if q["id"] == wrong_one:
            value = next(k for k in "ABCD" if k != value)
        saved = client.put(f"/api/v1/attempts/{paper['id']}/responses/{q['id']}", json={"response": value},
                           headers=world["cand_h"])
        assert saved.status_code == 200 and saved.get_json()["saved_at"].endswith("+08:00")
    # Resume: same attempt, same questions, answers come back.
    again = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"])
    assert again.status_code == 200 and again.get_json()["id"] == paper["id"]
    assert len(again.get_json()["responses"]) == 10
    submitted = client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=world["cand_h"])
    assert submitted.get_json() == submitted.get_json() | {"status": "submitted", "objective_score": 90.0}
    assert client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=world["cand_h"]).status_code == 409
    late = client.put(f"/api/v1/attempts/{paper['id']}/responses/{wrong_one}", json={"response": "A"},
                      headers=world["cand_h"])
    assert late.status_code == 409

    examiner = make_user("examiner", username="exam1", org=world["org"])
    exam_h = api_token(client, "exam1")
    score = client.post(f"/api/v1/exam-sessions/{world['session'].id}/practical-scores",
                        json={"application_id": application_id, "score": 72.5}, headers=exam_h)
    assert score.status_code == 200
    rows = client.get(f"/api/v1/exam-sessions/{world['session'].id}/results", headers=world["staff_h"]).get_json()
    assert rows == [rows[0] | {"application_id": application_id, "user_id": world["candidate"].id, "theory": 90.0,
                               "practical": 72.5, "passed": True}]
    assert examiner.id
    published = client.post(f"/api/v1/exam-sessions/{world['session'].id}/publish", headers=world["staff_h"])
    assert published.status_code == 200 and published.get_json()["passed"] == 1
    frozen = client.post(f"/api/v1/exam-sessions/{world['session'].id}/practical-scores",
                         json={"application_id": application_id, "score": 50}, headers=exam_h)
    assert frozen.status_code == 409
    issued = client.post("/api/v1/certificates/issue", json={"exam_session_id": world["session"].id},
                         headers=world["staff_h"])
    assert issued.status_code == 201 and issued.get_json()["issued"] == 1
    number = issued.get_json()["numbers"][0]
    assert number[-7] == "4"  # level digit
    again = client.post("/api/v1/certificates/issue", json={"exam_session_id": world["session"].id},
                        headers=world["staff_h"])
    assert again.get_json()["issued"] == 0
    mine = client.get(f"/api/v1/certificates/{number}", headers=world["cand_h"])
    assert mine.status_code == 200 and mine.get_json()["level"] == 4


def test_eligibility_refusal_names_the_rule(client, world):
    response = client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications", json={"work_years": 1},
                           headers=world["cand_h"])
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "ineligible" and "4 年" in body["message"]
    ok = client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications", json={"work_years": 4},
                     headers=world["cand_h"])
    assert ok.status_code == 201
    assert client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications", json={"work_years": 4},
                       headers=world["cand_h"]).status_code == 409


def test_blueprint_the_bank_cannot_fill_is_422(client, world):
    from datetime import datetime

    start = datetime.now().astimezone()
    body = {"title": "太大的批次", "level": 4, "opens_at": start.isoformat(),
            "closes_at": (start + timedelta(hours=3)).isoformat(), "duration_minutes": 90,
            "blueprint": [{"function_code": "LC", "kind": "single", "count": 50, "points_each": 2}]}
    response = client.post("/api/v1/exam-sessions", json=body, headers=world["staff_h"])
    assert response.status_code == 422 and "blueprint[0]" in response.get_json()["fields"]
    body["blueprint"] = [{"function_code": "LC", "kind": "essay", "count": 1, "points_each": 10}]
    wrong_kind = client.post("/api/v1/exam-sessions", json=body, headers=world["staff_h"])
    assert wrong_kind.status_code == 422  # level 4 has no essays
    body["blueprint"] = [{"function_code": "LC", "kind": "single", "count": 5, "points_each": 20}]
    created = client.post("/api/v1/exam-sessions", json=body, headers=world["staff_h"])
    assert created.status_code == 201 and created.get_json()["closes_at"]


def test_deadline_is_enforced_and_late_attempts_are_auto_submitted(client, world):
    approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    keys = answer_key(paper["id"])
    first = paper["questions"][0]["id"]
    client.put(f"/api/v1/attempts/{paper['id']}/responses/{first}", json={"response": keys[first]},
               headers=world["cand_h"])
    with time_machine.travel(utcnow() + timedelta(minutes=91), tick=False):
        late = client.put(f"/api/v1/attempts/{paper['id']}/responses/{first}", json={"response": "A"},
                          headers=world["cand_h"])
        assert late.status_code == 409
        attempt = db.session.get(Attempt, paper["id"])
        db.session.refresh(attempt)
        assert attempt.status == "submitted" and attempt.submitted_by == "platform"
        assert attempt.objective_score == Decimal("10.00")  # only the saved answer counts


def test_scheduler_job_submits_overdue_attempts_once(client, world):
    approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    assert submit_overdue_attempts() == 0
    later = utcnow() + timedelta(minutes=95)
    assert submit_overdue_attempts(now=later) == 1
    assert submit_overdue_attempts(now=later) == 0
    assert db.session.get(Attempt, paper["id"]).submitted_by == "platform"


def test_bad_answers_are_refused(client, world):
    approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    single = next(q for q in paper["questions"] if q["kind"] == "single")
    tf = next(q for q in paper["questions"] if q["kind"] == "true_false")
    url = f"/api/v1/attempts/{paper['id']}/responses/"
    assert client.put(url + str(single["id"]), json={"response": "Z"}, headers=world["cand_h"]).status_code == 422
    assert client.put(url + str(tf["id"]), json={"response": "yes"}, headers=world["cand_h"]).status_code == 422
    assert client.put(url + "999999", json={"response": "A"}, headers=world["cand_h"]).status_code == 404
    assert client.put(url + str(single["id"]), data="{", headers=world["cand_h"],
                      content_type="application/json").status_code == 400


def test_nobody_else_can_read_or_write_an_attempt(client, world):
    approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    make_user("trainee", username="other")
    other = api_token(client, "other")
    assert client.get(f"/api/v1/attempts/{paper['id']}", headers=other).status_code == 404
    q = paper["questions"][0]["id"]
    assert client.put(f"/api/v1/attempts/{paper['id']}/responses/{q}", json={"response": "A"},
                      headers=other).status_code == 404
    assert client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=other).status_code == 404


def test_papers_differ_between_candidates_but_follow_the_blueprint(client, world):
    staff = world["staff"]
    make_bank(staff, singles=20, true_false=0)
    ids = []
    orders = []
    for i in range(4):
        make_user("trainee", username=f"c{i}")
        headers = api_token(client, f"c{i}")
        application = client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications",
                                  json={"work_years": 6}, headers=headers).get_json()
        client.post(f"/api/v1/applications/{application['id']}/approve", headers=world["staff_h"])
        paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=headers).get_json()
        assert sum(q["points"] for q in paper["questions"]) == 100
        assert [q["kind"] for q in paper["questions"]].count("single") == 5
        ids.append(tuple(sorted(q["id"] for q in paper["questions"])))
        orders.append(tuple(q["id"] for q in paper["questions"]))
    assert len(set(ids)) > 1 or len(set(orders)) > 1


def test_question_edit_keeps_the_paper_unchanged(client, world):
    approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    from lrc_training.exams.services.bank import QuestionInput, get_question, update_question

    first = paper["questions"][0]
    question = get_question(world["staff"], first["id"])
    update_question(world["staff"], question, QuestionInput(
        kind=question.kind, level=4, function_code="LC", stem="改过的题干", options={"A": "1", "B": "2"}, answer="A"))
    db.session.commit()
    resumed = client.get(f"/api/v1/attempts/{paper['id']}", headers=world["cand_h"]).get_json()
    assert resumed["questions"][0]["stem"] == first["stem"]


def _outcome_counters() -> dict:
    from lrc_training.exams.models import ExamOutcomeMonth

    db.session.expire_all()
    return {(r.month, r.organization_id): (r.candidates, r.passed)
            for r in db.session.execute(select(ExamOutcomeMonth)).scalars()}


def test_published_scores_change_only_by_a_chief_examiners_recorded_regrade(client, world):
    from tests.factories import make_org

    world["candidate"].organization_id = make_org("聊城华信机械", kind="enterprise", region_code="371502").id
    db.session.commit()
    application_id = approved_application(client, world)
    paper = client.post(f"/api/v1/exam-sessions/{world['session'].id}/attempts", headers=world["cand_h"]).get_json()
    client.post(f"/api/v1/attempts/{paper['id']}/submit", headers=world["cand_h"])
    examiner = make_user("examiner", username="exam1", org=world["org"])
    chief = make_user("examiner", username="chief", org=world["org"])
    world["session"].chief_examiner_id = chief.id
    db.session.commit()
    client.post(f"/api/v1/exam-sessions/{world['session'].id}/practical-scores",
                json={"application_id": application_id, "score": 55}, headers=api_token(client, "exam1"))
    assert client.post(f"/api/v1/exam-sessions/{world['session'].id}/publish",
                       headers=world["staff_h"]).status_code == 200
    before = _outcome_counters()
    assert sum(c for c, _ in before.values()) == 1
    body = {"application_id": application_id, "part": "practical", "score": 65, "reason": "复核发现漏记一项得分"}
    assert client.post(f"/api/v1/exam-sessions/{world['session'].id}/regrades", json=body,
                       headers=api_token(client, "exam1")).status_code == 409  # not the chief
    done = client.post(f"/api/v1/exam-sessions/{world['session'].id}/regrades", json=body,
                       headers=api_token(client, "chief"))
    assert done.status_code == 200 and done.get_json()["passed"] is True
    from lrc_training.core.models import AuditLog

    record = db.session.execute(select(AuditLog).where(AuditLog.action == "practical_score.regrade")).scalar_one()
    assert record.reason == "复核发现漏记一项得分" and record.old["passed"] is False
    # the monthly outcome counters followed the re-grade, and agree with a recount from the published results
    after = _outcome_counters()
    from lrc_training.exams.services.outcomes import application_passed, rebuild

    passed_now = application_passed(application_id)
    assert sum(p for _, p in after.values()) == int(passed_now)
    assert sum(p for _, p in before.values()) == 0  # practical 55 failed at publication
    rebuild()
    assert _outcome_counters() == after
    assert examiner.id
