"""Exam fixtures: an evaluation organization with a question bank, staff, examiners and candidates."""

from __future__ import annotations

from datetime import timedelta

from lrc_training.db import utcnow
from lrc_training.exams.services.bank import QuestionInput, create_question
from lrc_training.exams.services.sessions import SessionInput, create_session
from lrc_training.extensions import db
from tests.factories import make_org, make_user


def make_bank(staff, level=4, singles=6, true_false=6, essays=0, multiples=0, code="LC"):
    for i in range(singles):
        create_question(staff, QuestionInput(kind="single", level=level, function_code=code, stem=f"单选题{i}",
                                             options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, answer="B",
                                             points=1))
    for i in range(multiples):
        create_question(staff, QuestionInput(kind="multiple", level=level, function_code=code, stem=f"多选题{i}",
                                             options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"}, answer=["A", "C"]))
    for i in range(true_false):
        create_question(staff, QuestionInput(kind="true_false", level=level, function_code=code, stem=f"判断题{i}",
                                             answer=True))
    for i in range(essays):
        create_question(staff, QuestionInput(kind="essay", level=level, function_code=code, stem=f"简答题{i}",
                                             answer="参考答案", rubric="要点各 5 分", points=10))
    db.session.commit()


def setup_org():
    org = make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500")
    staff = make_user("org_staff", username="staff", org=org)
    return org, staff


def make_session(staff, *, level=4, blueprint=None, opens_delta=-5, minutes=90, **extra):
    now = utcnow()
    session = create_session(staff, SessionInput(
        title=extra.pop("title", "2026 年第一批四级认定"), level=level, opens_at=now + timedelta(minutes=opens_delta),
        closes_at=now + timedelta(minutes=opens_delta + extra.pop("window", 240)), duration_minutes=minutes,
        blueprint=blueprint or [{"function_code": "LC", "kind": "single", "count": 5, "points_each": 10},
                                {"function_code": "LC", "kind": "true_false", "count": 5, "points_each": 10}],
        **extra))
    db.session.commit()
    return session
