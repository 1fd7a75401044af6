"""Several scheduler processes side by side: a due job runs once across all of them, a dead node's job is taken
over when its claim runs out, every run is recorded; the mail job claims what it sends, so two schedulers against
a slow SMTP server deliver each email exactly once, and copies nobody should get any more are not sent."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import time_machine
from sqlalchemy import select, update

from lrc_training.core import mail
from lrc_training.core.mail import send_pending_emails
from lrc_training.core.models import Notification, SchedulerJob
from lrc_training.core.notifications import notify
from lrc_training.core.scheduler import Job, claim_job, ensure_job_rows, registered_jobs, run_all_once, run_job
from lrc_training.db import utcnow
from lrc_training.extensions import db
from tests.conftest import USING_POSTGRES
from tests.factories import make_user


class Counted:
    """A job body that counts its runs and takes a while, like a real one."""

    def __init__(self, seconds: float = 0.0, fail: bool = False):
        self.runs, self.seconds, self.fail = 0, seconds, fail
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.runs += 1
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the job broke")


@pytest.fixture
def job(app, monkeypatch):
    body = Counted(seconds=0.3)
    registered = Job("test.counted", body, 60, "计数")
    monkeypatch.setitem(registered_jobs(app), registered.id, registered)
    ensure_job_rows()
    return registered


def row(job_id: str) -> SchedulerJob:
    db.session.expire_all()
    return db.session.get(SchedulerJob, job_id)


def in_threads(count: int, target) -> list:
    """Run target(i) in `count` threads started together; return their results."""
    barrier, results = threading.Barrier(count), [None] * count
    errors = []

    def run(i):
        try:
            barrier.wait()
            results[i] = target(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_a_due_job_runs_once_across_scheduler_instances(app, job):
    ran = in_threads(3, lambda i: run_job(app, job, f"node-{i}"))
    assert sorted(ran) == [False, False, True]
    assert job.func.runs == 1
    recorded = row(job.id)
    assert recorded.runs == 1 and recorded.last_node in {"node-0", "node-1", "node-2"}
    assert recorded.last_success_at is not None and recorded.last_duration_ms >= 300
    assert recorded.claimed_by is None and recorded.claimed_until is None
    assert recorded.next_due_at > utcnow() + timedelta(seconds=50)

    # Not due again until its interval has passed, whichever node looks.
    assert not run_job(app, job, "node-0") and not run_job(app, job, "node-9")
    with time_machine.travel(utcnow() + timedelta(seconds=61)):
        assert in_threads(2, lambda i: run_job(app, job, f"node-{i}")).count(True) == 1
    assert job.func.runs == 2


def test_the_job_of_a_node_that_died_mid_run_is_taken_over_when_its_claim_runs_out(app, job):
    lease = timedelta(seconds=app.config["LRC_SCHEDULER_LEASE_SECONDS"])
    assert claim_job(job, "node-dead", lease)  # claimed, then the process was killed: no record, no release
    with time_machine.travel(utcnow() + timedelta(seconds=61)):  # due again, but the claim still holds
        assert not run_job(app, job, "node-b")
    with time_machine.travel(utcnow() + lease + timedelta(seconds=1)):
        assert run_job(app, job, "node-b")
    assert job.func.runs == 1 and row(job.id).last_node == "node-b" and row(job.id).claimed_by is None


def test_a_failing_run_is_recorded_and_releases_its_claim(app, monkeypatch):
    broken = Job("test.broken", Counted(fail=True), 60, "坏任务")
    monkeypatch.setitem(registered_jobs(app), broken.id, broken)
    ensure_job_rows()
    assert run_job(app, broken, "node-a")
    recorded = row(broken.id)
    assert recorded.failures == 1 and recorded.last_success_at is None
    assert recorded.last_error == "RuntimeError: the job broke" and recorded.last_failure_at is not None
    assert recorded.claimed_by is None


def test_run_once_skips_a_job_another_node_is_running(app, job, monkeypatch):
    for other in list(registered_jobs(app)):
        if other != job.id:
            monkeypatch.delitem(registered_jobs(app), other)
    assert run_all_once(app) == 1  # `--once` runs a job even before it is due
    assert run_all_once(app) == 1
    claim_job(job, "node-busy", timedelta(minutes=15), force=True)
    assert run_all_once(app) == 0
    assert job.func.runs == 2


def test_new_jobs_get_a_row_and_existing_rows_are_kept(app, job):
    db.session.execute(update(SchedulerJob).where(SchedulerJob.job_id == job.id).values(runs=7))
    db.session.commit()
    ensure_job_rows()
    ensure_job_rows()
    assert row(job.id).runs == 7
    assert {r.job_id for r in db.session.execute(select(SchedulerJob)).scalars()} == set(registered_jobs(app))


# -- the mail job ------------------------------------------------------------------------------------------------

class SlowSink:
    """A real SMTP server (aiosmtpd) on loopback that takes its time over every message."""

    def __init__(self, delay: float):
        self.delay, self.messages = delay, []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp_sink(app, monkeypatch):
    from aiosmtpd.controller import Controller

    sink = SlowSink(delay=0.25)
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for key, value in {"LRC_SMTP_HOST": "127.0.0.1", "LRC_SMTP_PORT": port,
                           "LRC_SMTP_TLS": False, "LRC_SMTP_SSL": False, "LRC_SMTP_USER": ""}.items():
            monkeypatch.setitem(app.config, key, value)
        yield sink
    finally:
        controller.stop()


def _recipient(n: int, **extra):
    user = make_user("trainee", username=f"mail{n}", **extra)
    user.email = f"mail{n}@example.com"
    db.session.commit()
    return user


@pytest.mark.skipif(not USING_POSTGRES, reason="several scheduler nodes need PostgreSQL (TEST_DATABASE_URL); "
                                               "on SQLite the platform runs one scheduler")
def test_two_schedulers_with_a_slow_smtp_server_send_every_email_exactly_once(app, smtp_sink, monkeypatch):
    monkeypatch.setattr(mail, "CLAIM_CHUNK", 2)  # small claims, so the two runs interleave
    users = [_recipient(n) for n in range(6)]
    for user in users:
        notify(user.id, f"审核结果 {user.username}")
    db.session.commit()

    def scheduler(_i):
        with app.app_context():
            try:
                return send_pending_emails()
            finally:
                db.session.remove()

    sent = in_threads(2, scheduler)
    assert sum(sent) == 6
    delivered = sorted(str(m["To"]) for m in smtp_sink.messages)
    assert delivered == sorted(f"mail{n}@example.com" for n in range(6))  # six messages, not eleven or twelve
    db.session.expire_all()
    notes = db.session.execute(select(Notification)).scalars().all()
    assert {n.email_status for n in notes} == {"sent"} and all(n.email_attempts == 1 for n in notes)
    assert all(n.email_claimed_by is None for n in notes)


def test_copies_claimed_by_a_run_that_died_are_sent_later_and_live_claims_are_respected(app, smtp_sink):
    users = [_recipient(n) for n in range(3)]
    orphan, busy, free = (notify(u.id, f"通知 {u.username}") for u in users)
    db.session.flush()
    orphan.email_claimed_by, orphan.email_claimed_at = "mail:dead-node", utcnow() - timedelta(minutes=16)
    busy.email_claimed_by, busy.email_claimed_at = "mail:busy-node", utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert send_pending_emails() == 2
    assert sorted(str(m["To"]) for m in smtp_sink.messages) == ["mail0@example.com", "mail2@example.com"]
    db.session.expire_all()
    assert db.session.get(Notification, busy.id).email_status == "pending"
    with time_machine.travel(utcnow() + timedelta(minutes=15)):  # the busy run never finished: its claim ran out
        assert send_pending_emails() == 1
    assert len(smtp_sink.messages) == 3


def test_deactivated_users_and_copies_past_their_use_get_no_email(app, smtp_sink):
    left = _recipient(1, active=False)
    stays = _recipient(2)
    notify(left.id, "已离职用户的通知")
    opens_at = utcnow() + timedelta(minutes=30)
    notify(stays.id, "考试提醒：秋季认定", kind="exam_reminder", email_until=opens_at)
    db.session.commit()
    with time_machine.travel(opens_at + timedelta(minutes=5)):  # the scheduler was down until after the start
        assert send_pending_emails() == 0
    assert smtp_sink.messages == []
    db.session.expire_all()
    statuses = {n.title: (n.email_status, n.email_error) for n in db.session.execute(select(Notification)).scalars()}
    assert statuses == {"已离职用户的通知": ("skipped", None), "考试提醒：秋季认定": ("skipped", "已过时效，未发送")}


def test_a_reminder_still_goes_out_before_the_exam(app, smtp_sink):
    user = _recipient(3)
    notify(user.id, "考试提醒：春季认定", kind="exam_reminder", email_until=utcnow() + timedelta(minutes=30))
    db.session.commit()
    assert send_pending_emails() == 1
    assert [str(m["To"]) for m in smtp_sink.messages] == ["mail3@example.com"]
