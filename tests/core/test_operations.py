"""What operators and their tools see: /healthz and /readyz for the load balancer, /metrics for Prometheus (only
from the allowed addresses), a request id on every answer, error page and log line, and the database pool and
statement timeout taken from the environment."""

from __future__ import annotations

import json
import logging
import re

import pytest
from flask import Flask, g
from limits.storage import RedisStorage
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from lrc_training.core.dbsettings import apply_database_settings
from lrc_training.core.error_handlers import _respond
from lrc_training.core.notifications import notify
from lrc_training.core.request_log import JsonFormatter, configure_logging, incoming_request_id
from lrc_training.core.scheduler import ensure_job_rows, registered_jobs, run_job
from lrc_training.extensions import db, limiter
from tests.conftest import USING_POSTGRES, api_token, login
from tests.exams.helpers import make_bank, make_session, setup_org
from tests.factories import make_user

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def metric_value(body: str, name: str, **labels) -> float | None:
    """The value of one sample in Prometheus text format, or None when absent."""
    for line in body.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(4))
    return None


# -- health -------------------------------------------------------------------------------------------------------

def test_healthz_and_readyz_answer_anyone_without_signing_in(client):
    assert client.get("/healthz", environ_base=OUTSIDE).status_code == 200
    ready = client.get("/readyz", environ_base=OUTSIDE)
    assert ready.status_code == 200
    assert ready.get_json() == {"database": "ok", "storage": "ok", "ratelimit": "ok"}


def test_readyz_names_unwritable_storage(app, client, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(app, "instance_path", str(blocker / "instance"))  # cannot be created under a file
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"database": "ok", "storage": "failed", "ratelimit": "ok"}


def test_readyz_names_an_unwritable_file_store(app, client, monkeypatch, tmp_path):
    from lrc_training.core.storage import LocalStorage

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setitem(app.extensions, "lrc_storage", LocalStorage(blocker / "files"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"database": "ok", "storage": "failed", "ratelimit": "ok"}


def test_readyz_names_an_unreachable_ratelimit_store(client, monkeypatch):
    # A Redis nobody listens on (port 1 on loopback): what a node sees when Redis is down.
    monkeypatch.setattr(limiter, "_storage", RedisStorage("redis://127.0.0.1:1/0", socket_connect_timeout=0.5))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["ratelimit"] == "failed"
    assert ready.get_json()["database"] == "ok"


def test_readyz_names_an_unreachable_database(app, client, monkeypatch):
    engine = create_engine("sqlite:////nonexistent-folder/lrc.db")
    monkeypatch.setitem(db._app_engines[app], None, engine)
    try:
        ready = client.get("/readyz")
    finally:
        monkeypatch.undo()
        engine.dispose()
    assert ready.status_code == 503
    assert ready.get_json() == {"database": "failed", "storage": "ok", "ratelimit": "ok"}


# -- metrics ------------------------------------------------------------------------------------------------------

def test_metrics_are_hidden_from_addresses_outside_the_allow_list(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 200  # loopback by default
    hidden = client.get("/metrics", environ_base=OUTSIDE)
    assert hidden.status_code == 404
    assert "lrc_" not in hidden.get_data(as_text=True)
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200

    monkeypatch.setitem(app.config, "LRC_METRICS_ALLOW", "10.20.0.0/16, 192.0.2.7")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.3.4"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.21.0.1"}).status_code == 404
    assert client.get("/metrics").status_code == 404  # loopback no longer listed


def test_metrics_behind_a_proxy_judge_the_client_not_the_proxy(client):
    # Without LRC_PROXY_HOPS the header is not trusted: a client cannot claim to be loopback.
    spoofed = client.get("/metrics", environ_base=OUTSIDE, headers={"X-Forwarded-For": "127.0.0.1"})
    assert spoofed.status_code == 404


def test_request_latency_is_counted_by_endpoint_and_status(client):
    before = metric_value(client.get("/metrics").get_data(as_text=True), "lrc_http_request_duration_seconds_count",
                          endpoint="ops.healthz", method="GET", status="200") or 0
    for _ in range(3):
        client.get("/healthz")
    client.get("/no-such-page")
    body = client.get("/metrics").get_data(as_text=True)
    assert metric_value(body, "lrc_http_request_duration_seconds_count",
                        endpoint="ops.healthz", method="GET", status="200") == before + 3
    assert metric_value(body, "lrc_http_request_duration_seconds_count",
                        endpoint="unmatched", method="GET", status="404") >= 1
    assert metric_value(body, "lrc_http_request_duration_seconds_bucket",
                        endpoint="ops.healthz", method="GET", status="200", le="+Inf") == before + 3
    assert body.startswith("# HELP") and "# TYPE lrc_http_request_duration_seconds histogram" in body


