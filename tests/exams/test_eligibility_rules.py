"""Eligibility per level (the table of the skill standard): years are full years AFTER the lower certificate,
counted to the application date, and the reason shows the computation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lrc_training.certificates.services.issuing import IssueRequest, issue_certificate
from lrc_training.exams.models import Application
from lrc_training.exams.services.applications import Ineligible, application_date, apply
from lrc_training.exams.services.eligibility import Facts, HeldCertificate, check_eligibility, full_years
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

ON = date(2026, 11, 26)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def held(level: int, issued_on: date) -> tuple[HeldCertificate, ...]:
    return (HeldCertificate(level, issued_on),)


def verdict(level, **facts):
    on = facts.pop("on", ON)
    if "work_years" in facts:
        facts["work_years"] = Decimal(str(facts["work_years"]))
    return check_eligibility(level, Facts(**facts), on)


# -- full years -------------------------------------------------------------------------------------------------

def test_a_year_is_complete_on_its_anniversary():
    assert full_years(date(2019, 6, 1), date(2024, 6, 1)) == 5
    assert full_years(date(2019, 6, 1), date(2024, 5, 31)) == 4
    assert full_years(date(2020, 2, 29), date(2024, 2, 28)) == 3
    assert full_years(date(2020, 2, 29), date(2024, 2, 29)) == 4
    assert full_years(date(2024, 6, 1), date(2019, 6, 1)) == 0


# -- level 4 ----------------------------------------------------------------------------------------------------

def test_level_4_four_years_of_work_declared_or_dated():
    assert verdict(4, work_years=4).eligible
    refused = verdict(4, work_years="3.9")
    assert not refused.eligible and "满 4 年" in refused.reason and "3.9" in refused.reason
    ok = verdict(4, work_started_on=date(2022, 11, 26))
    assert ok.eligible and ok.reason == "从事本职业或相关职业工作满 4 年：2022-11-26 起已满 4 年"
    short = verdict(4, work_started_on=date(2022, 11, 27))  # one day short
    assert not short.eligible and "2022-11-27 起已满 3 年" in short.reason
    # the date decides over the declared years
    assert not verdict(4, work_years=10, work_started_on=date(2022, 11, 27)).eligible


def test_level_4_technical_school_in_a_related_major_or_a_finished_course():
    assert verdict(4, education="technical_school", related_major=True).eligible
    assert not verdict(4, education="technical_school", related_major=False).eligible
    assert verdict(4, completed_course_levels=(4,)).eligible


# -- level 3 ----------------------------------------------------------------------------------------------------

def test_level_3_five_years_after_the_level_4_certificate():
    ok = verdict(3, certificates=held(4, date(2019, 6, 1)), work_started_on=date(2010, 1, 1),
                 on=date(2024, 6, 1))
    assert ok.eligible and ok.reason == "持四级证书（2019-06-01 发证）满 5 年：已满 5 年"
    short = verdict(3, certificates=held(4, date(2019, 6, 1)), work_started_on=date(2010, 1, 1),
                    on=date(2024, 5, 31))
    assert not short.eligible and "持四级证书（2019-06-01 发证）满 5 年：已满 4 年" in short.reason
    assert verdict(3, certificates=held(4, date(2019, 6, 1)), work_years=9, on=ON).reason == \
        "持四级证书（2019-06-01 发证）满 5 年：已满 7 年"


def test_level_3_total_years_do_not_count_before_the_certificate():
    """The bug: a level-4 certificate issued today plus 5 years' total work was accepted."""
    refused = verdict(3, certificates=held(4, ON), work_years=5)
    assert not refused.eligible and "满 5 年：已满 0 年" in refused.reason
    refused = verdict(3, certificates=held(4, ON), work_started_on=date(2000, 1, 1))
    assert not refused.eligible and "已满 0 年" in refused.reason


def test_level_3_declared_years_count_at_most_the_time_since_the_certificate():
    seven_years = held(4, date(2019, 6, 1))
    counted = verdict(3, certificates=seven_years, work_years=6)
    assert counted.eligible and "发证至今 7 年，申报工作年限 6 年，按 6 年计" in counted.reason
    short = verdict(3, certificates=seven_years, work_years="4.5")
    assert not short.eligible and "按 4.5 年计" in short.reason


def test_level_3_work_that_started_after_the_certificate_counts_from_its_start():
    facts = {"certificates": held(4, date(2015, 3, 1)), "work_started_on": date(2020, 1, 1)}
    assert not verdict(3, on=date(2024, 12, 31), **facts).eligible
    ok = verdict(3, on=date(2025, 1, 1), **facts)
    assert ok.eligible and ok.reason == "持四级证书（2015-03-01 发证）满 5 年：2020-01-01 起从事本职业工作，已满 5 年"


def test_level_3_senior_technical_school_needs_only_the_certificate():
    ok = verdict(3, certificates=held(4, ON), education="senior_technical")
    assert ok.eligible and "高级技工学校/技师学院" in ok.reason
    assert not verdict(3, education="senior_technical", work_years=30).eligible  # still needs level 4


