"""Competition rules beyond the API basics: check-in and code keepers, panels, the chief judge's oversight,
appeals, the notice period and finalisation, rewards, stages and qualifiers, bulk registration, quotas,
tie-break order and exam-scored theory items."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lrc_training.auth.services.accreditation import NotAccredited
from lrc_training.certificates.models import Certificate
from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate, issue_for_source
from lrc_training.contests.jobs import finalize_due
from lrc_training.contests.models import JudgeAssignment, JudgingSheet, Registration, Reward
from lrc_training.contests.services.appeals import decide_appeal, file_appeal
from lrc_training.contests.services.bulk import register_excel, register_text
from lrc_training.contests.services.checkin import can_see_mapping, check_in, close_check_in, designate
from lrc_training.contests.services.finalize import blocking_reason
from lrc_training.contests.services.oversight import progress
from lrc_training.contests.services.panels import auto_assign, judge_loads, remove_judge
from lrc_training.contests.services.registration import register
from lrc_training.contests.services.results import publish, result_rows
from lrc_training.contests.services.scoring import reopen_sheet, save_scores, submit_sheet
from lrc_training.contests.services.stages import take_qualifiers
from lrc_training.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from lrc_training.core.models import AuditLog, Notification
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.models import Honor
from tests.contests.helpers import ITEMS, World, published_exam, sheet_of
from tests.factories import accredit, make_org, make_user

PLANNED = {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)}


@pytest.fixture
def world(app):
    return World()


def _published(world, **overrides):
    competition = world.ready(**overrides)
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    db.session.commit()
    return competition


def _age(competition, **delta):
    """Move publication into the past (the clock of the notice period and the appeal window)."""
    competition.published_at = utcnow() - timedelta(**delta)
    db.session.commit()


# --- check-in and anonymity ---------------------------------------------------------------------------------

def test_check_in_draws_unique_codes_and_stations_and_absent_contestants_are_not_scored(world):
    competition = world.competition()
    registrations = world.register_all(competition)
    world.panel(competition)  # panels are fixed before check-in
    for registration in registrations[:4]:
        check_in(world.staff, competition, registration)
    db.session.commit()
    codes = [r.contestant_code for r in registrations[:4]]
    stations = [r.station_number for r in registrations[:4]]
    assert len(set(codes)) == 4 and all(c.startswith("C") and len(c) == 6 for c in codes)
    assert len(set(stations)) == 4 and set(stations) <= {f"{n:03d}" for n in range(1, 6)}
    with pytest.raises(Conflict):
        check_in(world.staff, competition, registrations[0])
    assert close_check_in(world.staff, competition) == 4
    db.session.commit()
    assert competition.state == "drawn"
    with pytest.raises(Conflict):  # late arrivals are not checked in once scoring started
        check_in(world.staff, competition, registrations[4])
    world.score(competition, PLANNED | {4: (100, 100)})
    rows = result_rows(competition)
    assert len(rows) == 4 and registrations[4].user_id not in {r["user_id"] for r in rows}


def test_designated_code_keepers_alone_see_the_mapping(world):
    competition = world.competition()
    colleague = make_user("org_staff", username="colleague", org=world.committee_org)
    assert can_see_mapping(colleague, competition)  # no keeper designated: the whole committee
    designate(colleague, competition, "committee", "code_keeper")  # nobody appoints themself
    db.session.commit()
    assert can_see_mapping(world.staff, competition)
    assert not can_see_mapping(colleague, competition)
    registration = world.register_all(competition)[0]
    with pytest.raises(Forbidden):
        check_in(colleague, competition, registration)
    with pytest.raises(ValidationFailed):  # a contestant cannot be a code keeper or supervisor
        designate(world.staff, competition, world.people[0].username, "supervisor")


# --- panels -------------------------------------------------------------------------------------------------

def test_auto_assign_balances_load_and_never_picks_a_conflicted_judge(world):
    insider = make_user("judge", username="insider", org=world.companies[0])
    extra = [make_user("judge", username=f"x{i}", org=make_org(f"仲裁院{i}", region_code="370100")) for i in range(3)]
    competition = world.competition()
    world.register_all(competition)
    added = auto_assign(world.staff, competition, 3)
    db.session.commit()
    assert added == 6
    assigned = db.session.execute(select(JudgeAssignment.user_id, JudgeAssignment.item_id).where(
        JudgeAssignment.competition_id == competition.id)).all()
    per_judge = {}
    for user_id, _ in assigned:
        per_judge[user_id] = per_judge.get(user_id, 0) + 1
    assert insider.id not in per_judge
    assert len(per_judge) == 6 and set(per_judge.values()) == {1}  # six judges, one item each: balanced
    loads = {load.user_id: load for load in judge_loads(competition)}
    assert loads[insider.id].conflict and not loads[extra[0].id].conflict
    # not enough judges for 7 per item: refused as a whole, nothing added
    with pytest.raises(ValidationFailed) as refused:
        auto_assign(world.staff, competition, 7)
    assert "还差" in refused.value.message
    db.session.rollback()
    assert len(db.session.execute(select(JudgeAssignment.id).where(
        JudgeAssignment.competition_id == competition.id)).all()) == 6


def test_a_judge_who_started_scoring_cannot_be_removed(world):
    competition = world.ready()
    judge = world.judges[1]
    assignment = db.session.execute(select(JudgeAssignment).where(
        JudgeAssignment.competition_id == competition.id, JudgeAssignment.user_id == judge.id)).scalars().first()
    world.score(competition, PLANNED, submit=False, judges=[judge])
    with pytest.raises(Conflict) as fixed:  # after check-in the committee's staff cannot change panels at all
        remove_judge(world.staff, competition, assignment.id)
    assert fixed.value.code == "duties_fixed"
    with pytest.raises(Conflict) as started:  # and not even an admin once the judge has scored
        remove_judge(make_user("admin", username="admin"), competition, assignment.id)
    assert started.value.code == "scoring_started"


# --- the chief judge ----------------------------------------------------------------------------------------

def test_chief_judge_sees_progress_and_outliers_and_reopens_with_a_recorded_reason(app):
    world = World(judges=4)
    competition = world.ready()
    # judge 3 scores contestant 0's practical item far below the panel
    world.score(competition, lambda j, p, item: 20 if (j, p, item) == (3, 0, 1) else PLANNED[p][item])
    chief = world.judges[0]
    _, items = progress(chief, competition.id)
    practical = next(p for p in items if p.item.position == 1)
    assert practical.total == practical.submitted == 20
    station = sheet_of(competition, world.judges[3], world.people[0]).registration.station_number
    assert [(o["code"], o["station_number"], o["judge"]) for o in practical.outliers] == [(None, station, "裁判3")]
    with pytest.raises(NotFound):  # an ordinary judge does not oversee
        progress(world.judges[1], competition.id)
    sheet = sheet_of(competition, world.judges[3], world.people[0])
    with pytest.raises(ValidationFailed):
        reopen_sheet(chief, sheet, "  ")
    reopen_sheet(chief, sheet, "与裁判组平均分偏差过大，请复核")
    db.session.commit()
    assert sheet.submitted_at is None
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "judging_sheet.reopen")).scalar_one()
    assert audit.reason == "与裁判组平均分偏差过大，请复核" and audit.actor_id == chief.id
    assert db.session.execute(select(Notification).where(Notification.user_id == world.judges[3].id,
                                                         Notification.title.like("评分表已重新开放%"))).scalar()
    with pytest.raises(NotFound):  # another judge cannot reopen
        reopen_sheet(world.judges[1], sheet, "理由")


# --- appeals, notice period, finalisation, rewards -------------------------------------------------------------

def test_appeal_window_supervision_group_and_correction_during_the_notice_period(world):
    supervisor = make_user("org_staff", username="supervisor", org=make_org("聊城市人社局", region_code="371500"))
    competition = world.competition()
    designate(world.staff, competition, "supervisor", "supervisor")
    db.session.commit()
    world.register_all(competition)
    world.panel(competition)
    from lrc_training.contests.services.checkin import draw
    draw(world.staff, competition)
    world.score(competition, PLANNED)
    publish(world.staff, competition)
    db.session.commit()
    contestant = world.people[4]
    with pytest.raises(ValidationFailed):
        file_appeal(contestant, competition.id, "太短")
    appeal = file_appeal(contestant, competition.id, "我的案例分析得分明显偏低，请复核评分表。")
    db.session.commit()
    with pytest.raises(Conflict):  # one pending appeal at a time
        file_appeal(contestant, competition.id, "再次申诉，请复核评分表的每一项。")
    with pytest.raises(Forbidden):  # not a contestant
        file_appeal(world.staff, competition.id, "我不是选手，但也想申诉。")
    assert blocking_reason(competition) == "公示期未结束"
    _age(competition, days=6)
    assert blocking_reason(competition) == "还有申诉待处理"
    with pytest.raises(Forbidden):  # the committee does not decide once a supervision group is designated
        decide_appeal(world.staff, appeal.id, True, "同意复核", appeal.version)
    with pytest.raises(Conflict):
        decide_appeal(supervisor, appeal.id, True, "同意复核", appeal.version - 1)
    decide_appeal(supervisor, appeal.id, True, "经查评分有误，同意复核", appeal.version)
    db.session.commit()
    assert db.session.execute(select(Notification).where(Notification.user_id == contestant.id,
                                                         Notification.title.like("申诉处理结果%"))).scalar()
    # the upheld appeal lets the chief judge reopen that contestant's sheet — and only theirs
    sheet = sheet_of(competition, world.judges[1], contestant)
    other = sheet_of(competition, world.judges[1], world.people[3])
    with pytest.raises(Conflict):
        reopen_sheet(world.judges[0], other, "顺便改一下")
    reopen_sheet(world.judges[0], sheet, "申诉成立，复核")
    db.session.commit()
    assert blocking_reason(competition) == "还有更正中的评分表未提交"
    save_scores(world.judges[1], sheet, {str(sheet.item.criteria[0].id): 95}, sheet.version)
    submit_sheet(world.judges[1], sheet)
    db.session.commit()
    row = next(r for r in result_rows(competition) if r["user_id"] == contestant.id)
    assert row["item_details"][1]["judges"] == [50.0, 50.0, 95.0]
    assert blocking_reason(competition) is None


def test_appeals_after_the_window_are_refused(world):
    competition = _published(world)
    _age(competition, hours=3)
    with pytest.raises(ValidationFailed) as late:
        file_appeal(world.people[0], competition.id, "申诉内容：我认为排名有误，请复核。")
    assert late.value.fields == {"text": "不在申诉期内"}


def test_finalize_job_waits_for_the_notice_period_then_freezes_and_records_rewards(world):
    make_user("judge", username="spare")
    # contestant 0 holds level 3 → promoted to level 2; the others hold nothing → promoted to the standard level 4
    evaluator = make_org("聊城市职业技能等级认定中心", kind="evaluator", region_code="371500")
    issue_certificate(IssueRequest(kind="level", holder_name=world.people[0].name, holder_user_id=world.people[0].id,
                                   id_number=world.people[0].id_number, issuer_organization_id=evaluator.id,
                                   level=3, source_type="manual", source_key="held-level-3"))
    competition = _published(world, promotion_awards=["first", "second"], honor_top_n=2)
    assert finalize_due() == 0 and competition.state == "published"
    _age(competition, days=5, minutes=1)
    assert finalize_due() == 1
    db.session.refresh(competition)
    assert competition.state == "final" and competition.finalized_at is not None
    rewards = db.session.execute(select(Reward).where(Reward.competition_id == competition.id)
                                 .order_by(Reward.id)).scalars().all()
    promotions = {r.user_id: r.level for r in rewards if r.kind == "promotion"}
    # 5 contestants: first prize 1 (rank 1), second prize 1 (rank 2)
    assert promotions == {world.people[0].id: 2, world.people[1].id: 4}
    honors = db.session.execute(select(Honor.user_id, Honor.title, Honor.granted_by)).all()
    assert sorted(honors) == sorted([(world.people[0].id, "技术能手", "聊城市总工会"),
                                     (world.people[1].id, "技术能手", "聊城市总工会")])
    # frozen: no score, judge, appeal or re-finalisation
    sheet = sheet_of(competition, world.judges[0], world.people[0])
    with pytest.raises(Conflict):
        reopen_sheet(world.staff, sheet, "结果确定后再改")
    assert finalize_due() == 0
    # promotions become level certificates through the certificates area, only when the committee's organization
    # is accredited (备案) for those levels: a union is not
    with pytest.raises(NotAccredited):
        issue_for_source(world.staff, "competition_promotion", competition.id)
    db.session.rollback()
    assert db.session.query(Certificate).filter(Certificate.source_type == "competition_promotion").count() == 0
    world.committee_org.kind = "evaluator"  # the same committee run by an accredited evaluation organization
    db.session.commit()
    accredit(world.committee_org, levels=(4, 2))
    new, _ = issue_for_source(world.staff, "competition_promotion", competition.id)
    again, everything = issue_for_source(world.staff, "competition_promotion", competition.id)
    assert sorted(c.level for c in new) == [2, 4] and again == [] and len(everything) == 2


# --- stages and qualifiers ----------------------------------------------------------------------------------

def test_a_final_takes_the_top_n_of_its_preliminary_with_ties_advancing_together(world):
    preliminary = world.ready(stage="preliminary", advance_count=2)
    world.score(preliminary, {0: (90, 90), 1: (80, 80), 2: (80, 80), 3: (60, 60), 4: (50, 50)})
    final = world.competition(title="决赛", stage="final")
    with pytest.raises(ValidationFailed):  # not published yet
        take_qualifiers(world.staff, final, preliminary.id)
    publish(world.staff, preliminary)
    db.session.commit()
    taken = take_qualifiers(world.staff, final, preliminary.id)
    db.session.commit()
    assert sorted(r.user_id for r in taken) == sorted(p.id for p in world.people[:3])  # ranks 1, 2, 2
    assert {r.status for r in taken} == {"approved"} and {r.qualified_from_id for r in taken} == {preliminary.id}
    with pytest.raises(Conflict):
        take_qualifiers(world.staff, final, preliminary.id)


def test_a_national_competition_takes_the_qualifiers_of_provincial_competitions(app):
    east, west = World(prefix="东", committee_region="370000"), World(prefix="西", committee_region="370000")
    provincials = []
    for world in (east, west):
        competition = world.ready(tier="provincial", level=3)
        world.score(competition, PLANNED)
        publish(world.staff, competition)
        db.session.commit()
        provincials.append(competition)
    national_org = make_org("人力资源社会保障部", kind="hrss", region_code="110000", national=True)
    national_staff = make_user("org_staff", username="national", org=national_org)
    from lrc_training.contests.services.setup import create_competition
    from tests.contests.helpers import competition_input
    national = create_competition(national_staff, competition_input(tier="national", level=2, title="全国竞赛"))
    db.session.commit()
    for source in provincials:
        take_qualifiers(national_staff, national, source.id, top_n=2)
    db.session.commit()
    names = set(db.session.execute(select(Registration.user_id).where(
        Registration.competition_id == national.id)).scalars())
    assert names == {east.people[0].id, east.people[1].id, west.people[0].id, west.people[1].id}
    city = east.competition(title="市赛", tier="city")
    with pytest.raises(ValidationFailed):  # a city competition takes no qualifiers
        take_qualifiers(east.staff, city, provincials[0].id, top_n=1)


# --- registration: bulk, organization staff, city quota ---------------------------------------------------------

def test_organization_staff_register_their_own_people_in_bulk_with_a_row_report(world):
    competition = world.competition(eligibility={"quota_per_organization": 1})
    hr = make_user("org_staff", username="hr0", org=world.companies[0])
    report = register_text(hr, competition.id, "\n".join([
        world.people[0].username, world.people[3].id_number + ",2",  # both from company 0: quota 1
        world.people[1].username, "nobody", world.people[0].username, ""]))
    db.session.commit()
    assert report.registered == [(1, world.people[0].name, "pending")]
    reasons = dict(report.errors)
    assert "名额" in reasons[2] and reasons[3] == "未找到或不属于本单位"  # another company's person: not named
    assert reasons[4] == "未找到或不属于本单位" and "重复" in reasons[5]
    assert db.session.execute(select(Registration.user_id).where(
        Registration.competition_id == competition.id)).scalars().all() == [world.people[0].id]


def test_bulk_registration_from_excel_reports_bad_files_and_rows(world):
    competition = world.competition()
    book = Workbook()
    book.active.append(["用户名或身份证号", "从事本职业工作年限"])
    book.active.append([world.people[1].username, "abc"])
    book.active.append([world.people[2].username, 3])
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    report = register_excel(world.staff, competition.id, stream)
    db.session.commit()
    assert report.registered == [(3, world.people[2].name, "approved")]
    assert report.errors == [(2, f"{world.people[1].name}：工作年限应为 0 到 60 的数字")]
    assert register_excel(world.staff, competition.id, io.BytesIO(b"not a workbook")).file_error


def test_quota_per_city(world):
    competition = world.competition(eligibility={"quota_per_city": 2})
    register(world.staff, competition.id, world.people[0].id)
    register(world.staff, competition.id, world.people[1].id)
    with pytest.raises(DomainError) as full:
        register(world.staff, competition.id, world.people[2].id)
    assert "名额" in full.value.message and full.value.fields == {"eligibility": "本市名额已满"}
    elsewhere = make_user("trainee", username="jinan", org=make_org("济南企业", region_code="370102"))
    assert register(elsewhere, competition.id, elsewhere.id).status == "pending"  # another city's quota is its own


# --- ranking options and exam-scored theory -----------------------------------------------------------------------

def test_tie_break_order_is_configurable(world):
    # persons 0 and 1 both total 68: person 0 is stronger in practical (40/80), person 1 in theory (75/65)
    points = {0: (40, 80), 1: (75, 65), 2: (10, 10), 3: (10, 10), 4: (10, 10)}
    default = world.ready()
    world.score(default, points)
    rows = result_rows(default)
    assert rows[0]["total"] == rows[1]["total"] == 68.0
    assert [(r["user_id"], r["rank"]) for r in rows[:2]] == [(world.people[0].id, 1), (world.people[1].id, 2)]
    theory_first = world.ready(title="理论优先", tie_break=["theory"])
    world.score(theory_first, points)
    rows = result_rows(theory_first)
    assert [(r["user_id"], r["rank"]) for r in rows[:2]] == [(world.people[1].id, 1), (world.people[0].id, 2)]
    shared = world.ready(title="并列", tie_break=[])
    world.score(shared, points)
    assert [r["rank"] for r in result_rows(shared)] == [1, 1, 3, 3, 3]


def test_an_exam_scored_theory_item_takes_the_published_exam_result(world):
    session = published_exam(world.committee_org, {world.people[0]: Decimal("88.5"), world.people[1]: Decimal("60")})
    items = [{"name": "理论知识（在线考试）", "kind": "theory", "weight": 30, "exam_session_id": session.id},
             ITEMS[1]]
    competition = world.ready(items=items)
    world.score(competition, lambda j, p, item: 80)
    assert {s.item.position for s in db.session.execute(select(JudgingSheet)).scalars()} == {1}  # judges: practical
    rows = {r["user_id"]: r for r in result_rows(competition)}
    first = rows[world.people[0].id]["item_details"][0]
    assert first["method"] == "exam" and first["score"] == 88.5 and first["weighted"] == 26.55
    assert rows[world.people[2].id]["item_details"][0]["score"] == 0.0  # no exam result: 0
    assert rows[world.people[0].id]["total"] == 82.55
    with pytest.raises(ValidationFailed):  # no judges for an exam-scored item
        from lrc_training.contests.services.panels import assign_judge
        assign_judge(world.staff, competition, world.judges[0].id, 0)
