"""What a coordinator's record page shows (training hours, competition rank and award, honors), that every new
registry page and export stays inside the caller's region, and that imports are audited and refuse a row that
would collide with an existing account instead of failing."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.contests.services.results import publish
from lrc_training.core.models import AuditLog
from lrc_training.courses.models import Course, Enrollment
from lrc_training.db import utcnow
from lrc_training.extensions import db
from lrc_training.registry.models import Honor, RegistryEntry
from lrc_training.registry.services.access import Access
from lrc_training.registry.services.importing import import_registry
from tests.conftest import login, post_form
from tests.contests.helpers import World
from tests.factories import make_org, make_user, valid_id_number
from tests.registry.helpers import import_sheet


def switch_user(client, username: str):
    post_form(client, "/logout", {}, token_from="/profile")
    login(client, username)


def test_record_page_shows_training_hours_competition_rank_award_and_honors(app, client):
    world = World()  # committee staff of 聊城市总工会 (scope 3715); contestants in 东昌府区 enterprises
    competition = world.ready()
    world.score(competition, {0: (90, 90), 1: (80, 80), 2: (70, 70), 3: (60, 60), 4: (50, 50)})
    publish(world.staff, competition)
    winner = world.people[0]
    now = utcnow()
    course = Course(organization_id=world.committee_org.id, title="集体协商实务培训", level=4, hours=40, capacity=30,
                    starts_on=now.date(), ends_on=now.date(), enrollment_closes_at=now, status="published",
                    completion_share=0.8)
    other = Course(organization_id=world.committee_org.id, title="仍在进行的课程", level=4, hours=16, capacity=30,
                   starts_on=now.date(), ends_on=now.date(), enrollment_closes_at=now, status="published",
                   completion_share=0.8)
    db.session.add_all([course, other])
    db.session.flush()
    db.session.add_all([Enrollment(course_id=course.id, user_id=winner.id, status="completed", hours_attended=36,
                                   completed_at=now),
                        Enrollment(course_id=other.id, user_id=winner.id, status="enrolled", hours_attended=8),
                        Honor(user_id=winner.id, title="五一劳动奖章", granted_by="山东省总工会",
                              granted_on=date(2025, 5, 1))])
    db.session.commit()

    login(client, "committee")
    page = client.get(f"/registry/people/{winner.id}").get_data(as_text=True)
    assert "集体协商实务培训" in page and "共 36 学时" in page and "仍在进行的课程" not in page
    assert competition.title in page and "第 1 名" in page and "一等奖" in page
    assert "五一劳动奖章" in page and "山东省总工会" in page
    last = client.get(f"/registry/people/{world.people[4].id}").get_data(as_text=True)
    assert "第 5 名" in last and "一等奖" not in last

    qingdao = make_org("青岛市人社局", kind="hrss", region_code="370200")
    make_user("org_staff", username="qdstaff", org=qingdao)
    db.session.commit()
    switch_user(client, "qdstaff")
    assert client.get(f"/registry/people/{winner.id}").status_code == 404
    assert client.post(f"/registry/people/{winner.id}", data={"position": "x", "full_time": "0"}).status_code in (
        400, 404)  # no CSRF token or outside: either way nothing is saved
    assert db.session.execute(select(RegistryEntry).where(RegistryEntry.user_id == winner.id)).scalar() is None


def _two_cities():
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    liaocheng = make_org("聊城市人社局", kind="hrss", region_code="371500")
    province = make_org("山东省人社厅", kind="hrss", region_code="370000")
    small = make_org("聊城小企业", kind="enterprise", region_code="371502")
    big_lc = make_org("聊城钢铁集团", kind="enterprise", region_code="371502")
    big_qd = make_org("青岛港集团", kind="enterprise", region_code="370211")
    big_lc.employees, big_qd.employees, small.employees = 5000, 9000, 30
    people = {"lc": make_user("trainee", username="lc", name="陈晓燕", org=small),
              "qd1": make_user("trainee", username="qd1", name="孙丽娟", org=big_qd),
              "qd2": make_user("trainee", username="qd2", name="周建国", org=big_qd)}
    for person in people.values():
        issue_certificate(IssueRequest(kind="level", holder_name=person.name, holder_user_id=person.id,
                                       issuer_organization_id=evaluator.id, source_type="manual", level=4))
    make_user("org_staff", username="citystaff", org=liaocheng)
    make_user("org_staff", username="provstaff", org=province)
    db.session.commit()
    return people


def test_dashboard_trends_large_enterprises_and_export_stay_inside_the_scope(client):
    _two_cities()
    this_month = utcnow().strftime("%Y-%m")
    login(client, "citystaff")
    page = client.get("/registry/").get_data(as_text=True)
    assert "聊城钢铁集团" in page and "青岛港集团" not in page
    book = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data))
    coverage = [[c for c in row if c is not None] for row in book["企业覆盖"].iter_rows(values_only=True)]
    assert coverage[1] == [2, 1, 0, 50.0]  # 聊城: two enterprises, one with a coordinator
    names = [row[0] for row in coverage[5:]]
    assert names == ["聊城钢铁集团"]
    trends = {row[0]: row for row in book["月度趋势"].iter_rows(min_row=2, values_only=True)}
    assert trends[this_month][1] == 1  # only the Liaocheng certificate of the three issued this month
    assert [row[0] for row in book["人员名单"].iter_rows(min_row=2, values_only=True)] == ["陈晓燕"]
    for path in ("/registry/?region_code=370200", "/registry/export.xlsx?region_code=370200",
                 "/registry/list?region_code=370211", "/registry/export.xlsx?region_code=370000"):
        assert client.get(path).status_code == 403, path

    switch_user(client, "provstaff")
    book = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data))
    trends = {row[0]: row for row in book["月度趋势"].iter_rows(min_row=2, values_only=True)}
    assert trends[this_month][1] == 3
    coverage = [[c for c in row if c is not None] for row in book["企业覆盖"].iter_rows(values_only=True)]
    assert coverage[1] == [3, 2, 0, 66.7]
    assert [row[0] for row in coverage[5:]] == ["聊城钢铁集团"]  # 青岛港集团 has its two coordinators
    from lrc_training.registry.services.trends import large_enterprise_gaps

    qingdao = large_enterprise_gaps(Access.region("3702"))
    assert (qingdao["large"], qingdao["short"], qingdao["enterprises"]) == (1, 0, [])
    assert large_enterprise_gaps(Access.region("37"), limit=0)["short"] == 1
    drilled = load_workbook(io.BytesIO(client.get("/registry/export.xlsx?region_code=370200").data))
    assert [row[0] for row in drilled["人员名单"].iter_rows(min_row=2, values_only=True)] == ["孙丽娟", "周建国"]




def test_import_is_audited_and_a_username_collision_is_a_refused_row(app):
    company = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    staff = make_user("org_staff", username="citystaff", org=make_org("聊城市人社局", kind="hrss",
                                                                       region_code="371500"))
    taken = valid_id_number(region="371502", birth="19880808", seq=401)
    make_user("trainee", username=taken, name="另一个人", org=company)  # username = someone else's ID number
    fresh = valid_id_number(region="371502", birth="19890909", seq=402)
    db.session.commit()
    rows = [["王建华", fresh, "聊城企业甲", "EXT001", "三级", "调解员", "兼职", "2018-01-01"],
            ["刘洋", taken, "聊城企业甲", "EXT002", "四级", "", "", ""]]
    report = import_registry(staff, import_sheet(rows))
    db.session.commit()
    assert report.added == [(2, "王建华")]
    assert len(report.errors) == 1 and report.errors[0][0] == 3 and "用户名" in report.errors[0][1]
    assert db.session.execute(select(RegistryEntry).where(RegistryEntry.certificate_number == "EXT002")).scalar() is None

    rows[0][6] = "专职"
    assert import_registry(staff, import_sheet(rows[:1])).updated == [(2, "王建华")]
    db.session.commit()
    audit = {a.action: a for a in db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "registry_entry").order_by(AuditLog.id)).scalars()}
    assert audit["registry.add"].new["certificate_number"] == "EXT001"
    assert audit["registry.update"].old["full_time"] is False and audit["registry.update"].new["full_time"] is True
    assert audit["registry.update"].actor_id == staff.id


def test_pass_rates_fall_in_the_month_of_publication_and_only_the_last_12_months_count(app):
    from datetime import timedelta

    from lrc_training.exams.models import Application, ExamSession, PartResult
    from lrc_training.exams.services.outcomes import rebuild
    from lrc_training.registry.services.trends import monthly_trends, months_back

    company = make_org("聊城企业甲", kind="enterprise", region_code="371502")
    evaluator = make_org("认定中心", kind="evaluator", region_code="370000")
    people = [make_user("trainee", username=f"x{i}", org=company) for i in range(5)]
    months = months_back(13)
    plan = {months[-1]: [True, True], months[-3]: [True, False, False], months[0]: [False, False, False, False, True]}
    for n, (month, outcomes) in enumerate(plan.items()):
        published = datetime_in(month)
        session = ExamSession(organization_id=evaluator.id, title=f"认定{n}", level=4, parts=["theory"],
                              opens_at=published - timedelta(days=3), closes_at=published - timedelta(days=2),
                              applications_close_at=published - timedelta(days=4), blueprint=[], state="published",
                              published_at=published)
        db.session.add(session)
        db.session.flush()
        for person, passed in zip(people, outcomes, strict=False):
            application = Application(session_id=session.id, user_id=person.id, status="approved")
            db.session.add(application)
            db.session.flush()
            db.session.add(PartResult(application_id=application.id, user_id=person.id, level=4, part="theory",
                                      score=80 if passed else 40, passed=passed, published_at=published))
    db.session.commit()
    rebuild()
    db.session.commit()
    rows = {r["month"]: r for r in monthly_trends(Access.region("3715"))}
    assert months[0] not in rows and len(rows) == 12  # 13 months ago is outside the window
    assert (rows[months[-1]]["exam_candidates"], rows[months[-1]]["pass_rate"]) == (2, 100.0)
    assert (rows[months[-3]]["exam_candidates"], rows[months[-3]]["exam_passed"], rows[months[-3]]["pass_rate"]) == (
        3, 1, 33.3)
    assert rows[months[-2]]["pass_rate"] is None and rows[months[-2]]["exam_candidates"] == 0
    assert all(r["exam_candidates"] == 0 for r in monthly_trends(Access.region("3702")))


def datetime_in(month: str):
    """Noon on the 10th of a 'YYYY-MM' month, UTC (or now, for the current month, so nothing is in the future)."""
    from datetime import UTC, datetime

    moment = datetime(int(month[:4]), int(month[5:]), 10, 12, tzinfo=UTC)
    return min(moment, utcnow())


def test_export_statement_count_does_not_grow_with_the_number_of_coordinators(client, count_queries):
    from sqlalchemy import insert

    from lrc_training.auth.models import User
    from lrc_training.certificates.models import Certificate

    people = _two_cities()
    login(client, "citystaff")
    with count_queries() as few:
        assert client.get("/registry/export.xlsx").status_code == 200
    company = people["lc"].organization
    now = utcnow()
    db.session.execute(insert(User), [{"username": f"bulk{i}", "name": f"协调员{i}", "organization_id": company.id,
                                       "password_hash": "x", "session_stamp": "x", "active": True, "created_at": now,
                                       "updated_at": now, "version": 1} for i in range(620)])  # > one 500-row batch
    ids = db.session.execute(select(User.id).where(User.username.like("bulk%"))).scalars().all()
    db.session.execute(insert(Certificate), [
        {"number": f"S0000371500012600{n:05d}", "kind": "level", "status": "valid", "holder_name": "协调员",
         "holder_user_id": user_id, "id_type": "居民身份证", "occupation": "劳动关系协调员", "job_direction": "--",
         "level": 4, "issuer_organization_id": company.id, "issuer_name": company.name, "issued_on": now.date(),
         "source_type": "import", "created_at": now, "updated_at": now} for n, user_id in enumerate(ids)])
    db.session.commit()
    with count_queries() as many:
        data = client.get("/registry/export.xlsx").data
    assert many.count == few.count
    rows = list(load_workbook(io.BytesIO(data))["人员名单"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 621
    assert {r[5] for r in rows if r[0] != "陈晓燕"} == {f"S0000371500012600{n:05d}" for n in range(620)}
