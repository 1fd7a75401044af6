"""create_app is the one place that wires an app: importing a module registers nothing, and every registry
(navigation, jobs, certificate sources, demo data, to-dos, database gauges) belongs to one app."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from lrc_training import create_app
from lrc_training.auth.services.photos import AUDIENCES_KEY
from lrc_training.certificates.services.issuing import certificate_sources
from lrc_training.core.demo import EXTENSION_KEY as DEMO_KEY
from lrc_training.core.navigation import nav_items
from lrc_training.core.scheduler import registered_jobs
from lrc_training.core.todo import todo_providers

ROOT = Path(__file__).resolve().parents[1]
# The navigation bar's order (the dashboard's cards follow it): changing it is a visible change.
NAV_ORDER = [
    "admin.users", "admin.organizations", "auth.photo", "auth.photo_review", "auth.sessions", "auth.profile",
    "core.audit_log", "core.work_areas", "core.notifications", "core.notification_settings",
    "certificates.index", "certificates.mine", "certificates.manual", "certificates.source_requests",
    "courses.manage", "courses.catalog", "courses.mine",
    "exams.bank", "exams.mine", "exams.grading", "exams.sessions",
    "registry.risk_reports", "registry.reports", "registry.selections", "registry.open_rounds", "registry.my_reviews",
    "registry.targets", "registry.dashboard",
    "contests.public_results", "contests.index", "contests.judging",
]
JOBS = {
    "notifications.email": 30, "audit.checkpoint": 600, "auth.account_mail": 15, "certificates.batches": 5,
    "exams.reminders": 300, "exams.auto_submit": 30, "exams.prepare_papers": 60, "registry.selections": 300,
    "contests.finalize": 60,
    "registry.coordinators": 24 * 3600,
}
SOURCES = {"exam_session", "competition", "competition_promotion"}


def test_the_app_is_wired_in_create_app(app):
    assert [item.endpoint for item in nav_items(app)] == NAV_ORDER
    assert all(item.endpoint in app.view_functions for item in nav_items(app))
    assert {job_id: job.seconds for job_id, job in registered_jobs(app).items()} == JOBS
    assert set(certificate_sources(app)) == SOURCES
    demo = app.extensions[DEMO_KEY]
    assert [seeder.__name__ for seeder in (demo.people, *demo.seeders)] == [
        "seed_people", "seed_courses", "seed_exams", "seed_competitions", "seed_certificates", "seed_registry"]
    assert {"create-admin", "seed-demo", "scheduler", "stats", "audit"} <= set(app.cli.list_commands(None))


def test_a_second_app_duplicates_nothing_and_shares_nothing(app):
    before = (nav_items(app), dict(registered_jobs(app)), dict(certificate_sources(app)), todo_providers(app))
    other = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    # Building another app changes nothing in this one, and the other has the same lists, each entry once.
    assert (nav_items(app), dict(registered_jobs(app)), dict(certificate_sources(app)), todo_providers(app)) == before
    assert [item.endpoint for item in nav_items(other)] == NAV_ORDER
    assert registered_jobs(other) == registered_jobs(app)
    assert set(certificate_sources(other)) == SOURCES
    assert len(todo_providers(other)) == len(todo_providers(app)) == len(set(todo_providers(app)))
    # Each app has its own registries: what a test adds to one app is not in the other.
    assert registered_jobs(other) is not registered_jobs(app)
    assert certificate_sources(other) is not certificate_sources(app)
    assert other.extensions["lrc_navigation"] is not app.extensions["lrc_navigation"]
    assert other.extensions[AUDIENCES_KEY] is not app.extensions[AUDIENCES_KEY]
    assert list(other.extensions[AUDIENCES_KEY]) == list(app.extensions[AUDIENCES_KEY]) == ["exam_candidates"]


def test_importing_every_module_registers_nothing():
    """In a fresh interpreter: import every module of the project, then a bare Flask app has no navigation, jobs,
    sources or to-dos, and no module keeps a process-wide registry that an import could fill."""
    script = textwrap.dedent("""
        import importlib, pkgutil
        from flask import Flask
        import lrc_training
        for info in pkgutil.walk_packages(lrc_training.__path__, "lrc_training."):
            importlib.import_module(info.name)
        from lrc_training.auth.services import photos
        from lrc_training.certificates.services import issuing
        from lrc_training.core import demo, navigation, scheduler, todo
        bare = Flask("bare")
        with bare.app_context():
            assert navigation.nav_items(bare) == [], "navigation"
            assert scheduler.registered_jobs(bare) == {}, "jobs"
            assert issuing.certificate_sources(bare) == {}, "sources"
            assert todo.todo_providers(bare) == [], "to-dos"
            assert demo.EXTENSION_KEY not in bare.extensions, "demo"
            assert photos.AUDIENCES_KEY not in bare.extensions, "photo audiences"
        leftovers = [(module, name) for module, names in (
            (navigation, ("NAV_ITEMS", "register_nav")), (scheduler, ("JOBS", "register_job")),
            (issuing, ("_SOURCES", "register_source")), (demo, ("_SEEDERS", "register_demo_seeder")),
            (photos, ("_AUDIENCES",)))
            for name in names if hasattr(module, name)]
        assert not leftovers, leftovers
        # A job's mark only describes it.
        from lrc_training.exams.jobs import submit_overdue_attempts
        assert submit_overdue_attempts.scheduled_job.id == "exams.auto_submit"
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,  # noqa: S603
                            timeout=120, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
