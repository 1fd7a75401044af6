"""Timed work. APScheduler runs in its own process (`flask --app wsgi scheduler`), never inside web workers. Any
number of these processes may run, on any number of nodes: each job runs once per due time across all of them,
and when a node dies the others carry on — there is no leader to elect.

How: every job has a row in `scheduler_jobs` saying when it is next due. Each process looks every few seconds
(LRC_SCHEDULER_TICK_SECONDS, or half the job's interval when shorter) and *claims* a due job with one conditional UPDATE
(`next_due_at <= now` and no live claim → set the claim and the next due time). The database lets exactly one
UPDATE match (PostgreSQL re-checks the condition on the row another transaction just changed; SQLite has one writer
at a time), so only the winner runs the job. A claim lasts LRC_SCHEDULER_LEASE_SECONDS: when the process holding
it dies mid-run, another one takes the job over after that. Every run records when it started, its duration and its
outcome on the row (read by /metrics). The nodes' clocks must agree (NTP), as for everything else.

A job is a function marked with `@scheduled(id, seconds, description)` (the mark only describes it) and listed in
`create_app` (`register_jobs`), so the jobs of an app are the ones wired there, never the modules that happen to be
imported. Every job must still be idempotent (a state check makes a second run a no-op): a lease can run out under a
very slow run, and `--once` runs jobs whenever it is called."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, update

from ..db import utcnow

log = logging.getLogger("lrc.scheduler")


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], object]
    seconds: int
    description: str


JOB_ATTR = "scheduled_job"
EXTENSION_KEY = "lrc_jobs"


def scheduled(job_id: str, seconds: int, description: str) -> Callable:
    """Describe a function as a timed job. It only marks the function: `register_jobs` adds it to an app."""

    def decorator(func: Callable[[], object]) -> Callable[[], object]:
        setattr(func, JOB_ATTR, Job(job_id, func, seconds, description))
        return func

    return decorator


def register_jobs(app: Flask, *funcs: Callable[[], object]) -> None:
    """Add `@scheduled` functions to this app's jobs, in this order (building another app adds nothing here)."""
    jobs = app.extensions.setdefault(EXTENSION_KEY, {})
    for func in funcs:
        job = getattr(func, JOB_ATTR, None)
        if job is None:
            raise TypeError(f"{func.__qualname__} is not marked @scheduled")
        if job.id in jobs and jobs[job.id].func is not func:
            raise ValueError(f"two jobs are called {job.id}")
        jobs[job.id] = job


def registered_jobs(app: Flask | None = None) -> dict[str, Job]:
    """This app's jobs by id (the dict itself: tests add and remove jobs with monkeypatch)."""
    from flask import current_app

    return (app or current_app).extensions.setdefault(EXTENSION_KEY, {})