def test_level_3_junior_college_two_years_after_the_certificate():
    cert = held(4, date(2024, 11, 26))
    ok = verdict(3, certificates=cert, education="junior_college", work_years=20)
    assert ok.eligible and ok.reason == "大专学历，持四级证书（2024-11-26 发证）满 2 年：已满 2 年"
    assert not verdict(3, certificates=held(4, date(2024, 11, 27)), education="junior_college", work_years=20).eligible


def test_level_3_bachelor_one_year_after_the_certificate():
    ok = verdict(3, certificates=held(4, date(2025, 11, 26)), education="bachelor", work_years=20)
    assert ok.eligible and ok.reason == "本科及以上学历，持四级证书（2025-11-26 发证）满 1 年：已满 1 年"
    assert not verdict(3, certificates=held(4, date(2025, 11, 27)), education="bachelor", work_years=20).eligible
    # one year is not enough for a junior-college diploma
    assert not verdict(3, certificates=held(4, date(2025, 11, 26)), education="junior_college",
                       work_years=20).eligible
    # a master's degree outside the related majors counts as a degree
    assert verdict(3, certificates=held(4, date(2025, 11, 26)), education="master", work_years=20).eligible


def test_level_3_a_related_masters_degree_needs_no_certificate():
    ok = verdict(3, education="master", related_major=True)
    assert ok.eligible and "相关专业硕士" in ok.reason
    refused = verdict(3, education="master", related_major=False)
    assert not refused.eligible and "需先取得四级" in refused.reason


def test_a_higher_certificate_stands_for_the_lower_one_and_the_earliest_counts():
    assert verdict(3, certificates=held(3, date(2018, 1, 1)), work_years=8).eligible
    two = (HeldCertificate(4, date(2015, 1, 1)), HeldCertificate(3, date(2024, 1, 1)))
    assert "2015-01-01 发证" in verdict(3, certificates=two, work_years=11).reason


# -- levels 2 and 1 ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "below", "name"), [(2, 3, "三级"), (1, 2, "二级")])
def test_levels_2_and_1_four_years_after_the_certificate_below(level, below, name):
    ok = verdict(level, certificates=held(below, date(2022, 11, 26)), work_started_on=date(2005, 1, 1))
    assert ok.eligible and ok.reason == f"持{name}证书（2022-11-26 发证）满 4 年：已满 4 年"
    short = verdict(level, certificates=held(below, date(2022, 11, 27)), work_started_on=date(2005, 1, 1))
    assert not short.eligible and "已满 3 年" in short.reason
    # twenty years' total work do not make up for a recent certificate
    assert not verdict(level, certificates=held(below, date(2025, 1, 1)), work_years=20).eligible
    # the certificate below is needed (two levels below is not enough)
    missing = verdict(level, certificates=held(below + 1, date(2000, 1, 1)), work_years=30)
    assert not missing.eligible and "需先取得" in missing.reason


def test_a_certificate_issued_on_29_february_completes_its_years_on_1_march():
    facts = {"certificates": held(3, date(2020, 2, 29)), "work_started_on": date(2010, 1, 1)}
    assert not verdict(2, on=date(2024, 2, 28), **facts).eligible
    assert verdict(2, on=date(2024, 2, 29), **facts).eligible


# -- applying: the API and the page ----------------------------------------------------------------------------

EXTERNAL_LEVEL_4 = "S000037150001194000123"  # letter, org, province, site, year 19, level 4, serial


@pytest.fixture
def level3(client):
    org, staff = setup_org()
    make_bank(staff, level=3)
    session = make_session(staff, level=3, title="2026 年第一批三级认定")
    person = make_user("trainee", username="cand", name="陈晓燕")
    return {"org": org, "staff": staff, "session": session, "person": person}


def _platform_certificate(world, issued_on):
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=world["person"].name, holder_user_id=world["person"].id,
        id_number=world["person"].id_number, issuer_organization_id=world["org"].id, source_type="manual", level=4,
        issued_on=issued_on))
    db.session.commit()
    return cert


def _apply(client, world, body):
    return client.post(f"/api/v1/exam-sessions/{world['session'].id}/applications", json=body,
                       headers=api_token(client, "cand"))


def test_api_contract_body_is_judged_by_the_years_after_the_platform_certificate(client, level3):
    today = application_date()
    cert = _platform_certificate(level3, today)
    refused = _apply(client, level3, {"work_years": 5, "prior_certificate_number": cert.number})
    body = refused.get_json()
    assert refused.status_code == 422 and body["error"] == "ineligible"
    assert f"持四级证书（{today.isoformat()} 发证）满 5 年：已满 0 年" in body["message"]


def test_api_accepts_the_contract_body_when_the_platform_certificate_is_old_enough(client, level3):
    issued = years_before(application_date(), 7)
    cert = _platform_certificate(level3, issued)
    created = _apply(client, level3, {"work_years": 7, "prior_certificate_number": cert.number})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["eligibility"] == f"持四级证书（{issued.isoformat()} 发证）满 5 年：已满 7 年"
    # without the number the platform still knows the person's certificate and its date
    assert db.session.execute(select(Application.prior_certificate_issued_on)).scalar_one() == issued


