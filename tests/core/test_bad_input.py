"""Bad input that used to be a 500, one regression test each (each failed before its fix): the answer is now a 4xx
naming the field (API) or a Chinese message on the page, and nothing is stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from lrc_training.certificates.models import Certificate, CertificateSettings, ManualCertificateRequest
from lrc_training.contests.models import Competition, JudgingSheet, Registration
from lrc_training.contests.services.scoring import sheets_for
from lrc_training.core.errors import ValidationFailed
from lrc_training.core.images import check_image
from lrc_training.core.models import Notification
from lrc_training.core.notifications import notify, unread_count
from lrc_training.core.params import ascii_int
from lrc_training.exams.models import ExamSession
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.contests.helpers import World, sheet_of
from tests.contests.test_competitions_api import body as competition_body
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.exams.helpers import make_bank, setup_org
from tests.factories import make_org, make_user

UNICODE_DIGITS = ["²", "①", "١٢", "９", "𝟙"]


# -- query parameters --------------------------------------------------------------------------------------------

def test_ascii_int_takes_only_what_people_type_as_a_number():
    assert ascii_int("42") == 42 and ascii_int(" 7 ") == 7 and ascii_int("-3") == -3 and ascii_int("007") == 7
    for raw in [*UNICODE_DIGITS, "", "-", "1_000", "0x10", "1.5", "1e3", "9" * 20, "9" * 5000, None, 5]:
        assert ascii_int(raw) is None, raw
    assert ascii_int("5", low=1, high=4) is None and ascii_int("0", low=1) is None


@pytest.mark.parametrize("level", [*UNICODE_DIGITS, "9" * 30, "5", "0", "abc"])
def test_course_list_level_is_400_naming_level(client, level):
    response = client.get("/api/v1/courses", query_string={"level": level})  # public: no token needed
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["error"] == "bad_request" and "level" in body["fields"]


def test_course_list_api_and_catalog_page_share_their_filters(client):
    _, teacher = make_school_and_teacher()
    make_course(teacher, level=3, title="调解实务甲班")
    make_course(teacher, level=4, title="合同实务乙班")
    listing = client.get("/api/v1/courses", query_string={"level": "3"}).get_json()
    assert [c["title"] for c in listing["items"]] == ["调解实务甲班"]
    # The page's other filters work on the API too (same schema) ...
    assert client.get("/api/v1/courses", query_string={"q": "乙班"}).get_json()["total"] == 1
    assert client.get("/api/v1/courses", query_string={"region": "3715"}).get_json()["total"] == 2
    response = client.get("/api/v1/courses", query_string={"region": "聊城", "starts_after": "9999-12-31"})
    assert response.status_code == 400 and set(response.get_json()["fields"]) == {"region", "starts_after"}
    # ... and the page drops a bad filter with a message instead of failing.
    for bad in ["²", "9" * 30]:
        page = client.get("/courses/", query_string={"level": bad, "q": "甲班"})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "已忽略无效的筛选条件" in text and "等级" in text
        assert "调解实务甲班" in text and "合同实务乙班" not in text  # the good filter still applies


@pytest.mark.parametrize("level", ["²", "9" * 30])
def test_question_list_level_is_400_and_bank_page_ignores_it_with_a_message(client, level):
    _, staff = setup_org()
    make_bank(staff, singles=1, true_false=0)
    headers = api_token(client, "staff")
    response = client.get("/api/v1/questions", query_string={"level": level}, headers=headers)
    assert response.status_code == 400 and "level" in response.get_json()["fields"]
    assert client.get("/api/v1/questions", query_string={"kind": "poem"}, headers=headers).status_code == 400
    assert client.get("/api/v1/questions", query_string={"level": "4"}, headers=headers).get_json()["total"] == 1
    login(client, "staff")
    page = client.get("/exams/bank", query_string={"level": level})
    assert page.status_code == 200 and "已忽略无效的筛选条件" in page.get_data(as_text=True)
    assert "单选题0" in page.get_data(as_text=True)
    assert client.get("/exams/bank/export.xlsx", query_string={"level": level}).status_code == 200


# -- hidden form fields ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", ["²", "9" * 30, "abc"])
def test_a_bad_notification_id_is_400_and_marks_nothing_read(client, bad_id):
    user = make_user("trainee", username="reader")
    first, second = notify(user.id, "通知一"), notify(user.id, "通知二")
    db.session.commit()
    login(client, "reader")
    response = post_form(client, "/notifications/read", {"notification_id": bad_id}, token_from="/notifications")
    assert response.status_code == 400
    assert unread_count(user.id) == 2  # not "mark everything read", as a non-number used to mean
    ok = post_form(client, "/notifications/read", {"notification_id": str(first.id)}, token_from="/notifications")
    assert ok.status_code == 302 and unread_count(user.id) == 1
    assert db.session.get(Notification, second.id).read_at is None


@pytest.mark.parametrize("version", ["²", "١", "9" * 30])
def test_a_bad_judging_sheet_version_is_a_stale_version_not_a_500(client, version):
    world = World(contestants=2, judges=1)
    competition = world.ready()
    judge = world.judges[0]
    sheets_for(judge)  # the judge's sheets are laid out when first listed
    db.session.commit()
    sheet = sheet_of(competition, judge, world.people[0])
    criterion = sheet.item.criteria[0]
    login(client, judge.username)
    form = post_form(client, f"/contests/judging/sheets/{sheet.id}",
                     {"version": version, f"score-{criterion.id}": "50"}, token_from="/contests/judging",
                     headers={"Accept": "application/json"})
    assert form.status_code == 409 and "version" in form.get_json()["fields"]
    headers = api_token(client, judge.username)
    for bad in (version, 10**30, 1.5):
        api = client.put(f"/api/v1/judging/sheets/{sheet.id}", json={"scores": {str(criterion.id): 50},
                                                                      "version": bad}, headers=headers)
        assert api.status_code in (400, 422) and "version" in api.get_json()["fields"], api.get_json()
    db.session.expire_all()
    assert db.session.get(JudgingSheet, sheet.id).scores in ({}, None)


# -- dates and times ---------------------------------------------------------------------------------------------

SESSION = {"title": "2026 年第二批四级认定", "level": 4, "opens_at": "2026-12-01T09:00:00+08:00",
           "closes_at": "2026-12-01T12:00:00+08:00", "duration_minutes": 90,
           "blueprint": [{"function_code": "LC", "kind": "single", "count": 3, "points_each": 10}]}


@pytest.mark.parametrize(("field", "value"), [
    ("closes_at", "9999-12-31T23:59:59-12:00"),  # year 10000 in UTC: OverflowError when converted
    ("opens_at", "0001-01-01T00:00:00+14:00"),  # year 0 in UTC
    ("applications_close_at", "2101-01-01T00:00:00+08:00"),
    ("opens_at", "1999-12-31T23:59:00+08:00"),
])
def test_exam_session_times_outside_2000_to_2100_are_422_naming_the_field(client, field, value):
    _, staff = setup_org()
    make_bank(staff, singles=3, true_false=0)
    response = client.post("/api/v1/exam-sessions", json={**SESSION, field: value}, headers=api_token(client, "staff"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"] == {field: "时间应在 2000 年至 2100 年之间"}
    assert db.session.query(ExamSession).count() == 0
    assert client.post("/api/v1/exam-sessions", json=SESSION, headers=api_token(client, "staff")).status_code == 201


def test_every_api_date_is_bounded_too(client):
    _, teacher = make_school_and_teacher()
    body = {"title": "劳动合同管理实务", "level": 4, "hours": 40, "capacity": 30, "starts_on": "9999-12-31",
            "ends_on": "9999-12-31", "enrollment_closes_at": "9999-12-31T23:59:59"}
    response = client.post("/api/v1/courses", json=body, headers=api_token(client, teacher.username))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"starts_on", "ends_on", "enrollment_closes_at"}
    assert response.get_json()["fields"]["starts_on"] == "日期应在 1950 年至 2100 年之间"


def test_exam_session_form_refuses_year_9999_with_a_chinese_field_error(client):
    _, staff = setup_org()
    make_bank(staff, singles=3, true_false=0)
    login(client, "staff")
    data = {"title": "2026 第二批", "level": "4", "parts": ["theory"], "opens_at": "2026-12-01T09:00",
            "closes_at": "9999-12-31T23:59", "duration_minutes": "90", "pass_mark": "60",
            "examiners_per_paper": "3", "arbitration_share": "0.2", "blueprint-0-function_code": "LC",
            "blueprint-0-kind": "single", "blueprint-0-count": "3", "blueprint-0-points_each": "10"}
    page = post_form(client, "/exams/sessions/new", data)
    assert page.status_code == 200 and "时间应在 2000 年至 2100 年之间" in page.get_data(as_text=True)
    page = post_form(client, "/exams/sessions/new", {**data, "closes_at": "明天"})
    assert "时间格式不正确" in page.get_data(as_text=True)
    assert db.session.query(ExamSession).count() == 0
    assert post_form(client, "/exams/sessions/new", {**data, "closes_at": "2026-12-01T12:00"}).status_code == 302


# -- image uploads -----------------------------------------------------------------------------------------------

def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares width×height pixels (a decompression bomb once decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (10000, 10000), (7000, 10)])
def test_an_oversized_seal_or_photo_is_refused_from_its_header(client, width, height):
    org = make_org("山东省劳动关系协调员职业技能等级认定中心", kind="evaluator", region_code="370000", seal=False)
    make_user("org_staff", username="seals", org=org)
    login(client, "seals")
    seal = client.post("/certificates/settings", data={
        "csrf_token": csrf_token(client, "/certificates/settings"), "type_letter": "S", "org_code": "0000",
        "province_code": "37", "site_code": "150001", "registered_name": "山东省劳动关系协调员评价中心",
        "signatory": "王建国", "seal": (io.BytesIO(png_declaring(width, height)), "seal.png")},
        content_type="multipart/form-data")
    assert seal.status_code == 200 and "图片尺寸过大" in seal.get_data(as_text=True)
    assert db.session.query(CertificateSettings).count() == 0
    holder = make_user("trainee", username="holder", name="陈晓燕")
    photo = client.post("/certificates/issue", data={
        "csrf_token": csrf_token(client, "/certificates/issue"), "holder_name": "陈晓燕",
        "id_number": holder.id_number, "level": "3", "job_direction": "--", "issued_on": "2025-06-30",
        "reason": "纸质档案补录", "evidence": "认定成绩册第 12 页",
        "photo": (io.BytesIO(png_declaring(width, height)), "photo.png")}, content_type="multipart/form-data")
    assert photo.status_code == 200 and "图片尺寸过大" in photo.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0
    assert db.session.query(ManualCertificateRequest).count() == 0


def test_check_image_accepts_a_normal_seal_and_names_the_field():
    buffer = io.BytesIO()
    Image.new("RGBA", (600, 600), (200, 0, 0, 128)).save(buffer, "PNG")
    assert check_image(buffer.getvalue(), "seal") == "PNG"
    with pytest.raises(ValidationFailed) as refused:
        check_image(png_declaring(20000, 20000), "seal")
    assert "seal" in refused.value.fields
    with pytest.raises(ValidationFailed, match="不是有效的图片"):
        check_image(b"GIF89a not really", "seal")


# -- competition eligibility -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("eligibility", "status", "field"), [
    ({"min_level": "abc"}, 400, "eligibility.min_level"),  # accepted before, then every registration was a 500
    ({"min_level": "3"}, 400, "eligibility.min_level"),
    ({"min_level": 5}, 422, "eligibility.min_level"),
    ({"min_level": 3.5}, 400, "eligibility.min_level"),
    ({"min_work_years": 61}, 422, "eligibility.min_work_years"),
    ({"min_work_years": "many"}, 400, "eligibility.min_work_years"),
    ({"regions": ["聊城"]}, 422, "eligibility.regions"),
    ({"regions": ["9915001"]}, 422, "eligibility.regions"),
    ({"regions": "371500"}, 400, "eligibility.regions"),
    ({"quota_per_organization": 0}, 422, "eligibility.quota_per_organization"),
    ({"quota_per_city": -1}, 422, "eligibility.quota_per_city"),
    ({"quota_per_city": True}, 400, "eligibility.quota_per_city"),
    ({"max_age": 35}, 422, "eligibility.max_age"),
    ([1, 2], 400, "eligibility"),
])
def test_competition_eligibility_is_validated_strictly(client, eligibility, status, field):
    committee = make_org("聊城市总工会", kind="union", region_code="371500")
    make_user("org_staff", username="committee", org=committee)
    response = client.post("/api/v1/competitions", json=competition_body(eligibility=eligibility),
                           headers=api_token(client, "committee"))
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["fields"]
    assert db.session.query(Competition).count() == 0


def test_valid_eligibility_is_stored_and_applied(client):
    committee = make_org("聊城市总工会", kind="union", region_code="371500")
    make_user("org_staff", username="committee", org=committee)
    liaocheng = make_user("trainee", username="near", org=make_org("聊城企业", kind="enterprise", region_code="371502"))
    qingdao = make_user("trainee", username="far", org=make_org("青岛企业", kind="enterprise", region_code="370211"))
    headers = api_token(client, "committee")
    rules = {"regions": ["371500"], "quota_per_organization": 2, "min_work_years": 1.5}
    created = client.post("/api/v1/competitions", json=competition_body(eligibility=rules), headers=headers)
    assert created.status_code == 201 and created.get_json()["eligibility"] == rules
    cid = created.get_json()["id"]
    far = client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": qingdao.id, "work_years": 3},
                      headers=api_token(client, "far"))
    assert far.status_code == 422 and far.get_json()["fields"] == {"eligibility": "地区不符"}
    near = client.post(f"/api/v1/competitions/{cid}/registrations", json={"user_id": liaocheng.id, "work_years": 3},
                       headers=api_token(client, "near"))
    assert near.status_code == 201


@pytest.mark.parametrize("stored", [{"min_level": "abc"}, {"quota_per_city": "x"}, {"regions": [None]},
                                    {"min_work_years": "NaN"}, ["not", "an", "object"]])
def test_registration_with_a_bad_stored_condition_is_422_not_500(client, stored):
    """A competition stored before these checks (or edited in the database) with an unreadable condition: each
    registration is refused with a message for the committee, never a 500, and the condition is never ignored."""
    world = World(contestants=1, judges=0)
    competition = world.competition()
    competition.eligibility = stored
    db.session.commit()
    person = world.people[0]
    response = client.post(f"/api/v1/competitions/{competition.id}/registrations", json={"user_id": person.id},
                           headers=api_token(client, person.username))
    assert response.status_code == 422, response.get_json()
    assert "报名条件" in response.get_json()["message"] and "组委会" in response.get_json()["message"]
    assert db.session.query(Registration).count() == 0
    login(client, person.username)
    page = post_form(client, f"/contests/{competition.id}/register", {}, token_from=f"/contests/{competition.id}",
                     follow_redirects=True)
    assert page.status_code == 200 and "报名未成功：本竞赛的报名条件" in page.get_data(as_text=True)
    assert db.session.query(Registration).count() == 0


# -- the OpenAPI document ----------------------------------------------------------------------------------------

def test_openapi_lists_each_lists_query_parameters_from_the_same_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    courses = {p["name"]: p for p in document["paths"]["/api/v1/courses"]["get"]["parameters"]}
    assert courses["level"]["in"] == "query" and courses["level"]["schema"]["minimum"] == 1
    assert courses["level"]["schema"]["maximum"] == 4
    assert {"q", "work_area", "region", "starts_after", "open_seats", "page", "per_page"} <= set(courses)
    questions = {p["name"] for p in document["paths"]["/api/v1/questions"]["get"]["parameters"]}
    registry = {p["name"]: p for p in document["paths"]["/api/v1/registry"]["get"]["parameters"]}
    assert {"level", "kind", "function_code", "q"} <= questions
    assert "enterprise" in registry["organization_kind"]["schema"]["enum"]
    eligibility = document["components"]["schemas"]["EligibilityIn"]
    assert eligibility["additionalProperties"] is False and eligibility["properties"]["min_level"]["maximum"] == 4


@pytest.mark.parametrize(("field", "value", "message"), [
    ("min_level", "²", "应为 1 到 4 的整数"),  # int("²") in the view: a 500 before
    ("regions", "371500,聊城", "报名地区 聊城"),
])
def test_competition_form_refuses_bad_conditions_with_a_message(client, field, value, message):
    committee = make_org("聊城市总工会", kind="union", region_code="371500")
    make_user("org_staff", username="committee", org=committee)
    login(client, "committee")
    page = post_form(client, "/contests/new", {
        "title": "聊城市劳动关系协调员技能竞赛", "tier": "city", "level": "4",
        "registration_closes_at": "2099-01-01T12:00", "award_mode": "ratio", "first": "0.1", "second": "0.2",
        "third": "0.3", "aggregation": "auto", field: value,
        "items-0-name": "理论", "items-0-kind": "theory", "items-0-weight": "30", "items-0-criteria": "客观题:100",
        "items-1-name": "案例分析", "items-1-kind": "practical", "items-1-weight": "70",
        "items-1-criteria": "事实认定:100"}, follow_redirects=True)
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert db.session.query(Competition).count() == 0


def test_ids_beyond_a_database_integer_are_not_found_not_500(client, app):
    """PostgreSQL refuses integers past 2^31-1 in a query; such an id in a URL is a 404, and any value the database
    refuses anyway is a 400 with the API's error format."""
    from tests.conftest import api_token as _api_token
    from tests.factories import make_user as _make_user

    _make_user("admin", username="bigid_admin")
    headers = _api_token(client, "bigid_admin")
    for path in ("/api/v1/courses/99999999999", "/api/v1/exam-sessions/2147483648", "/api/v1/users/9999999999999"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
    assert client.get("/courses/99999999999").status_code == 404
    assert client.get("/api/v1/courses/2147483647").status_code in (401, 404)  # the largest id is still looked up
    # An id past the range inside a JSON body: a 4xx in the API's format, never a 500.
    response = client.put("/api/v1/registry/1", headers=headers, json={"version": 99999999999, "position": "x"})
    assert 400 <= response.status_code < 500 and "error" in response.get_json()