def test_metrics_read_the_queue_jobs_and_open_attempts_from_the_database(app, client, monkeypatch):
    user = make_user("trainee", username="queued")
    notify(user.id, "一条待发送的通知")
    notify(user.id, "另一条")
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert metric_value(body, "lrc_email_queue_length") == 2
    assert metric_value(body, "lrc_exam_attempts_open") == 0
    assert metric_value(body, "lrc_job_interval_seconds", job="notifications.email") == 30
    assert metric_value(body, "lrc_job_last_success_timestamp_seconds", job="exams.reminders") is None

    ensure_job_rows()
    assert run_job(app, registered_jobs(app)["exams.reminders"], "node-a")
    body = client.get("/metrics").get_data(as_text=True)
    assert metric_value(body, "lrc_job_last_success_timestamp_seconds", job="exams.reminders") > 1.7e9
    assert metric_value(body, "lrc_job_last_duration_seconds", job="exams.reminders") >= 0


def test_autosaves_and_open_attempts_are_counted(client, caplog):
    org, staff = setup_org()
    make_bank(staff)
    session = make_session(staff)
    make_user("trainee", username="cand")
    staff_h, cand_h = api_token(client, "staff"), api_token(client, "cand")
    application = client.post(f"/api/v1/exam-sessions/{session.id}/applications",
                              json={"work_years": 5, "prior_certificate_number": None}, headers=cand_h).get_json()
    assert client.post(f"/api/v1/applications/{application['id']}/approve", headers=staff_h).status_code == 200
    paper = client.post(f"/api/v1/exam-sessions/{session.id}/attempts", headers=cand_h).get_json()
    before = metric_value(client.get("/metrics").get_data(as_text=True), "lrc_exam_autosaves_total")
    single = next(q for q in paper["questions"] if q["kind"] == "single")
    url = f"/api/v1/attempts/{paper['id']}/responses/{single['id']}"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="lrc.request"):
        assert client.put(url, json={"response": "A"}, headers=cand_h).status_code == 200
        assert client.put(url, json={"response": "B"}, headers=cand_h).status_code == 200
        assert client.put(url, json={"response": "Z"}, headers=cand_h).status_code == 422  # not saved, not counted
    # Successful saves are counted, not logged line by line (hundreds a second on exam day); the refusal is logged.
    logged = [(r.method, r.status) for r in caplog.records if r.name == "lrc.request"]
    assert logged == [("PUT", 422)]
    body = client.get("/metrics").get_data(as_text=True)
    assert metric_value(body, "lrc_exam_autosaves_total") == before + 2
    assert metric_value(body, "lrc_exam_attempts_open") == 1


# -- request ids and logs --------------------------------------------------------------------------------------

def test_a_sane_request_id_is_kept_and_anything_else_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-2f9c1e.77:ab"})
    assert kept.headers["X-Request-ID"] == "lb-2f9c1e.77:ab"
    for bad in ("short", "has space inside it", "<script>alert(1)</script>", "x" * 200, "ünïcödé-request-id"):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert replaced != bad and re.fullmatch(r"[0-9a-f]{32}", replaced)
    first = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != client.get("/healthz").headers["X-Request-ID"]
    assert incoming_request_id("a\r\nSet-Cookie: x=1") != "a\r\nSet-Cookie: x=1"


def test_error_pages_show_the_request_id_a_user_can_quote(app, client):
    missing = client.get("/no-such-page", headers={"X-Request-ID": "support-ticket-4711"})
    assert missing.status_code == 404
    assert "请求编号: <code class=\"user-select-all\">support-ticket-4711</code>" in missing.get_data(as_text=True)
    with app.test_request_context("/courses"):
        g.request_id = "abcdef0123456789"
        page = _respond(500)
        assert page.status_code == 500
        assert "abcdef0123456789" in page.get_data(as_text=True)


