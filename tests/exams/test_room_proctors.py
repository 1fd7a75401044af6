"""A proctor per room: organization staff assign one person to each room; on the monitor only that person sees the
names of that room's candidates, everyone else sees codes and seats; the monitor API never carries names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lrc_training.core.errors import ValidationFailed
from lrc_training.core.models import AuditLog
from lrc_training.exams.models import RoomProctor
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.exams.services.room_proctors import assign_room_proctor
from lrc_training.extensions import db
from tests.conftest import api_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_org, make_user

ROOM_1, ROOM_2 = "第01考场", "第02考场"


@pytest.fixture
def rooms(client):
    """Two rooms of one candidate each: 陈晓燕 in room 1, 赵文博 in room 2; an examiner to watch room 1."""
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    for username, name in (("chenxy", "陈晓燕"), ("zhaowb", "赵文博")):
        decide(staff, apply(make_user("trainee", username=username, name=name), session.id, work_years=5), True)
    assign_seats(staff, session, room_size=1)
    examiner = make_user("examiner", username="watcher", name="王监考", org=org)
    make_user("admin", username="root")
    db.session.commit()
    return {"session": session, "staff": staff, "examiner": examiner, "org": org}


def _assign(client, session_id: int, room: str, user_id: int, as_page: str):
    return post_form(client, f"/exams/sessions/{session_id}/monitor/proctor", {"room": room, "user_id": user_id},
                     token_from=as_page, follow_redirects=True)


def test_only_the_rooms_proctor_sees_the_names_of_that_room(client, rooms):
    session, examiner = rooms["session"], rooms["examiner"]
    monitor = f"/exams/sessions/{session.id}/monitor"
    login(client, "staff")
    page = client.get(monitor).get_data(as_text=True)
    assert "陈晓燕" not in page and "赵文博" not in page and "监考员：未指定" in page
    done = _assign(client, session.id, ROOM_1, examiner.id, monitor).get_data(as_text=True)
    assert f"{ROOM_1}的监考员已指定" in done and "监考员：王监考" in done
    assert "陈晓燕" not in done  # the staff member who assigned is not the proctor: codes only
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "exam.room_proctor")).scalar_one()
    assert audit.new == {"room": ROOM_1, "user_id": examiner.id}

    post_form(client, "/logout", {}, token_from="/profile")
    login(client, "watcher")
    page = client.get(monitor).get_data(as_text=True)
    assert "陈晓燕" in page and "赵文博" not in page  # their own room only
    fragment = client.get(monitor + "?fragment=1").get_data(as_text=True)
    assert "陈晓燕" in fragment
    body = client.get(f"/api/v1/exam-sessions/{session.id}/monitor", headers=api_token(client, "watcher")).get_data(
        as_text=True)
    assert "陈晓燕" not in body and "赵文博" not in body and "name" not in body  # the API keeps to codes

    post_form(client, "/logout", {}, token_from="/profile")
    login(client, "root")
    assert "陈晓燕" not in client.get(monitor).get_data(as_text=True)  # an admin is not the room's proctor


def test_removing_and_replacing_the_proctor(client, rooms):
    session, staff, examiner = rooms["session"], rooms["staff"], rooms["examiner"]
    assign_room_proctor(staff, session.id, ROOM_2, examiner.id)
    assign_room_proctor(staff, session.id, ROOM_2, staff.id)
    db.session.commit()
    assert db.session.execute(select(RoomProctor.user_id).where(RoomProctor.room == ROOM_2)).scalar_one() == staff.id
    assert assign_room_proctor(staff, session.id, ROOM_2, None) is None
    db.session.commit()
    assert db.session.execute(select(RoomProctor)).first() is None


def test_the_proctor_must_belong_to_the_organization_and_the_room_must_exist(client, rooms):
    session, staff = rooms["session"], rooms["staff"]
    stranger = make_user("examiner", username="stranger", org=make_org("别的机构"))
    learner = make_user("trainee", username="learner", org=rooms["org"])
    for user_id in (stranger.id, learner.id):
        with pytest.raises(ValidationFailed) as refused:
            assign_room_proctor(staff, session.id, ROOM_1, user_id)
        assert "user_id" in refused.value.fields
    with pytest.raises(ValidationFailed) as no_room:
        assign_room_proctor(staff, session.id, "第99考场", staff.id)
    assert "room" in no_room.value.fields


@pytest.mark.parametrize(("username", "role", "own_org", "status"), [
    ("watcher", "examiner", True, 403),
    ("learner", "trainee", False, 403),
    ("outsider", "org_staff", False, 404),
])
def test_who_may_assign_a_proctor(client, rooms, username, role, own_org, status):
    if username != "watcher":
        make_user(role, username=username, org=rooms["org"] if own_org else make_org("另一个评价机构"))
        db.session.commit()
    login(client, username)
    session = rooms["session"]
    response = post_form(client, f"/exams/sessions/{session.id}/monitor/proctor",
                         {"room": ROOM_1, "user_id": rooms["examiner"].id}, token_from="/")
    assert response.status_code == status
    assert db.session.execute(select(RoomProctor)).first() is None


def test_a_tampered_proctor_is_refused_in_chinese_and_nothing_changes(client, rooms):
    session = rooms["session"]
    login(client, "staff")
    page = f"/exams/sessions/{session.id}/monitor"
    for tampered in ("abc", "-3"):
        response = _assign(client, session.id, ROOM_1, tampered, page)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "不能指定监考员：" in text and "监考员" in text
    assert db.session.execute(select(RoomProctor)).scalars().all() == []
