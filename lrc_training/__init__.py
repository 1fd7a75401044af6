"""LRC Training: the application factory.

`create_app` is the one place that says what an app is made of: its blueprints, navigation entries, to-do providers,
timed jobs, certificate sources, demo data, CLI commands and the hooks through which `core` reaches accounts and
the areas. Importing a module registers nothing: every one of these lists is per app, written out below, in the
order it is used (the navigation bar shows its entries in the order given here)."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .config import CONFIGS, secret_key_problem

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | dict | None = None) -> Flask:
    """Build the app: config → extensions → accounts → blueprints and what hangs off them → CLI → error handlers.
    Never migrates."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("LRC_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    from .core.access import RequestGlobals

    app.app_ctx_globals_class = RequestGlobals  # g.api_user loads on first use (core/access.py)
    configure(app, config)
    if app.config["LRC_PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["LRC_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_extensions(app)
    register_accounts(app)
    register_operations(app)
    register_blueprints(app)
    register_navigation_entries(app)
    register_todo_providers(app)
    register_scheduled_jobs(app)
    register_issuing_sources(app)
    register_photo_audiences(app)
    register_demo_data(app)
    register_listeners(app)
    register_cli(app)
    register_request_hooks(app)
    from .core.error_handlers import register_error_handlers

    register_error_handlers(app)
    return app


def configure(app: Flask, config: str | dict | None) -> None:
    overrides = config if isinstance(config, dict) else {}
    # Without LRC_ENV the app runs as production: the public development key is never the silent default.
    name = config if isinstance(config, str) else overrides.get("ENV_NAME") or os.environ.get("LRC_ENV") or "production"
    if name not in CONFIGS:
        raise RuntimeError(f"LRC_ENV={name!r} is not one of {', '.join(CONFIGS)}")
    app.config.from_object(CONFIGS[name])
    app.config.from_mapping(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "lrc_training.db")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://") or uri.startswith("postgresql://"):
        # Use psycopg 3 for plain postgresql:// URLs too.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    from .core.dbsettings import apply_database_settings

    apply_database_settings(app.config)
    problem = secret_key_problem(name, app.config.get("SECRET_KEY"))
    if problem:
        raise RuntimeError(
            f"{problem}. Outside development the app signs sessions and certificate QR codes with SECRET_KEY: set it "
            f"to a private random value, e.g. SECRET_KEY=$(python3 -c 'import secrets;print(secrets.token_urlsafe(48))'); "
            f"for local development run with LRC_ENV=development (make run does)."
        )
    app.config["ENV_NAME"] = name
    import ipaddress

    for part in (app.config.get("LRC_TRUSTED_NETWORKS") or "").split(","):
        try:
            ipaddress.ip_network(part.strip(), strict=False) if part.strip() else None
        except ValueError:
            raise RuntimeError(f"LRC_TRUSTED_NETWORKS: {part.strip()!r} is not a network (e.g. 10.20.0.0/16)") from None
    from .core.audit_keys import check_audit_key_settings
    from .core.production import check_production_settings

    check_audit_key_settings(app)
    check_production_settings(app.config)


def register_extensions(app: Flask) -> None:
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    from .core.forms import use_chinese_form_messages

    use_chinese_form_messages(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .core.storage import init_storage

    init_storage(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"


def register_accounts(app: Flask) -> None:
    """auth answers what core asks about accounts: the signed-in user of a page (Flask-Login's loader), the API's
    tokens, mail recipients and names (core/accounts.py). core never imports auth."""
    from .auth.directory import ACCOUNTS
    from .auth.services.web_sessions import load_session_user, track_activity
    from .core.accounts import use_accounts
    from .extensions import login_manager

    login_manager.user_loader(load_session_user)
    app.before_request(track_activity)
    use_accounts(app, ACCOUNTS)


def register_operations(app: Flask) -> None:
    """Logging with request ids, request metrics, health and metrics endpoints (docs/operations.md). Registered
    before the other request hooks so that requests they refuse are timed and logged too."""
    from .core.assets import register_static_versions
    from .core.health import bp as health_bp
    from .core.metrics import bp as metrics_bp
    from .core.metrics import observe_request, register_database_gauges, watch_pool
    from .core.request_log import configure_logging, register_request_log
    from .exams.metrics import OPEN_ATTEMPTS

    configure_logging(app)
    register_request_log(app, observe=observe_request)
    watch_pool(app)
    register_static_versions(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(metrics_bp)
    register_database_gauges(app, OPEN_ATTEMPTS)


def register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    class DatabaseIdConverter(IntegerConverter):
        """<int:…> ids beyond a database integer are simply not found (PostgreSQL would refuse the query)."""

        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseIdConverter
    from .auth.api import api_bp as auth_api_bp
    from .auth.views import admin_bp
    from .auth.views import bp as auth_bp
    from .certificates.api import api_bp as certificates_api_bp
    from .certificates.views import bp as certificates_bp
    from .certificates.views import public_bp as verify_bp
    from .contests.api import api_bp as contests_api_bp
    from .contests.views import bp as contests_bp
    from .core import bp as core_bp
    from .core.openapi import bp as docs_bp
    from .courses.api import api_bp as courses_api_bp
    from .courses.views import bp as courses_bp
    from .exams.api import api_bp as exams_api_bp
    from .exams.views import bp as exams_bp
    from .extensions import csrf
    from .registry.api import api_bp as registry_api_bp
    from .registry.views import bp as registry_bp

    for blueprint in (core_bp, auth_bp, admin_bp, courses_bp, exams_bp, contests_bp, certificates_bp, verify_bp,
                      registry_bp):
        app.register_blueprint(blueprint)
    for blueprint in (auth_api_bp, courses_api_bp, certificates_api_bp, exams_api_bp, contests_api_bp,
                      registry_api_bp, docs_bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def csrf_for_pages():
        """CSRF protects every page form; the JSON API under /api/ authenticates with bearer tokens, not
        cookies, so it is exempt by path in this one place (WTF_CSRF_CHECK_DEFAULT is off)."""
        from flask import request

        if request.path.startswith("/api/") or not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if request.method in app.config.get("WTF_CSRF_METHODS", {"POST", "PUT", "PATCH", "DELETE"}):
            csrf.protect()


def register_todo_providers(app: Flask) -> None:
    """The home page's to-dos (core/todo.py): each area's provider, listed here so that core imports no area.
    A new source of to-dos is one function in its area's todo.py and one entry below."""
    from .certificates.todo import todo_for as certificate_todos
    from .contests.todo import todo_for as competition_todos
    from .core.todo import register_todo_provider
    from .courses.todo import todo_for as training_todos
    from .exams.todo import todo_for as certification_todos
    from .registry.todo import reports_todo_for as report_todos
    from .registry.todo import todo_for as registry_todos

    for provider in (certification_todos, training_todos, competition_todos, certificate_todos, registry_todos,
                     report_todos):
        register_todo_provider(app, provider)


def register_photo_audiences(app: Flask) -> None:
    """Who besides a person's own organization may see and check their ID photo (auth/services/photos.py): the evaluator of
    an exam session, for the people who applied to it."""
    from .auth.services.photos import register_photo_audience
    from .exams.queries import candidate_user_ids

    register_photo_audience(app, "exam_candidates", candidate_user_ids)


def register_navigation_entries(app: Flask) -> None:
    """The navigation bar and the dashboard's cards, in this order (core/navigation.py); each area declares its
    entries as a NAV list beside the pages they open."""
    from .auth.views import admin as admin_views
    from .auth.views import photos as photo_views
    from .auth.views import sessions as session_views
    from .auth.views import signin as auth_views
    from .certificates.views import certificates as certificate_views
    from .certificates.views import manual as manual_views
    from .certificates.views import source_requests as source_request_views
    from .contests.views import control as competition_views
    from .contests.views import judging as competition_judging_views
    from .contests.views import public as competition_results_views
    from .core import views as core_views
    from .core.navigation import register_navigation
    from .courses.views import manage as course_manage_views
    from .courses.views import trainee as course_trainee_views
    from .exams.views import bank as exam_bank_views
    from .exams.views import candidate as exam_candidate_views
    from .exams.views import grading as exam_grading_views
    from .exams.views import sessions as exam_session_views
    from .registry.selection.views import rounds as selection_views
    from .registry.views import dashboard as registry_dashboard
    from .registry.views import reports as report_views
    from .registry.views import targets as target_views
    from .registry.views import work as work_views

    register_navigation(
        app,
        admin_views.NAV, photo_views.NAV, session_views.NAV, auth_views.NAV, core_views.NAV,
        certificate_views.NAV, manual_views.NAV, source_request_views.NAV,
        course_manage_views.NAV, course_trainee_views.NAV,
        exam_bank_views.NAV, exam_candidate_views.NAV, exam_grading_views.NAV, exam_session_views.NAV,
        work_views.NAV, report_views.NAV, selection_views.NAV, target_views.NAV, registry_dashboard.NAV,
        competition_results_views.NAV, competition_views.NAV, competition_judging_views.NAV,
    )


def register_scheduled_jobs(app: Flask) -> None:
    """The timed jobs `flask scheduler` runs (core/scheduler.py); each is a function marked @scheduled."""
    from .auth.jobs import send_account_mail
    from .certificates.services.batches import process_pending_batches
    from .contests.jobs import finalize_due
    from .core.audit import checkpoint_job
    from .core.mail import send_pending_emails
    from .core.scheduler import register_jobs
    from .exams.jobs import prepare_upcoming_papers, send_exam_reminders, submit_overdue_attempts
    from .registry.jobs import rebuild_job, selections_due

    register_jobs(app, send_pending_emails, checkpoint_job, send_account_mail, process_pending_batches,
                  send_exam_reminders, submit_overdue_attempts, prepare_upcoming_papers, selections_due, finalize_due,
                  rebuild_job)


def register_issuing_sources(app: Flask) -> None:
    """What POST /certificates/issue can issue for: exams and contests tell certificates how, so certificates
    imports neither."""
    from .certificates.services.issuing import register_certificate_sources
    from .contests import api as competition_api
    from .contests.services import promotions
    from .exams.services import results as exam_results

    register_certificate_sources(app, exam_results.CERTIFICATE_SOURCE, competition_api.CERTIFICATE_SOURCE,
                                 promotions.CERTIFICATE_SOURCE)


def register_demo_data(app: Flask) -> None:
    """`flask seed-demo`: the people first, then each area's data on top, in this order."""
    from .auth.demo import seed_people
    from .certificates.demo import seed_certificates
    from .contests.demo import seed_competitions
    from .core.demo import register_demo
    from .courses.demo import seed_courses
    from .exams.demo import seed_exams
    from .registry.demo import seed_registry

    register_demo(app, seed_people, seed_courses, seed_exams, seed_competitions, seed_certificates, seed_registry)


def register_listeners(app: Flask) -> None:
    """What one area does when another area's event happens, wired here so that neither imports the other: the
    registry records a competition's honor titles (技术能手) in its register of honors, and keeps its coordinator
    read model in step with certificates, records, people and organizations."""
    from .contests.services.finalize import on_honor_granted
    from .registry.services.coordinators import keep_in_step
    from .registry.services.honors import record_honor

    on_honor_granted(app, record_honor)
    keep_in_step()  # the coordinator read model follows every flush that changes who is a coordinator


def register_cli(app: Flask) -> None:
    """`flask <command>`: core's tools, then each area's."""
    from .auth import cli as auth_cli
    from .core import cli as core_cli
    from .exams import cli as exam_cli
    from .registry import cli as registry_cli

    for area in (core_cli, auth_cli, exam_cli, registry_cli):
        area.register_commands(app)


def register_request_hooks(app: Flask) -> None:
    from .core.security import register_security

    register_security(app)
    from .core.templating import register_template_helpers

    register_template_helpers(app)
    from .auth.templating import register_template_filters

    register_template_filters(app)