def test_api_one_day_short_of_five_years_is_refused(client, level3):
    today = application_date()
    _platform_certificate(level3, years_before(today, 5) + timedelta(days=1))
    refused = _apply(client, level3, {"work_started_on": "2000-01-01"})
    assert refused.status_code == 422 and "已满 4 年" in refused.get_json()["message"]


def test_api_certificate_issued_elsewhere_needs_its_issue_date(client, level3):
    missing = _apply(client, level3, {"work_years": 10, "prior_certificate_number": EXTERNAL_LEVEL_4})
    assert missing.status_code == 422 and "prior_certificate_issued_on" in missing.get_json()["fields"]
    mismatch = _apply(client, level3, {"work_years": 10, "prior_certificate_number": EXTERNAL_LEVEL_4,
                                       "prior_certificate_issued_on": "2019-06-01", "prior_certificate_level": 3})
    assert mismatch.status_code == 422 and "prior_certificate_level" in mismatch.get_json()["fields"]
    bad_date = _apply(client, level3, {"work_started_on": "2019-13-01"})
    assert bad_date.status_code == 400 and "work_started_on" in bad_date.get_json()["fields"]  # malformed
    future = _apply(client, level3, {"work_started_on": (application_date() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "work_started_on" in future.get_json()["fields"]

    started = years_before(application_date(), 10)
    created = _apply(client, level3, {"work_years": 1, "work_started_on": started.isoformat(),
                                      "prior_certificate_number": EXTERNAL_LEVEL_4,
                                      "prior_certificate_issued_on": "2019-06-01"})
    assert created.status_code == 201
    data = created.get_json()
    assert data["work_years"] == 10.0  # the start date decides over the declared years
    assert data["eligibility"].startswith("持四级证书（2019-06-01 发证）满 5 年：已满 ")
    application = db.session.get(Application, data["id"])
    assert (application.prior_certificate_level, application.work_started_on) == (4, started)


def test_someone_elses_platform_certificate_is_not_a_basis_and_the_error_names_no_one(client, level3):
    other = make_user("trainee", username="other", name="王秀英")
    cert, _ = issue_certificate(IssueRequest(
        kind="level", holder_name=other.name, holder_user_id=other.id, id_number=other.id_number,
        issuer_organization_id=level3["org"].id, source_type="manual", level=4, issued_on=date(2015, 1, 1)))
    db.session.commit()
    refused = _apply(client, level3, {"work_years": 10, "prior_certificate_number": cert.number})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "prior_certificate_number" in refused.get_json()["fields"]
    assert "王秀英" not in text and other.id_number not in text


def test_the_page_asks_for_the_dates_and_shows_the_computation_to_trainee_and_staff(client, level3):
    login(client, "cand")
    url = f"/exams/sessions/{level3['session'].id}/apply"
    form = client.get(url).get_data(as_text=True)
    assert "从事本职业或相关职业的起始日期" in form and "该证书的发证日期" in form
    missing = post_form(client, url, {"work_years": "8", "education": "none", "related_major": "no",
                                      "prior_certificate_number": EXTERNAL_LEVEL_4})
    assert missing.status_code == 422 and "非本平台签发的证书请填写发证日期" in missing.get_data(as_text=True)
    bad = post_form(client, url, {"work_started_on": "2019/06", "education": "none", "related_major": "no"})
    assert "日期格式应为 年-月-日" in bad.get_data(as_text=True)
    issued = years_before(application_date(), 2)
    refused = post_form(client, url, {"work_years": "8", "education": "none", "related_major": "no",
                                      "prior_certificate_number": EXTERNAL_LEVEL_4,
                                      "prior_certificate_issued_on": issued.isoformat()})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f"持四级证书（{issued.isoformat()} 发证）满 5 年" in page
    assert "满 5 年：已满 2 年" in page and EXTERNAL_LEVEL_4 in page  # the values stay
    done = post_form(client, url, {"work_years": "8", "education": "bachelor", "related_major": "no",
                                   "prior_certificate_number": EXTERNAL_LEVEL_4,
                                   "prior_certificate_issued_on": issued.isoformat()})
    assert done.status_code == 302
    note = f"本科及以上学历，持四级证书（{issued.isoformat()} 发证）满 1 年：已满 2 年"
    assert note in client.get("/exams/mine").get_data(as_text=True)
    client.delete_cookie("session")  # sign out
    login(client, "staff")
    assert note in client.get(f"/exams/sessions/{level3['session'].id}").get_data(as_text=True)


def test_staff_override_keeps_the_stated_dates(level3):
    from lrc_training.exams.services.applications import staff_register

    with pytest.raises(Ineligible):
        apply(level3["person"], level3["session"].id, work_started_on=date(2001, 1, 1))
    application = staff_register(level3["staff"], level3["session"], level3["person"],
                                 override_reason="省级技术能手，破格申报", work_started_on=date(2001, 1, 1))
    assert application.work_started_on == date(2001, 1, 1) and application.eligibility_note.startswith("不符合")
