"""Shared fixtures: one app per test session on SQLite (or PostgreSQL when TEST_DATABASE_URL is set),
every table emptied after each test, a pushed app context per test, and helpers to sign in."""

from __future__ import annotations

import atexit
import contextvars
import functools
import os
import re
import shutil
import tempfile

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import insert, text

# In RAM where the machine has /dev/shm: the suite's SQLite database commits thousands of times, and a
# disk's fsync on every commit would be most of its time.
# mkdtemp makes a private (0700) folder of a fresh name, so a shared /dev/shm is safe here.
_RAM = "/dev/shm"  # noqa: S108
_INSTANCE = tempfile.mkdtemp(prefix="lrc-test-instance-", dir=_RAM if os.path.isdir(_RAM) else None)
atexit.register(shutil.rmtree, _INSTANCE, ignore_errors=True)
os.environ["LRC_INSTANCE_PATH"] = _INSTANCE

from lrc_training import create_app  # noqa: E402
from lrc_training.core import metrics  # noqa: E402
from lrc_training.core.models import DEFAULT_WORK_AREAS, WorkArea  # noqa: E402
from lrc_training.core.work_areas import ensure_default_work_areas  # noqa: E402
from lrc_training.extensions import db, limiter  # noqa: E402

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
USING_POSTGRES = bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgres"))


def database_uri() -> str:
    """SQLite in this process's temporary instance folder, or TEST_DATABASE_URL. Under pytest-xdist every
    worker gets a PostgreSQL database of its own (`<name>_gw0`, …), created on first use."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{_INSTANCE}/test.db"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not USING_POSTGRES:
        return TEST_DATABASE_URL
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\''))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, as a real server would: the request gets its
    own app context, `g` (where Flask-Login keeps the current user) and database session. Afterwards the
    test's session forgets what it loaded, so it reads what the request committed."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not while following a redirect inside the isolated context
            db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app():
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_uri()})
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # A clean schema whatever earlier runs left behind (drop_all trips over foreign tables).
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        ensure_default_work_areas()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@functools.cache
def _teardown_sql(dialect_name: str) -> tuple[tuple, str, dict[str, str], dict[str, str]]:
    """The teardown's statements as SQL text, written once per run: SQLAlchemy builds and keys a 67-part UNION in
    about 50 ms, which every test would pay (its text runs in about 1 ms)."""
    quote = db.engine.dialect.identifier_preparer.quote
    tables = tuple(reversed(db.metadata.sorted_tables))  # children before parents
    probe = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(t.name)})"
                               for i, t in enumerate(tables))
    # a reference that closes a cycle (questions ↔ their current revision) is cleared before any DELETE
    unlink = {t.name: f"UPDATE {quote(t.name)} SET " + ", ".join(
        f"{quote(fk.parent.name)} = NULL" for fk in t.foreign_keys if fk.use_alter)
        for t in tables if any(fk.use_alter for fk in t.foreign_keys)}
    delete = {t.name: f"DELETE FROM {quote(t.name)}" for t in tables}
    return tables, probe, unlink, delete


def _tables_with_rows() -> list:
    """The tables that hold a row, children first, asked in one statement (most tests touch a handful of the 67
    tables)."""
    tables, probe, _, _ = _teardown_sql(db.engine.dialect.name)
    found = set(db.session.execute(text(probe)).scalars())
    return [table for i, table in enumerate(tables) if i in found]


def _empty_all_tables() -> None:
    """Empty every table a test left rows in (whoever wrote them: the test, a live server's thread, a
    subprocess on the same database), children before parents."""
    _, _, unlink, delete = _teardown_sql(db.engine.dialect.name)
    tables = _tables_with_rows()
    for table in tables:
        if table.name in unlink:
            db.session.execute(text(unlink[table.name]))
    for table in tables:
        db.session.execute(text(delete[table.name]))
    # the reference data the migrations insert, back as it was (in the same transaction: one commit per test)
    db.session.execute(insert(WorkArea), [{"code": code, "name": name, "position": position, "active": True}
                                          for position, (code, name) in enumerate(DEFAULT_WORK_AREAS)])
    db.session.commit()


def _forget_request_metrics() -> None:
    """Each test counts its own requests, as a fresh process would: the series of a whole run (every endpoint,
    method and status the suite ever answered) made each /metrics answer take half a second to write."""
    metrics.REQUEST_SECONDS.clear()
    metrics._REQUEST_SERIES.clear()


@pytest.fixture(autouse=True)
def _app_context(app, tmp_path):
    """Each test runs inside an app context and leaves every table empty behind it (and its own audit anchor
    file: checkpoints outside the database must not outlive the rows they describe). Its request metrics start
    from none."""
    app.config["LRC_AUDIT_ANCHOR_PATH"] = str(tmp_path / "audit-anchors.jsonl")
    _forget_request_metrics()
    with app.app_context():
        limiter.reset()
        yield
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_CSRF_RE = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token(client, path: str = "/login") -> str:
    """A CSRF token for this client's session, read from a form page as a browser would."""
    response = client.get(path, follow_redirects=True)
    match = _CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def post_form(client, path: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST a form with a valid CSRF token, as the page at `token_from` (default: `path`) would."""
    payload = {"csrf_token": csrf_token(client, token_from or path), **data}
    return client.post(path, data=payload, **kwargs)


def login(client, username: str, password: str = "Passw0rd1"):
    response = post_form(client, "/login", {"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def api_token(client, username: str, password: str = "Passw0rd1") -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


class QueryCounter:
    def __init__(self):
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_queries(app):
    """Count SQL statements: `with count_queries() as counter: ...; counter.count`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
