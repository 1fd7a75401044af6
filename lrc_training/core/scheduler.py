"""Timed work. APScheduler runs in its own process (`flask --app wsgi scheduler`), never inside web
workers, so each job runs once however many workers serve the site. Areas register jobs at import;
every job must be idempotent (a state check makes a second run a no-op)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

log = logging.getLogger("lrc.scheduler")


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], object]
    seconds: int
    description: str


JOBS: dict[str, Job] = {}


def register_job(job_id: str, seconds: int, description: str) -> Callable:
    def decorator(func: Callable[[], object]) -> Callable[[], object]:
        JOBS[job_id] = Job(job_id, func, seconds, description)
        return func

    return decorator


def run_job(app: Flask, job: Job) -> None:
    """Run one job inside an app context; a failure is logged and rolled back, never kills the scheduler."""
    from ..extensions import db

    with app.app_context():
        try:
            job.func()
            db.session.commit()
        except Exception:  # noqa: BLE001 - keep the scheduler alive, log the failure
            db.session.rollback()
            log.exception("job %s failed", job.id)
        finally:
            db.session.remove()


def run_all_once(app: Flask) -> None:
    for job in JOBS.values():
        run_job(app, job)


def start_blocking(app: Flask) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone=app.config["LRC_TIMEZONE"])
    for job in JOBS.values():
        # coalesce + max_instances=1: a late or slow run never piles up duplicates.
        scheduler.add_job(run_job, "interval", seconds=job.seconds, args=[app, job], id=job.id,
                          coalesce=True, max_instances=1, misfire_grace_time=None)
        log.info("scheduled %s every %ss: %s", job.id, job.seconds, job.description)
    scheduler.start()
