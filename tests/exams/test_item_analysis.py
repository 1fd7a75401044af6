"""Item analysis: facility, discrimination, option counts in the bank's own keys, flags, reliability — and the page
where the bank's owners retire a bad question so it is never drawn again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.exams.models import Question
from lrc_training.exams.services.applications import apply, decide
from lrc_training.exams.services.attempts import save_response as save
from lrc_training.exams.services.attempts import start_attempt, submit
from lrc_training.exams.services.autosave import DISPLAY_KEYS
from lrc_training.exams.services.item_analysis import cronbach_alpha, flag_for, pearson
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user


def test_pearson_alpha_and_flags_as_defined():
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 1, 1], [1, 2, 3]) is None  # no variance
    assert pearson([1], [1]) is None  # under 2 candidates
    # Three right/wrong items over four candidates, by hand: item variances 1/3 each, total variance 5/3,
    # alpha = 3/2 * (1 - 1 / (5/3)) = 0.6
    assert cronbach_alpha([[1, 1, 1], [1, 1, 0], [0, 0, 1], [0, 0, 0]]) == pytest.approx(0.6)
    assert flag_for(0.95, 0.5) == "too_easy" and flag_for(0.1, 0.5) == "too_hard"
    assert flag_for(0.5, -0.1) == "negative" and flag_for(0.5, 0.1) == "weak" and flag_for(0.5, 0.4) is None


def _shown(attempt, question_id: int, bank_key: str) -> str:
    """The letter this candidate saw for the bank's option `bank_key` (options are shuffled per paper)."""
    item = next(i for i in attempt.items if i.question_id == question_id)
    return DISPLAY_KEYS[item.option_order.index(bank_key)]


@pytest.fixture
def sat_session():
    """Four candidates of rising ability sat a paper of 3 single-choice and 3 true/false questions (everyone had
    every question). Q0: everyone right. Q1: nobody right, everyone chose C. Q2: only the weakest right."""
    org, staff = setup_org()
    make_bank(staff, singles=3, true_false=3)
    session = make_session(staff, blueprint=[{"function_code": "LC", "kind": "single", "count": 3, "points_each": 10},
                                             {"function_code": "LC", "kind": "true_false", "count": 3,
                                              "points_each": 10}])
    singles = list(db.session.execute(select(Question.id).where(Question.kind == "single")
                                      .order_by(Question.id)).scalars())
    tfs = list(db.session.execute(select(Question.id).where(Question.kind == "true_false")
                                  .order_by(Question.id)).scalars())
    attempts = []
    for n in range(4):
        trainee = make_user("trainee", username=f"cand{n}")
        application = apply(trainee, session.id, work_years=5)
        decide(staff, application, True)
        db.session.commit()
        attempts.append(start_attempt(trainee, session.id))
        db.session.commit()
    for ability, attempt in enumerate(attempts):
        save(attempt, singles[0], _shown(attempt, singles[0], "B"))
        save(attempt, singles[1], _shown(attempt, singles[1], "C"))
        save(attempt, singles[2], _shown(attempt, singles[2], "B" if ability == 0 else "A"))
        for k, question_id in enumerate(tfs):
            save(attempt, question_id, k < ability)  # the abler, the more true/false right (answer: true)
    db.session.commit()
    return session, staff, attempts, singles, tfs


def test_analysis_waits_for_the_papers_then_reports_each_question(client, sat_session):
    session, staff, attempts, singles, tfs = sat_session
    headers = api_token(client, "staff")
    url = f"/api/v1/exam-sessions/{session.id}/item-analysis"
    waiting = client.get(url, headers=headers)
    assert waiting.status_code == 409 and waiting.get_json()["error"] == "not_closed"

    for attempt in attempts:
        submit(attempt)
    db.session.commit()
    body = client.get(url, headers=headers).get_json()
    assert body["candidates"] == 4
    items = {row["question_id"]: row for row in body["items"]}
    assert set(items) == set(singles) | set(tfs)

    easy, hard, inverted = items[singles[0]], items[singles[1]], items[singles[2]]
    assert easy["facility"] == 1.0 and easy["flag"] == "too_easy" and easy["discrimination"] is None
    assert easy["options"] == {"A": 0, "B": 4, "C": 0, "D": 0}  # the bank's keys, whatever each candidate saw
    assert hard["facility"] == 0.0 and hard["flag"] == "too_hard" and hard["options"]["C"] == 4
    assert inverted["facility"] == 0.25 and inverted["discrimination"] < 0 and inverted["flag"] == "negative"
    assert inverted["options"] == {"A": 3, "B": 1, "C": 0, "D": 0} and inverted["answered"] == 4
    tf_first = items[tfs[0]]
    assert tf_first["options"] == {"true": 3, "false": 1} and tf_first["facility"] == 0.75
    # The flagged questions come first.
    flags = [row["flag"] for row in body["items"]]
    assert flags == sorted(flags, key=lambda f: f is None)
    assert body["reliability"]["method"] == "cronbach_alpha" and body["reliability"]["common_items"] == 6


def test_only_the_sessions_organization_sees_the_analysis(client, sat_session):
    session, *_ = sat_session
    from tests.factories import make_org

    make_user("org_staff", username="other_staff", org=make_org("另一个评价机构"))
    make_user("trainee", username="nosy")
    db.session.commit()
    url = f"/api/v1/exam-sessions/{session.id}/item-analysis"
    assert client.get(url, headers=api_token(client, "other_staff")).status_code == 404
    assert client.get(url, headers=api_token(client, "nosy")).status_code == 403


def test_staff_retire_a_flagged_question_from_the_page_and_it_is_never_drawn_again(client, sat_session):
    session, staff, attempts, singles, tfs = sat_session
    for attempt in attempts:
        submit(attempt)
    db.session.commit()
    login(client, "staff")
    page = client.get(f"/exams/sessions/{session.id}/item-analysis").get_data(as_text=True)
    assert "过易" in page and "过难" in page and "区分度为负" in page
    assert page.index(f"第 {singles[0]} 题") < page.index(f"第 {tfs[0]} 题")  # flagged first
    response = post_form(client, f"/exams/sessions/{session.id}/item-analysis/{singles[1]}/retire", {},
                         token_from=f"/exams/sessions/{session.id}/item-analysis", follow_redirects=True)
    assert "已停用" in response.get_data(as_text=True)
    assert db.session.get(Question, singles[1]).active is False
    # The bank can no longer fill three single-choice questions: a new session with that blueprint is refused.
    from lrc_training.core.errors import DomainError

    with pytest.raises(DomainError):
        make_session(staff, title="第二批", blueprint=[{"function_code": "LC", "kind": "single", "count": 3,
                                                        "points_each": 10}])