def node_name() -> str:
    """This scheduler process among all of them (host, pid and a random part, since containers reuse pids)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def ensure_job_rows(now: datetime | None = None) -> None:
    """A row for every registered job, due at once when new. Several processes starting together is fine."""
    from ..extensions import db
    from .models import SchedulerJob

    now = now or utcnow()
    rows = [{"job_id": job_id, "next_due_at": now, "runs": 0, "failures": 0} for job_id in registered_jobs()]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project runs on these two
        raise RuntimeError(f"scheduler: unsupported database {dialect}")
    db.session.execute(insert(SchedulerJob).values(rows).on_conflict_do_nothing(index_elements=["job_id"]))
    db.session.commit()


def claim_job(job: Job, node: str, lease: timedelta, now: datetime | None = None, *, force: bool = False) -> bool:
    """Claim the job for this process when it is due and nobody holds a live claim; commits. `force` (for
    `--once`) ignores the due time, never a live claim: a job running elsewhere is not started twice."""
    from ..extensions import db
    from .models import SchedulerJob

    now = now or utcnow()
    stmt = update(SchedulerJob).where(
        SchedulerJob.job_id == job.id,
        or_(SchedulerJob.claimed_until.is_(None), SchedulerJob.claimed_until <= now))
    if not force:
        stmt = stmt.where(SchedulerJob.next_due_at <= now)
    won = db.session.execute(stmt.values(
        claimed_by=node, claimed_until=now + lease, next_due_at=now + timedelta(seconds=interval_of(job)),
        last_started_at=now)).rowcount == 1
    db.session.commit()
    return won


def interval_of(job: Job) -> int:
    """The job's interval, or the one LRC_JOB_INTERVALS sets for it ("notifications.email=10,…"): a province
    with a fast mail relay sends sooner; the multi-node test runs its jobs every second or two."""
    from flask import current_app, has_app_context

    if has_app_context():
        for entry in (current_app.config.get("LRC_JOB_INTERVALS") or "").split(","):
            name, _, seconds = entry.strip().partition("=")
            if name == job.id and seconds.strip().isdecimal() and int(seconds) > 0:
                return int(seconds)
    return job.seconds


def _record(job: Job, node: str, seconds: float, error: str | None) -> None:
    from ..extensions import db
    from .models import SchedulerJob

    now = utcnow()
    values = {"last_duration_ms": round(seconds * 1000), "last_node": node, "runs": SchedulerJob.runs + 1}
    if error is None:
        values["last_success_at"] = now
    else:
        values.update(last_failure_at=now, last_error=error[:300], failures=SchedulerJob.failures + 1)
    db.session.execute(update(SchedulerJob).where(SchedulerJob.job_id == job.id).values(**values))
    # Release the claim, unless it ran out and another process holds the job now.
    db.session.execute(update(SchedulerJob).where(SchedulerJob.job_id == job.id, SchedulerJob.claimed_by == node)
                       .values(claimed_by=None, claimed_until=None))
    db.session.commit()


def each_in_own_transaction(ids: Iterable[Any], step: Callable[[Any], bool], what: str) -> int:
    """A job's loop over rows: `step(id)` for each id, in a transaction of its own, committed when it returns True,
    rolled back when it returns False (nothing to do, or blocked) or fails (logged as "<what> <id> failed"; the
    others carry on). Returns how many were committed."""
    from ..extensions import db

    done = 0
    for row_id in ids:
        try:
            if not step(row_id):
                db.session.rollback()
                continue
            db.session.commit()
            done += 1
        except Exception:  # noqa: BLE001 - one row's failure must not stop the others
            db.session.rollback()
            log.exception("%s %s failed", what, row_id)
    return done


def run_job(app: Flask, job: Job, node: str | None = None, *, force: bool = False) -> bool:
    """Run one job inside an app context when this process wins its claim; returns whether it ran. A failure is
    logged, rolled back and recorded, never kills the scheduler."""
    from ..extensions import db

    node = node or node_name()
    lease = timedelta(seconds=app.config["LRC_SCHEDULER_LEASE_SECONDS"])
    with app.app_context():
        try:
            try:
                if not claim_job(job, node, lease, force=force):
                    return False
            except Exception:  # noqa: BLE001 - the database is away: try again at the next tick
                db.session.rollback()
                log.exception("job %s: could not claim", job.id)
                return False
            started, error = time.perf_counter(), None
            try:
                job.func()
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - keep the scheduler alive, log the failure
                db.session.rollback()
                error = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", job.id)
            seconds = time.perf_counter() - started
            try:
                _record(job, node, seconds, error)
            except Exception:  # noqa: BLE001 - the claim runs out by itself
                db.session.rollback()
                log.exception("job %s: could not record the run", job.id)
            if error is None:
                log.info("job %s done in %.0f ms", job.id, seconds * 1000,
                         extra={"job": job.id, "duration_ms": round(seconds * 1000), "node": node})
            return True
        finally:
            db.session.remove()


def look_every(job: Job, tick: int) -> float:
    return max(1.0, min(float(tick), interval_of(job) / 2))


def run_all_once(app: Flask) -> int:
    """Run every job once now (cron, tests); jobs another process is running at this moment are skipped.
    Returns how many ran."""
    from ..extensions import db

    node = node_name()
    with app.app_context():
        ensure_job_rows()
        db.session.remove()
    return sum(run_job(app, job, node, force=True) for job in list(registered_jobs(app).values()))


def start_blocking(app: Flask) -> None:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.blocking import BlockingScheduler

    from ..extensions import db

    node = node_name()
    jobs = list(registered_jobs(app).values())
    with app.app_context():
        ensure_job_rows()
        db.session.remove()
        looks = {job.id: look_every(job, max(1, app.config["LRC_SCHEDULER_TICK_SECONDS"])) for job in jobs}
    # One thread per job at most: a slow job (certificate batches) never holds up the others.
    scheduler = BlockingScheduler(timezone=app.config["LRC_TIMEZONE"],
                                  executors={"default": ThreadPoolExecutor(max(1, len(jobs)))})
    started = datetime.now(UTC)
    for job in jobs:
        # Look for the job every `tick` seconds, or twice per interval for short ones (a look that comes just
        # before the due time would otherwise wait a whole interval), first right away; the claim decides
        # whether this process runs it. coalesce + max_instances=1: a late or slow look never piles up here.
        scheduler.add_job(run_job, "interval", seconds=looks[job.id], args=[app, job, node], id=job.id,
                          coalesce=True, max_instances=1, misfire_grace_time=None, next_run_time=started)
        log.info("scheduled %s every %ss: %s", job.id, job.seconds, job.description)
    log.info("scheduler node %s started", node)
    scheduler.start()