def test_one_log_line_per_request_with_user_and_request_id(client, caplog):
    user = make_user("trainee", username="logged")
    login(client, "logged")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="lrc.request"):
        response = client.get("/notifications", headers={"X-Request-ID": "trace-0000-1111"})
    lines = [r for r in caplog.records if r.name == "lrc.request"]
    assert len(lines) == 1
    record = lines[0]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["method"] == "GET" and entry["path"] == "/notifications"
    assert entry["status"] == response.status_code == 200
    assert entry["user_id"] == user.id and entry["request_id"] == "trace-0000-1111"
    assert isinstance(entry["duration_ms"], float) and entry["level"] == "info" and entry["logger"] == "lrc.request"

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="lrc.request"):
        client.application.test_client().get("/healthz")  # a visitor who has not signed in
    anonymous = json.loads(JsonFormatter().format(next(r for r in caplog.records if r.name == "lrc.request")))
    assert "user_id" not in anonymous  # nobody signed in: no field rather than a guess


def test_json_log_format_writes_one_json_object_per_line(capsys):
    app = Flask("json-log-check")
    app.config["LRC_LOG_FORMAT"] = "json"
    root = logging.getLogger()
    before = list(root.handlers)  # may hold the handler of a production app another test built
    configure_logging(app)
    try:
        configure_logging(app)  # a second app replaces the handler instead of doubling every line
        ours = [h for h in root.handlers if getattr(h, "_lrc_handler", False)]
        assert len(ours) == 1 and ours[0] not in before
        with app.test_request_context("/"):
            g.request_id = "rid-12345678"
            logging.getLogger("lrc.scheduler").warning("job %s failed", "x", extra={"job": "x"})
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "job x failed" and entry["job"] == "x" and entry["request_id"] == "rid-12345678"


# -- pool and timeouts ------------------------------------------------------------------------------------------

def _settings(uri: str, **overrides) -> dict:
    config = {"SQLALCHEMY_DATABASE_URI": uri, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
              "LRC_DB_POOL_SIZE": 12, "LRC_DB_MAX_OVERFLOW": 3, "LRC_DB_POOL_TIMEOUT": 7,
              "LRC_DB_STATEMENT_TIMEOUT_MS": 0, **overrides}
    apply_database_settings(config)
    return config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_pool_and_timeout_settings_apply_to_postgresql_only():
    options = _settings("postgresql+psycopg://lrc@db/lrc", LRC_DB_STATEMENT_TIMEOUT_MS=30000)
    assert options == {"pool_pre_ping": True, "pool_size": 12, "max_overflow": 3, "pool_timeout": 7,
                       "connect_args": {"options": "-c statement_timeout=30000"}}
    assert "connect_args" not in _settings("postgresql+psycopg://lrc@db/lrc")
    assert _settings("sqlite:///x.db") == {"pool_pre_ping": True}


@pytest.mark.skipif(not USING_POSTGRES, reason="statement_timeout is a PostgreSQL setting (TEST_DATABASE_URL)")
def test_a_statement_over_the_timeout_is_cancelled(app):
    options = _settings(app.config["SQLALCHEMY_DATABASE_URI"], LRC_DB_STATEMENT_TIMEOUT_MS=200)
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **options)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "200ms"
            with pytest.raises(OperationalError, match="statement timeout"):
                conn.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()


# -- static files ---------------------------------------------------------------------------------------------

def test_static_urls_carry_a_content_version_so_they_can_be_cached_long(app, client):
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'href="/static/css/app\.css\?v=([0-9a-f]{10})"', page)
    assert match, "the stylesheet link has no version"
    assert client.get(f"/static/css/app.css?v={match.group(1)}").status_code == 200
    from lrc_training.core.assets import static_version

    assert static_version(app.static_folder, "css/app.css") == match.group(1)
    assert static_version(app.static_folder, "../wsgi.py") is None  # nothing outside the folder
    assert static_version(app.static_folder, "css/missing.css") is None


def test_a_static_file_asked_for_by_its_current_version_is_cached_for_a_year_and_a_stale_one_is_not(client):
    page = client.get("/login").get_data(as_text=True)
    version = re.search(r'href="/static/css/app\.css\?v=([0-9a-f]{10})"', page).group(1)
    current = client.get(f"/static/css/app.css?v={version}")
    assert current.status_code == 200
    assert current.cache_control.max_age == 365 * 24 * 3600 and current.cache_control.immutable
    for stale in (f"/static/css/app.css?v={'0' * 10}", "/static/css/app.css"):
        answer = client.get(stale)
        assert answer.status_code == 200 and not answer.cache_control.immutable, stale
        assert answer.cache_control.max_age != 365 * 24 * 3600
