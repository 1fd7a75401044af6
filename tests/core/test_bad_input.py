"""Bad input that used to be a 500, one regression test each (each failed before its fix): the answer is now a 4xx
naming the field (API) or a Chinese message on the page, and nothing is stored."""

from __future__ import annotations

import pytest

from lrc_training.core.params import ascii_int
from tests.conftest import api_token, login
from tests.courses.helpers import make_course, make_school_and_teacher
from tests.exams.helpers import make_bank, setup_org

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
