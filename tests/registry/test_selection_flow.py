"""Selections through the services: a whole round from draft to honors, the nomination limits (per organization,
duplicates, deadline), conflicts of interest on the panel, the ranking (means rounded half-up before ranking, ties
share a rank, a tie across the last place blocks the notice), objections and an idempotent finalize."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from lrc_training.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from lrc_training.core.models import AuditLog, Notification
from lrc_training.extensions import db
from lrc_training.registry.jobs import selections_due
from lrc_training.registry.models import Honor
from lrc_training.registry.selection.models import Award, SelectionRound
from lrc_training.registry.selection.schemas import NominationIn, ObjectionDecisionIn, ObjectionIn, ScoreIn
from lrc_training.registry.selection.services.nominations import nominate
from lrc_training.registry.selection.services.notice import (
    decide_objection,
    finalize_by,
    mask_name,
    shortlist,
    submit_objection,
)
from lrc_training.registry.selection.services.review import appoint_reviewer, mean_of, standings, submit_score
from lrc_training.registry.selection.services.rounds import create_round, get_round, move_round
from tests.registry.selection_world import build_world, open_round, pass_deadline, round_input


@pytest.fixture
def w(app):
    return build_world()


def _nominate_three(w, rnd):
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="调解成效突出"))
    n2 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c2"].id, grounds="集体协商指导"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="风险排查"))
    db.session.commit()
    return n1, n2, n3


def _score_all(w, rnd, table):
    """table: {reviewer: {nomination: score}}; commits."""
    for reviewer, scores in table.items():
        for nomination, score in scores.items():
            submit_score(w[reviewer], rnd.id, ScoreIn(nomination_id=nomination.id, score=score, comment="评语"))
    db.session.commit()


def test_the_whole_round_from_draft_to_honors(w):
    rnd = create_round(w["hrss"], round_input())
    assert rnd.state == "draft" and rnd.region_code == "371500"
    with pytest.raises(NotFound):  # a draft is the managers' only
        get_round(w["e1staff"], rnd.id)
    move_round(w["hrss"], rnd.id, "open")
    n1, n2, n3 = _nominate_three(w, rnd)
    assert n1.snapshot["work"]["mediation"] == 1 and n1.snapshot["certificates"][0]["level"]
    for reviewer in ("r1", "r2", "r3"):
        appoint_reviewer(w["hrss"], rnd.id, reviewer)
    pass_deadline(rnd)
    assert selections_due() == 0 and rnd.state == "reviewing"  # the job closed the nominations
    _score_all(w, rnd, {"r1": {n1: 90, n2: 80, n3: "85.5"}, "r2": {n3: 70},  # r2 works at e1: not n1, n2
                        "r3": {n1: 88, n2: 82, n3: 75}})
    table = standings(rnd)
    assert (table[n1.id].mean, table[n1.id].rank, table[n1.id].shortlisted) == (Decimal("89.00"), 1, True)
    assert (table[n2.id].mean, table[n2.id].rank) == (Decimal("81.00"), 2)
    assert (table[n3.id].mean, table[n3.id].rank, table[n3.id].shortlisted) == (Decimal("76.83"), 3, False)
    move_round(w["hrss"], rnd.id, "notice")
    db.session.commit()
    assert [(r.rank, r.name, r.organization) for r in shortlist(rnd)] == [(1, "张**", "东昌府企业甲"),
                                                                          (2, "李*", "东昌府企业甲")]
    submit_objection(rnd.id, ObjectionIn(nomination_id=n2.id, text="该同志去年受过处分", contact="13800000000"))
    db.session.commit()
    pass_deadline(rnd, "notice_ends_at")
    assert selections_due() == 0 and rnd.state == "notice"  # an open objection holds the result
    objection_id = db.session.execute(select(AuditLog.object_id).where(
        AuditLog.action == "selection.objection")).scalar()
    decide_objection(w["hrss"], rnd.id, int(objection_id),
                     ObjectionDecisionIn(outcome="upheld", reply="经核实属实，取消入选"))
    db.session.commit()
    assert selections_due() == 1 and rnd.state == "final"
    awards = db.session.execute(select(Award).order_by(Award.rank)).scalars().all()
    assert [(a.nomination_id, a.rank, a.number) for a in awards] == [(n1.id, 1, f"RY{a.granted_on.year}-{rnd.id:04d}-01")
                                                                    for a in awards[:1]]
    honors = db.session.execute(select(Honor.user_id, Honor.title, Honor.granted_by)).all()
    assert honors == [(w["c1"].id, "金牌劳动关系协调员", "聊城市人社局")]
    assert db.session.execute(select(Notification.id).where(Notification.user_id == w["c1"].id,
                                                            Notification.kind == "selection")).scalar()
    actions = set(db.session.execute(select(AuditLog.action)).scalars())
    assert {"selection.create", "selection.open", "selection.nominate", "selection.reviewer.appoint",
            "selection.review", "selection.score", "selection.notice", "selection.objection",
            "selection.objection.decide", "selection.finalize"} <= actions


def test_finalize_is_idempotent(w):
    rnd = open_round(w, quota=1)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    _score_all(w, rnd, {"r1": {n1: 95}})
    move_round(w["hrss"], rnd.id, "notice")
    with pytest.raises(Conflict, match="公示期未结束"):
        finalize_by(w["hrss"], rnd.id)
    pass_deadline(rnd, "notice_ends_at")
    assert len(finalize_by(w["hrss"], rnd.id)) == 1
    db.session.commit()
    assert selections_due() == 0
    with pytest.raises(Conflict):
        finalize_by(w["hrss"], rnd.id)
    assert len(db.session.execute(select(Honor)).all()) == 1
    assert len(db.session.execute(select(Award)).all()) == 1


def test_nomination_limits_duplicates_and_deadline(w):
    rnd = open_round(w)
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    with pytest.raises(Conflict) as duplicate:
        nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    assert duplicate.value.code == "duplicate"
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c2"].id, grounds="理由"))
    with pytest.raises(Conflict) as full:
        nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c3"].id, grounds="理由"))
    assert full.value.code == "limit" and "2" in full.value.message
    with pytest.raises(ValidationFailed):  # not their own person (d1 works at e2)
        nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))
    with pytest.raises(ValidationError) as empty:  # the schema declares the grounds' length
        NominationIn(user_id=w["d1"].id, grounds="  ")
    assert [e["loc"] for e in empty.value.errors()] == [("grounds",)]
    with pytest.raises(NotFound):  # another city's enterprise does not see the round
        nominate(w["qdstaff"], rnd.id, NominationIn(user_id=w["q1"].id, grounds="理由"))
    with pytest.raises(Forbidden):  # hrss staff manage, they do not nominate
        nominate(w["hrss"], rnd.id, NominationIn(user_id=w["c3"].id, grounds="理由"))
    pass_deadline(rnd)
    with pytest.raises(Conflict, match="推荐已截止"):
        nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))


def test_organization_round_nominates_the_organization_itself(w):
    rnd = open_round(w, kind="organization", title="优秀劳动关系工作室")
    n = nominate(w["e1staff"], rnd.id, NominationIn(user_id=None, grounds="工作室建设规范"))
    assert n.nominee_user_id is None and n.snapshot["coordinators"] == 3
    with pytest.raises(Conflict):
        nominate(w["e1staff"], rnd.id, NominationIn(user_id=None, grounds="再来一次"))


def test_panel_conflicts_of_interest(w):
    rnd = open_round(w)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))
    with pytest.raises(Conflict, match="被推荐人不能担任"):
        appoint_reviewer(w["hrss"], rnd.id, "c1")
    with pytest.raises(ValidationFailed):
        appoint_reviewer(w["hrss"], rnd.id, "nobody")
    with pytest.raises(NotFound):  # another scope's hrss does not see the round
        appoint_reviewer(w["hrss_qd"], rnd.id, "r1")
    appoint_reviewer(w["hrss"], rnd.id, "r2")
    appoint_reviewer(w["hrss"], rnd.id, "c3")  # c3 is no nominee ... yet a colleague of c1
    with pytest.raises(Conflict):
        appoint_reviewer(w["hrss"], rnd.id, "r2")
    with pytest.raises(Conflict, match="不在评审阶段"):
        submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score=80, comment="好"))
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    with pytest.raises(Forbidden, match="本单位"):
        submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n1.id, score=80, comment="好"))
    with pytest.raises(Forbidden):  # an enterprise's staff is no reviewer
        submit_score(w["e1staff"], rnd.id, ScoreIn(nomination_id=n3.id, score=80, comment="好"))
    with pytest.raises(NotFound):
        submit_score(w["qdstaff"], rnd.id, ScoreIn(nomination_id=n3.id, score=80, comment="好"))
    for bad in ("101", "-1", "八十", "NaN"):  # the schema bounds the score
        with pytest.raises(ValidationError) as wrong:
            ScoreIn(nomination_id=n3.id, score=bad, comment="好")
        assert [e["loc"] for e in wrong.value.errors()] == [("score",)]
    with pytest.raises(ValidationFailed) as cents:  # two decimals at most: the service
        submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score="80.123", comment="好"))
    assert "score" in cents.value.fields
    with pytest.raises(ValidationError):
        ScoreIn(nomination_id=n3.id, score=80, comment=" ")
    first = submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score="80.5", comment="好"))
    db.session.commit()
    with pytest.raises(Conflict):  # a change needs the version the reviewer saw
        submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score=90, comment="更好"))
    submit_score(w["r2"], rnd.id, ScoreIn(nomination_id=n3.id, score=90, comment="更好", version=first.version))
    db.session.commit()
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "selection.score")
                               .order_by(AuditLog.id.desc())).scalars().first()
    assert audit.old["score"] == "80.50" and audit.new["score"] == "90.0"  # ScoreIn's float, as the API's


def test_a_nominee_appointed_before_being_nominated_cannot_score(w):
    rnd = open_round(w)
    appoint_reviewer(w["hrss"], rnd.id, "c2")
    nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c2"].id, grounds="理由"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    with pytest.raises(Forbidden, match="被推荐人"):
        submit_score(w["c2"], rnd.id, ScoreIn(nomination_id=n3.id, score=80, comment="好"))


def test_means_round_half_up_before_ranking_and_ties_share_a_rank(w):
    assert mean_of([Decimal("80.01"), Decimal("80.00")]) == Decimal("80.01")  # 80.005 → 80.01
    assert mean_of([Decimal("70"), Decimal("70"), Decimal("70.01")]) == Decimal("70.00")  # 70.0033…
    rnd = open_round(w, quota=1)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    n3 = nominate(w["e2staff"], rnd.id, NominationIn(user_id=w["d1"].id, grounds="理由"))
    for reviewer in ("r1", "r3"):
        appoint_reviewer(w["hrss"], rnd.id, reviewer)
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    _score_all(w, rnd, {"r1": {n1: "80.01", n3: "80.01"}, "r3": {n1: "80.00", n3: "80.01"}})
    table = standings(rnd)
    assert (table[n1.id].mean, table[n3.id].mean) == (Decimal("80.01"), Decimal("80.01"))
    assert table[n1.id].rank == table[n3.id].rank == 1
    with pytest.raises(Conflict, match="并列"):  # two on a one-place shortlist
        move_round(w["hrss"], rnd.id, "notice")
    n3_score = db.session.execute(select(AuditLog.object_id).where(AuditLog.action == "selection.score")
                                  .order_by(AuditLog.id.desc())).scalar()
    submit_score(w["r3"], rnd.id, ScoreIn(nomination_id=n3.id, score="79", comment="复核", version=1))
    move_round(w["hrss"], rnd.id, "notice")
    assert n3_score and [r.nomination_id for r in shortlist(rnd)] == [n1.id]


def test_the_notice_waits_for_every_score(w):
    rnd = open_round(w)
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    with pytest.raises(Conflict, match="评审专家"):
        move_round(w["hrss"], rnd.id, "notice")
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    with pytest.raises(Conflict, match="1 份评分"):
        move_round(w["hrss"], rnd.id, "notice")
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n1.id, score=60, comment="一般"))
    move_round(w["hrss"], rnd.id, "notice")
    assert db.session.get(SelectionRound, rnd.id).notice_ends_at is not None


def test_objections_only_during_the_notice(w):
    rnd = open_round(w)
    with pytest.raises(NotFound):  # not public before the notice
        submit_objection(rnd.id, ObjectionIn(nomination_id=None, text="异议", contact="电话"))
    n1 = nominate(w["e1staff"], rnd.id, NominationIn(user_id=w["c1"].id, grounds="理由"))
    appoint_reviewer(w["hrss"], rnd.id, "r1")
    pass_deadline(rnd)
    move_round(w["hrss"], rnd.id, "review")
    submit_score(w["r1"], rnd.id, ScoreIn(nomination_id=n1.id, score=60, comment="一般"))
    move_round(w["hrss"], rnd.id, "notice")
    with pytest.raises(ValidationError) as empty:  # the schema declares the texts' lengths
        ObjectionIn(nomination_id=999, text="", contact=" ")
    assert {e["loc"] for e in empty.value.errors()} == {("text",), ("contact",)}
    with pytest.raises(ValidationFailed) as bad:  # the shortlist: the service
        submit_objection(rnd.id, ObjectionIn(nomination_id=999, text="异议", contact="电话"))
    assert set(bad.value.fields) == {"nomination_id"}
    objection = submit_objection(rnd.id, ObjectionIn(nomination_id=n1.id, text="材料不实", contact="电话"))
    db.session.commit()
    assert db.session.execute(select(Notification.id).where(Notification.user_id == w["hrss"].id)).scalar()
    with pytest.raises(NotFound):  # another scope's hrss cannot decide it
        decide_objection(w["hrss_qd"], rnd.id, objection.id,
                         ObjectionDecisionIn(outcome="dismissed", reply="不成立"))
    decide_objection(w["hrss"], rnd.id, objection.id, ObjectionDecisionIn(outcome="dismissed", reply="经核实不成立"))
    with pytest.raises(Conflict):
        decide_objection(w["hrss"], rnd.id, objection.id, ObjectionDecisionIn(outcome="upheld", reply="改主意"))
    pass_deadline(rnd, "notice_ends_at")
    with pytest.raises(Conflict, match="公示期已结束"):
        submit_objection(rnd.id, ObjectionIn(nomination_id=None, text="晚了", contact="电话"))


def test_names_are_masked():
    assert [mask_name(n) for n in ("张三", "张三丰", "欧阳娜娜", "李")] == ["张*", "张**", "欧***", "李"]
