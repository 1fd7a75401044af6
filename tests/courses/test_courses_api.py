"""The courses API of docs/api.md, to the letter."""

from datetime import date, timedelta

import pytest

from tests.conftest import api_token
from tests.courses.helpers import make_school_and_teacher
from tests.factories import make_user


@pytest.fixture
def teacher_headers(client):
    school, teacher = make_school_and_teacher()
    return api_token(client, teacher.username)


def course_body(**overrides):
    start = date.today() + timedelta(days=10)
    body = {"title": "集体协商实务", "level": 3, "hours": 40, "capacity": 2, "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=20)).isoformat(), "requires_approval": False, "status": "published"}
    body.update(overrides)
    return body


def test_create_publish_list_and_enroll(client, teacher_headers):
    response = client.post("/api/v1/courses", json=course_body(status="draft"), headers=teacher_headers)
    assert response.status_code == 201
    course = response.get_json()
    assert course["status"] == "draft" and course["enrollment_closes_at"].endswith("23:59:59+08:00")
    assert client.get("/api/v1/courses").get_json()["total"] == 0
    published = client.post(f"/api/v1/courses/{course['id']}/publish", headers=teacher_headers)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert client.post(f"/api/v1/courses/{course['id']}/publish", headers=teacher_headers).status_code == 409
    listing = client.get("/api/v1/courses?level=3").get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == course["id"]
    assert client.get("/api/v1/courses?level=4").get_json()["total"] == 0
    assert client.get("/api/v1/courses?level=x").status_code == 400

    statuses = []
    for i in range(3):
        make_user("trainee", username=f"t{i}")
        headers = api_token(client, f"t{i}")
        response = client.post(f"/api/v1/courses/{course['id']}/enrollments", headers=headers)
        assert response.status_code == 201
        statuses.append(response.get_json()["status"])
    assert statuses == ["enrolled", "enrolled", "waitlisted"]
    again = client.post(f"/api/v1/courses/{course['id']}/enrollments", headers=headers)
    assert again.status_code == 409

    roster = client.get(f"/api/v1/courses/{course['id']}/enrollments", headers=teacher_headers).get_json()
    assert roster["total"] == 3
    assert [item["waitlist_position"] for item in roster["items"]] == [None, None, 1]
    assert set(roster["items"][0]) >= {"id", "user_id", "status", "waitlist_position"}

    first_headers = api_token(client, "t0")
    first_id = roster["items"][0]["id"]
    assert client.delete(f"/api/v1/enrollments/{first_id}", headers=first_headers).get_json()["status"] == "withdrawn"
    roster = client.get(f"/api/v1/courses/{course['id']}/enrollments", headers=teacher_headers).get_json()
    assert [item["status"] for item in roster["items"]] == ["withdrawn", "enrolled", "enrolled"]


def test_approve_and_reject(client, teacher_headers):
    course = client.post("/api/v1/courses", json=course_body(requires_approval=True),
                         headers=teacher_headers).get_json()
    ids = []
    for name in ("a1", "a2"):
        make_user("trainee", username=name)
        ids.append(client.post(f"/api/v1/courses/{course['id']}/enrollments",
                               headers=api_token(client, name)).get_json())
    assert [e["status"] for e in ids] == ["pending", "pending"]
    approved = client.post(f"/api/v1/enrollments/{ids[0]['id']}/approve", headers=teacher_headers)
    assert approved.get_json()["status"] == "enrolled"
    rejected = client.post(f"/api/v1/enrollments/{ids[1]['id']}/reject", json={"reason": "名额已满"},
                           headers=teacher_headers)
    assert rejected.get_json()["status"] == "rejected"
    assert client.post(f"/api/v1/enrollments/{ids[1]['id']}/approve", headers=teacher_headers).status_code == 409


def test_complete_requires_start_and_enough_hours(client, teacher_headers):
    start = date.today() - timedelta(days=2)
    course = client.post("/api/v1/courses", json=course_body(
        starts_on=start.isoformat(), ends_on=(start + timedelta(days=5)).isoformat(), hours=40),
        headers=teacher_headers).get_json()
    make_user("trainee", username="c1")
    enrollment = client.post(f"/api/v1/courses/{course['id']}/enrollments",
                             headers=api_token(client, "c1")).get_json()
    short = client.post(f"/api/v1/enrollments/{enrollment['id']}/complete", json={"hours_attended": 31},
                        headers=teacher_headers)
    assert short.status_code == 422 and "hours_attended" in short.get_json()["fields"]
    ok = client.post(f"/api/v1/enrollments/{enrollment['id']}/complete", json={"hours_attended": 32},
                     headers=teacher_headers)
    assert ok.status_code == 200 and ok.get_json()["status"] == "completed"
    assert client.post(f"/api/v1/enrollments/{enrollment['id']}/complete", json={"hours_attended": 32},
                       headers=teacher_headers).status_code == 409


def test_complete_before_start_is_422(client, teacher_headers):
    course = client.post("/api/v1/courses", json=course_body(), headers=teacher_headers).get_json()
    make_user("trainee", username="c2")
    enrollment = client.post(f"/api/v1/courses/{course['id']}/enrollments",
                             headers=api_token(client, "c2")).get_json()
    response = client.post(f"/api/v1/enrollments/{enrollment['id']}/complete", json={"hours_attended": 40},
                           headers=teacher_headers)
    assert response.status_code == 422


@pytest.mark.parametrize(("override", "field", "status"), [
    ({"level": 5}, "level", 422),
    ({"level": "3"}, "level", 400),
    ({"capacity": 0}, "capacity", 422),
    ({"hours": "forty"}, "hours", 400),
    ({"title": ""}, "title", 422),
    ({"title": "课" * 121}, "title", 422),
    ({"starts_on": "2026-13-01"}, "starts_on", 400),
    ({"status": "archived"}, "status", 422),
    ({"work_areas": ["ZZ"]}, "work_area_codes", 422),
])
def test_bad_course_input(client, teacher_headers, override, field, status):
    response = client.post("/api/v1/courses", json=course_body(**override), headers=teacher_headers)
    assert response.status_code == status
    assert field in response.get_json()["fields"]
    assert client.get("/api/v1/courses").get_json()["total"] == 0


def test_ends_before_start_is_422(client, teacher_headers):
    response = client.post("/api/v1/courses", json=course_body(ends_on="2020-01-01"), headers=teacher_headers)
    assert response.status_code == 422 and "ends_on" in response.get_json()["fields"]


def test_permissions_on_courses(client, teacher_headers):
    course = client.post("/api/v1/courses", json=course_body(), headers=teacher_headers).get_json()
    make_user("trainee", username="nosy")
    trainee = api_token(client, "nosy")
    assert client.post("/api/v1/courses", json=course_body(), headers=trainee).status_code == 403
    assert client.get(f"/api/v1/courses/{course['id']}/enrollments", headers=trainee).status_code == 403
    _, other_teacher = make_school_and_teacher("济南技师学院")
    other = api_token(client, other_teacher.username)
    assert client.get(f"/api/v1/courses/{course['id']}/enrollments", headers=other).status_code == 404
    assert client.post(f"/api/v1/courses/{course['id']}/publish", headers=other).status_code == 404
    assert client.post("/api/v1/courses/999/enrollments", headers=trainee).status_code == 404
