"""Prometheus metrics at `/metrics`, for the addresses in LRC_METRICS_ALLOW only (404 for everyone else).

Counted in the process: request latency by endpoint, method and status, answers autosaved during exams, and the
database pool of each process. Under gunicorn every worker is its own process: set PROMETHEUS_MULTIPROC_DIR (an
empty folder, cleared when gunicorn starts; deploy/gunicorn.conf.py does both) and prometheus_client adds up what
all workers counted, whichever worker answers the scrape. Read from the database when scraped (the same on every
node): each scheduled job's last success, last failure and duration, the email queue, and the gauges the areas add
from create_app (`register_database_gauges`: exams counts its open attempts)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import event, func, select

from ..extensions import db
from .access import public
from .networks import address_in, parse_networks

bp = Blueprint("metrics", __name__)
log = logging.getLogger("lrc.metrics")

# The metrics this process counts. Kept out of prometheus_client's global registry: /metrics builds its own.
PROCESS_REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "lrc_http_request_duration_seconds", "Time to answer a request, by endpoint, method and status.",
    ["endpoint", "method", "status"], registry=PROCESS_REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
AUTOSAVES = Counter("lrc_exam_autosaves", "Exam answers saved (page autosave and API), successful saves only.",
                    registry=PROCESS_REGISTRY)
POOL_CHECKED_OUT = Gauge("lrc_db_pool_checked_out", "Database connections in use, summed over live processes.",
                         registry=PROCESS_REGISTRY, multiprocess_mode="livesum")
POOL_SIZE = Gauge("lrc_db_pool_size", "Database pool size (without overflow), summed over live processes.",
                  registry=PROCESS_REGISTRY, multiprocess_mode="livesum")

_REQUEST_SERIES: dict[tuple[str, str, int], Histogram] = {}


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    # One labelled series per (endpoint, method, status), looked up once per process: `labels()` costs more
    # than the observation on the autosave path.
    series = _REQUEST_SERIES.get((endpoint, method, status))
    if series is None:
        series = _REQUEST_SERIES[(endpoint, method, status)] = REQUEST_SECONDS.labels(endpoint, method, str(status))
    series.observe(seconds)


def count_autosave() -> None:
    """One exam answer saved and committed: the exam page's autosave and the API call this, on every path that
    saves."""
    AUTOSAVES.inc()


def watch_pool(app: Flask) -> None:
    """Keep the pool gauges current on every checkout and checkin."""
    with app.app_context():
        engine = db.engine
    pool = engine.pool
    if not hasattr(pool, "checkedout"):  # SQLite's single-connection pools have nothing to report
        return

    def update(*_args) -> None:
        POOL_CHECKED_OUT.set(pool.checkedout())
        POOL_SIZE.set(pool.size())

    event.listen(pool, "checkout", update)
    event.listen(pool, "checkin", update)


GAUGES_KEY = "lrc_database_gauges"


@dataclass(frozen=True)
class DatabaseGauge:
    """A number an area reads from the database at scrape time (one cheap statement)."""

    name: str
    description: str
    read: Callable[[], float]


def register_database_gauges(app: Flask, *gauges: DatabaseGauge) -> None:
    registered = app.extensions.setdefault(GAUGES_KEY, {})
    for gauge in gauges:
        registered[gauge.name] = gauge


class DatabaseCollector(Collector):
    """Gauges read from the database at scrape time (inside the /metrics request)."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from .models import Notification, SchedulerJob

        success = GaugeMetricFamily("lrc_job_last_success_timestamp_seconds",
                                    "When the job last finished without error (Unix time).", labels=["job"])
        failure = GaugeMetricFamily("lrc_job_last_failure_timestamp_seconds",
                                    "When the job last failed (Unix time).", labels=["job"])
        duration = GaugeMetricFamily("lrc_job_last_duration_seconds", "How long the job's last run took.",
                                     labels=["job"])
        interval = GaugeMetricFamily("lrc_job_interval_seconds", "How often the job is due.", labels=["job"])
        from .scheduler import registered_jobs

        for job_id, job in sorted(registered_jobs().items()):
            interval.add_metric([job_id], job.seconds)
        for row in db.session.execute(select(SchedulerJob)).scalars():
            if row.last_success_at is not None:
                success.add_metric([row.job_id], row.last_success_at.timestamp())
            if row.last_failure_at is not None:
                failure.add_metric([row.job_id], row.last_failure_at.timestamp())
            if row.last_duration_ms is not None:
                duration.add_metric([row.job_id], row.last_duration_ms / 1000)
        yield from (success, failure, duration, interval)

        pending, oldest = db.session.execute(
            select(func.count(), func.min(Notification.created_at)).where(Notification.email_status == "pending")
        ).one()
        yield GaugeMetricFamily("lrc_email_queue_length", "Email copies waiting to be sent.", value=pending)
        from ..db import utcnow

        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0
        yield GaugeMetricFamily("lrc_email_oldest_pending_age_seconds", "Age of the oldest email copy waiting.",
                                value=max(0.0, age))
        for gauge in current_app.extensions.get(GAUGES_KEY, {}).values():
            yield GaugeMetricFamily(gauge.name, gauge.description, value=gauge.read())


def scraper_allowed(address: str | None) -> bool:
    return address_in(address, parse_networks(current_app.config.get("LRC_METRICS_ALLOW", ""), strict=False))


def render() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process = CollectorRegistry()
        multiprocess.MultiProcessCollector(process)
    else:
        process = PROCESS_REGISTRY
    scraped = CollectorRegistry()
    scraped.register(DatabaseCollector())
    return generate_latest(process) + generate_latest(scraped)


@bp.get("/metrics")
@public
def metrics():
    """Public in the access table, but only the addresses in LRC_METRICS_ALLOW get an answer: a 404 for the rest
    does not even confirm the page exists."""
    if not scraper_allowed(request.remote_addr):
        abort(404)
    body = render()
    db.session.rollback()  # the collector only read
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
