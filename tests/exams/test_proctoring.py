"""The proctor's view: candidates' states by code and seat (never names), devices, focus losses, and extending one
candidate's time with a reason (audited; the candidate's attempt shows the new deadline)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from lrc_training.core.models import AuditLog
from lrc_training.exams.services.applications import apply, assign_seats, decide
from lrc_training.extensions import db
from tests.conftest import api_token, csrf_token, login, post_form
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_org, make_user


def _session_with_candidates():
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    for username, name in (("ann", "安晓红"), ("bo", "薄立新"), ("cy", "陈一言")):
        trainee = make_user("trainee", username=username, name=name)
        decide(staff, apply(trainee, session.id, work_years=5), True)
    assign_seats(staff, session, room_size=2)
    make_user("examiner", username="proctor", org=org)
    db.session.commit()
    return org, staff, session


def _rows(client, session_id, headers):
    response = client.get(f"/api/v1/exam-sessions/{session_id}/monitor", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_monitor_shows_states_devices_and_focus_losses_by_code_and_seat(client, app):
    org, staff, session = _session_with_candidates()
    staff_headers = api_token(client, "staff")

    ann = api_token(client, "ann")
    attempt_ann = client.post(f"/api/v1/exam-sessions/{session.id}/attempts", headers=ann).get_json()
    first = attempt_ann["questions"][0]
    answer = "A" if first["kind"] != "true_false" else True
    assert client.put(f"/api/v1/attempts/{attempt_ann['id']}/responses/{first['id']}", headers=ann,
                      json={"response": answer}).status_code == 200

    # cy sits the exam in the browser, then opens it on a second device; leaves the tab twice.
    cy_laptop, cy_phone = app.test_client(), app.test_client()
    cy_laptop.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0"
    cy_phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone) Mobile Safari/604"
    login(cy_laptop, "cy")
    post_form(cy_laptop, f"/exams/sessions/{session.id}/exam", {}, token_from=f"/exams/sessions/{session.id}/exam")
    cy_laptop.get(f"/exams/sessions/{session.id}/exam")
    login(cy_phone, "cy")
    cy_phone.get(f"/exams/sessions/{session.id}/exam")
    rows = {r["anonymous_code"]: r for r in _rows(client, session.id, staff_headers).get_json()}
    cy_row = next(r for r in rows.values() if r["devices"] == 2)
    token = csrf_token(cy_laptop, f"/exams/sessions/{session.id}/exam")
    for _ in range(2):
        assert cy_laptop.post(f"/exams/attempts/{cy_row['attempt_id']}/focus-lost",
                              headers={"X-CSRFToken": token}).get_json() == {"recorded": True}

    response = _rows(client, session.id, staff_headers)
    body = response.get_data(as_text=True)
    assert "安晓红" not in body and "陈一言" not in body  # codes and seats, never names
    rows = response.get_json()
    assert [r["seat"] for r in rows] == ["01", "02", "01"]  # room by room, seat by seat
    states = sorted(r["state"] for r in rows)
    assert states == ["answering", "answering", "not_started"]
    ann_row = next(r for r in rows if r["attempt_id"] == attempt_ann["id"])
    assert ann_row["answered"] == 1 and ann_row["last_saved_at"]
    cy_row = next(r for r in rows if r["attempt_id"] == cy_row["attempt_id"])
    assert cy_row["focus_losses"] == 2 and cy_row["devices"] == 2

    # Two minutes of silence: both are offline; ann hands in and shows as submitted.
    with time_machine.travel(datetime.now().astimezone() + timedelta(minutes=2), tick=False):
        assert sorted(r["state"] for r in _rows(client, session.id, staff_headers).get_json()) == \
            ["not_started", "offline", "offline"]
    assert client.post(f"/api/v1/attempts/{attempt_ann['id']}/submit", headers=ann).status_code == 200
    assert "submitted" in [r["state"] for r in _rows(client, session.id, staff_headers).get_json()]

    # The organization's examiners watch too; nobody else does.
    assert client.get(f"/api/v1/exam-sessions/{session.id}/monitor",
                      headers=api_token(client, "proctor")).status_code == 200
    make_user("org_staff", username="elsewhere", org=make_org("别处的评价机构"))
    db.session.commit()
    assert client.get(f"/api/v1/exam-sessions/{session.id}/monitor",
                      headers=api_token(client, "elsewhere")).status_code == 404
    assert client.get(f"/api/v1/exam-sessions/{session.id}/monitor", headers=ann).status_code == 403

    # The page lists the same, by room.
    login(client, "staff")
    page = client.get(f"/exams/sessions/{session.id}/monitor").get_data(as_text=True)
    assert "第1考场" in page or "考场" in page
    assert "已交卷" in page and "答题中" in page and "安晓红" not in page


def test_extending_one_candidates_time(client, app):
    org, staff, session = _session_with_candidates()
    bo = api_token(client, "bo")
    attempt = client.post(f"/api/v1/exam-sessions/{session.id}/attempts", headers=bo).get_json()
    staff_headers = api_token(client, "staff")
    url = f"/api/v1/attempts/{attempt['id']}/extend"

    bad = client.post(url, headers=staff_headers, json={"minutes": 0, "reason": "停电"})
    assert bad.status_code == 422 and "minutes" in bad.get_json()["fields"]
    no_reason = client.post(url, headers=staff_headers, json={"minutes": 10})
    assert no_reason.status_code in (400, 422) and "reason" in no_reason.get_json()["fields"]
    assert client.post(url, headers=bo, json={"minutes": 30, "reason": "我想多点时间"}).status_code == 403
    make_user("org_staff", username="elsewhere", org=make_org("别处的评价机构"))
    db.session.commit()
    assert client.post(url, headers=api_token(client, "elsewhere"),
                       json={"minutes": 10, "reason": "x"}).status_code == 404

    extended = client.post(url, headers=staff_headers, json={"minutes": 10, "reason": "第1考场停电 8 分钟"})
    assert extended.status_code == 200
    before = datetime.fromisoformat(attempt["deadline"])
    after = datetime.fromisoformat(extended.get_json()["deadline"])
    assert after - before == timedelta(minutes=10)
    # The candidate's next read of the attempt shows the new deadline, and so does the staff's.
    assert datetime.fromisoformat(client.get(f"/api/v1/attempts/{attempt['id']}", headers=bo)
                                  .get_json()["deadline"]) == after
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=staff_headers).status_code == 200
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "exam.extend_attempt")).scalar_one()
    assert audit.reason == "第1考场停电 8 分钟" and audit.new["minutes"] == 10
    rows = client.get(f"/api/v1/exam-sessions/{session.id}/monitor", headers=staff_headers).get_json()
    assert next(r for r in rows if r["attempt_id"] == attempt["id"])["extensions"] == 1

    # The page form does the same; a handed-in paper cannot be extended.
    login(client, "staff")
    response = post_form(client, f"/exams/attempts/{attempt['id']}/extend", {"minutes": "5", "reason": "设备故障"},
                         token_from=f"/exams/sessions/{session.id}/monitor", follow_redirects=True)
    assert "延长 5 分钟" in response.get_data(as_text=True)
    refused = post_form(client, f"/exams/attempts/{attempt['id']}/extend", {"minutes": "500", "reason": ""},
                        token_from=f"/exams/sessions/{session.id}/monitor", follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "不能延时：延长时间（分钟）应在 1 到 120 之间" in text and "延时原因：此项为必填项" in text
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=bo).status_code == 200
    late = client.post(url, headers=staff_headers, json={"minutes": 10, "reason": "x"})
    assert late.status_code == 409


def _page_client(app, username, agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    login(client, username)
    return client


def _open_exam(client, url: str) -> tuple[str, str]:
    """Open the exam page as the browser does: its device token and CSRF token (opening takes over)."""
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'data-device="([0-9a-f]+)"', html).group(1), re.search(r'data-csrf="([^"]+)"', html).group(1)


def test_one_active_device_a_second_takes_over_and_the_first_is_told(client, app):
    org, staff, session = _session_with_candidates()
    laptop = _page_client(app, "cy", "Mozilla/5.0 (Windows NT 10.0) Chrome/120.0")
    exam_url = f"/exams/sessions/{session.id}/exam"
    post_form(laptop, exam_url, {})
    laptop_device, token = _open_exam(laptop, exam_url)
    from lrc_training.exams.models import Attempt

    attempt = db.session.execute(select(Attempt)).scalar_one()
    question_id = attempt.items[0].question_id
    value = True if attempt.items[0].kind == "true_false" else "A"
    save_url = f"/exams/attempts/{attempt.id}/responses/{question_id}"
    assert laptop.put(save_url, json={"response": value},
                      headers={"X-CSRFToken": token, "X-Exam-Device": laptop_device}).status_code == 200

    phone = _page_client(app, "cy", "Mozilla/5.0 (iPhone) Mobile Safari/604")
    phone_device, phone_token = _open_exam(phone, exam_url)
    assert phone_device != laptop_device
    refused = laptop.put(save_url, json={"response": value},
                         headers={"X-CSRFToken": token, "X-Exam-Device": laptop_device})
    assert refused.status_code == 409 and refused.get_json()["error"] == "taken_over"
    assert "另一台设备" in refused.get_json()["message"]
    state = laptop.get(f"/exams/attempts/{attempt.id}/state", headers={"X-Exam-Device": laptop_device})
    assert state.status_code == 409 and state.get_json()["error"] == "taken_over"
    assert phone.put(save_url, json={"response": value}, headers={
        "X-CSRFToken": phone_token, "X-Exam-Device": phone_device}).status_code == 200
    rows = client.get(f"/api/v1/exam-sessions/{session.id}/monitor", headers=api_token(client, "staff")).get_json()
    assert next(r for r in rows if r["attempt_id"] == attempt.id)["takeovers"] == 1


def test_pausing_a_room_stops_the_clock_and_resuming_moves_the_deadline(client, app):
    org, staff, session = _session_with_candidates()  # room size 2: ann and bo in 第1考场, cy in 第2考场
    from lrc_training.exams.jobs import submit_overdue_attempts
    from lrc_training.exams.models import Application, Attempt
    from lrc_training.exams.services.attempts import start_attempt

    attempts = {}
    for username in ("ann", "bo", "cy"):
        user = db.session.execute(select(Application).join(Application.user)
                                  .where(Application.user.has(username=username))).scalar_one()
        attempts[username] = start_attempt(user.user, session.id)
    db.session.commit()
    room = db.session.get(Application, attempts["ann"].application_id).room
    other_room = db.session.get(Application, attempts["cy"].application_id).room
    assert room != other_room
    deadlines = {u: a.deadline for u, a in attempts.items()}

    login(client, "staff")
    monitor_url = f"/exams/sessions/{session.id}/monitor"
    refused = post_form(client, f"/exams/sessions/{session.id}/monitor/pause", {"room": room, "reason": ""},
                        token_from=monitor_url, follow_redirects=True)
    assert "请填写原因" in refused.get_data(as_text=True)
    start = datetime.now().astimezone()
    with time_machine.travel(start, tick=False):
        done = post_form(client, f"/exams/sessions/{session.id}/monitor/pause", {"room": room, "reason": "停电"},
                         token_from=monitor_url, follow_redirects=True)
        assert "2 名考生的计时已停止" in done.get_data(as_text=True)
    # While paused: saves are refused (the page keeps them), the deadline job leaves the room alone.
    from lrc_training.core.errors import Conflict
    from lrc_training.exams.services.attempts import save_response

    db.session.expire_all()
    ann = db.session.get(Attempt, attempts["ann"].id)
    with pytest.raises(Conflict) as paused:
        save_response(ann, ann.items[0].question_id, True if ann.items[0].kind == "true_false" else "A")
    assert paused.value.code == "paused"
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert submit_overdue_attempts() == 1  # only cy (the other room) is overdue and handed in
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        post_form(client, f"/exams/sessions/{session.id}/monitor/resume", {"room": room}, token_from=monitor_url)
    db.session.expire_all()
    for username in ("ann", "bo"):
        attempt = db.session.get(Attempt, attempts[username].id)
        assert attempt.paused_at is None and attempt.deadline - deadlines[username] == timedelta(minutes=12)
    assert db.session.get(Attempt, attempts["cy"].id).status == "submitted"
    actions = set(db.session.execute(select(AuditLog.action)).scalars())
    assert {"exam.pause_room", "exam.resume_room"} <= actions


def test_voiding_an_attempt_for_cheating_scores_theory_zero_and_is_recorded(client, app):
    org, staff, session = _session_with_candidates()
    from lrc_training.exams.models import Application, Attempt
    from lrc_training.exams.services.attempts import start_attempt
    from lrc_training.exams.services.results import compute_results

    application = db.session.execute(select(Application).where(Application.user.has(username="bo"))).scalar_one()
    attempt = start_attempt(application.user, session.id)
    db.session.commit()
    make_user("trainee", username="nosy")
    db.session.commit()
    nosy = app.test_client()
    login(nosy, "nosy")
    assert post_form(nosy, f"/exams/attempts/{attempt.id}/void", {"reason": "x"}, token_from="/profile").status_code == 403
    login(client, "staff")
    monitor_url = f"/exams/sessions/{session.id}/monitor"
    response = post_form(client, f"/exams/attempts/{attempt.id}/void", {"reason": "夹带资料"}, token_from=monitor_url,
                         follow_redirects=True)
    assert "答卷已作废" in response.get_data(as_text=True)
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.status == "submitted" and attempt.voided_at is not None and attempt.void_reason == "夹带资料"
    row = next(r for r in compute_results(session) if r.application_id == application.id)
    assert row.scores["theory"] == 0 and row.passed_parts["theory"] is False
    again = post_form(client, f"/exams/attempts/{attempt.id}/void", {"reason": "再次"}, token_from=monitor_url,
                      follow_redirects=True)
    assert "已作废" in again.get_data(as_text=True)
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "exam.void_attempt")).scalar_one()
    assert audit.reason == "夹带资料"

    # The room's integrity report lists the incident by code, never by name.
    import io

    from pypdf import PdfReader

    pdf = client.get(f"/exams/sessions/{session.id}/monitor/report.pdf?room={application.room}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and "no-store" in pdf.headers["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "考 场 记 录" in text and "作废：夹带资料" in text and "薄立新" not in text
