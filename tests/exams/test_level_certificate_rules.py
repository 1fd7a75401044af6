"""A level certificate needs every part of the level (theory and practical; plus 综合评审 for levels 2 and 1).
A theory-only session is allowed but issues none; parts passed earlier count while they are valid."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from lrc_training.certificates.models import Certificate
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.certificates.services.rendering import render_certificate
from lrc_training.core.errors import DomainError
from lrc_training.db import utcnow
from lrc_training.exams.models import Application, ExamSession, PaperItem, PartResult, QuestionRevision
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response, start_attempt, submit
from lrc_training.exams.services.grading import record_part_score
from lrc_training.exams.services.results import compute_results, issue_session_certificates, publish
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

BLUEPRINT = [{"function_code": "LC", "kind": "single", "count": 2, "points_each": 10}]


@pytest.fixture
def world(client):
    org, staff = setup_org()
    for level in (4, 2):
        make_bank(staff, level=level, singles=4, true_false=0)
    examiner = make_user("examiner", username="exam1", org=org)
    return {"org": org, "staff": staff, "examiner": examiner}


def _session(world, level=4, parts=None, **extra):
    return make_session(world["staff"], level=level, parts=parts, blueprint=BLUEPRINT, **extra)


def _candidate(world, session, username, person=None, **stated):
    person = person or make_user("trainee", username=username, name=f"考生{username}")
    application = apply(person, session.id, **(stated or {"work_years": 6}))
    decide(world["staff"], application, True)
    db.session.commit()
    return person, application


def _theory(person, session, passed: bool):
    attempt = start_attempt(person, session.id)
    if passed:
        for item in db.session.execute(select(PaperItem).where(
                PaperItem.application_id == attempt.application_id)).scalars():
            answer = db.session.get(QuestionRevision, item.revision_id).answer
            save_response(attempt, item.question_id, "ABCD"[item.option_order.index(answer)])
    submit(attempt)
    db.session.commit()


def _score(world, session, application, part, score):
    record_part_score(world["examiner"], session, application.id, score, part)
    db.session.commit()


def _publish(world, session):
    with time_machine.travel(session.closes_at + timedelta(minutes=1), tick=False):
        publish(world["staff"], db.session.get(ExamSession, session.id))
        db.session.commit()


def _certificates(person) -> list[Certificate]:
    return list(db.session.execute(select(Certificate).where(Certificate.holder_user_id == person.id)).scalars())


def test_a_theory_only_session_runs_but_issues_no_level_certificate(client, world):
    session = _session(world, parts=["theory"], title="竞赛初赛理论考试")
    assert not session.issues_certificates and session.missing_parts == ["practical"]
    person, _ = _candidate(world, session, "cand")
    _theory(person, session, passed=True)
    _publish(world, session)
    assert compute_results(session)[0].passed  # every part of this session passed ...
    with pytest.raises(DomainError) as refused:  # ... but the level needs the practical too
        issue_session_certificates(world["staff"], session.id)
    assert refused.value.status == 422 and "操作技能考核" in refused.value.message
    db.session.rollback()

    response = client.post("/api/v1/certificates/issue", json={"exam_session_id": session.id},
                           headers=api_token(client, "staff"))
    assert response.status_code == 422 and "不能颁发职业技能等级证书" in response.get_json()["message"]
    assert _certificates(person) == []

    login(client, "staff")
    detail = client.get(f"/exams/sessions/{session.id}").get_data(as_text=True)
    assert "本批次不含操作技能考核，不能颁发职业技能等级证书" in detail
    results = client.get(f"/exams/sessions/{session.id}/results").get_data(as_text=True)
    assert "不能颁发职业技能等级证书" in results and "为通过者签发证书" not in results
    page = post_form(client, f"/exams/sessions/{session.id}/certificates", {},
                     token_from=f"/exams/sessions/{session.id}/results", follow_redirects=True)
    assert "不能颁发职业技能等级证书" in page.get_data(as_text=True) and _certificates(person) == []


def test_theory_and_practical_passed_earn_a_level_4_certificate_that_names_the_occupation(world):
    session = _session(world)
    assert session.issues_certificates
    person, application = _candidate(world, session, "cand")
    _theory(person, session, passed=True)
    _score(world, session, application, "practical", 80)
    _publish(world, session)
    issued = issue_session_certificates(world["staff"], session.id)
    db.session.commit()
    assert [c.holder_user_id for c in issued] == [person.id]
    text = "".join(PdfReader(io.BytesIO(render_certificate(issued[0]))).pages[0].extract_text().split())
    assert "职业名称劳动关系协调师" in text and "四级/中级工" in text


def _level_2_candidate(world, session, username):
    person = make_user("trainee", username=username, name=f"考生{username}")
    issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                   issuer_organization_id=world["org"].id, source_type="manual", level=3,
                                   issued_on=date(2019, 1, 1)))
    db.session.commit()
    return _candidate(world, session, username, person=person, work_started_on=date(2010, 1, 1))


def test_levels_2_and_1_need_the_review_part(client, world):
    without_review = _session(world, level=2, parts=["theory", "practical"], title="二级（无综合评审）")
    assert without_review.missing_parts == ["review"]
    assert "综合评审" in without_review.certificate_notice

    session = _session(world, level=2, title="二级认定")
    assert session.parts == ["theory", "practical", "review"] and session.issues_certificates
    passes, a = _level_2_candidate(world, session, "pass")
    fails_review, b = _level_2_candidate(world, session, "fail")
    for person, application, review in ((passes, a, 70), (fails_review, b, 59)):
        _theory(person, session, passed=True)
        _score(world, session, application, "practical", 75)
        _score(world, session, application, "review", review)
    _publish(world, session)
    issued = issue_session_certificates(world["staff"], session.id)
    db.session.commit()
    assert [c.holder_user_id for c in issued] == [passes.id] and issued[0].level == 2
    assert _certificates(fails_review) == [c for c in _certificates(fails_review) if c.level == 3]


def test_a_failed_part_is_retaken_alone_within_the_validity(world):
    first = _session(world, title="第一批")
    person, application = _candidate(world, first, "cand")
    _theory(person, first, passed=True)
    _score(world, first, application, "practical", 40)
    _publish(world, first)
    assert issue_session_certificates(world["staff"], first.id) == []
    theory = db.session.execute(select(PartResult).where(PartResult.part == "theory")).scalar_one()
    assert theory.passed and theory.valid_until.date() == (theory.published_at + timedelta(days=730)).date()

    second = _session(world, title="第二批（补考）")
    retake = apply(person, second.id, work_years=6)
    decide(world["staff"], retake, True)
    db.session.commit()
    assert retake.exempt_parts == ["theory"]  # passed last time: only the practical again
    _score(world, second, retake, "practical", 72)
    _publish(world, second)
    issued = issue_session_certificates(world["staff"], second.id)
    db.session.commit()
    assert [c.holder_user_id for c in issued] == [person.id]


def test_an_expired_passed_part_must_be_retaken(world):
    first = _session(world, title="第一批")
    person, application = _candidate(world, first, "cand")
    _theory(person, first, passed=True)
    _score(world, first, application, "practical", 40)
    _publish(world, first)
    theory = db.session.execute(select(PartResult).where(PartResult.part == "theory")).scalar_one()
    second = _session(world, title="第二批（补考）")
    theory.valid_until = second.opens_at - timedelta(minutes=1)  # expired by the time the retake starts
    db.session.commit()
    retake = apply(person, second.id, work_years=6)
    decide(world["staff"], retake, True)
    db.session.commit()
    assert retake.exempt_parts == []
    _score(world, second, retake, "practical", 72)
    _theory(person, second, passed=False)
    _publish(world, second)
    assert issue_session_certificates(world["staff"], second.id) == []


def test_the_validity_is_a_session_setting(client, world):
    session = _session(world, part_validity_years=1, title="一年有效")
    person, application = _candidate(world, session, "cand")
    _theory(person, session, passed=True)
    _score(world, session, application, "practical", 40)
    _publish(world, session)
    theory = db.session.execute(select(PartResult).where(PartResult.part == "theory")).scalar_one()
    assert theory.valid_until.date() == (theory.published_at + timedelta(days=365)).date()
    headers = api_token(client, "staff")
    now = utcnow()
    body = {"title": "x", "level": 4, "opens_at": (now + timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(), "blueprint": BLUEPRINT, "part_validity_years": 9}
    bad = client.post("/api/v1/exam-sessions", json=body, headers=headers)
    assert bad.status_code == 422 and "part_validity_years" in bad.get_json()["fields"]
    made = client.post("/api/v1/exam-sessions", json=body | {"part_validity_years": 3, "parts": ["theory"]},
                       headers=headers)
    assert made.status_code == 201
    assert made.get_json()["part_validity_years"] == 3 and made.get_json()["issues_certificates"] is False
    assert db.session.get(Application, application.id).session.part_validity_years == 1
