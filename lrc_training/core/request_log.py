"""One log line per request, and a request id that ties a user's report to that line.

The id is the caller's `X-Request-ID` when it is a sane token (nginx's `$request_id`, a load balancer's id), else
a new one; it is sent back in the `X-Request-ID` header, shown on error pages ("请求编号") and added to every log
record written while the request runs. `LRC_LOG_FORMAT=json` (the production default) writes each record as one
JSON object per line for a log collector; `text` (development) writes readable lines."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")
request_log = logging.getLogger("lrc.request")
_HANDLER_MARK = "_lrc_handler"
# Attributes every LogRecord has; anything else on a record was passed with `extra=` and goes into the JSON.
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def incoming_request_id(value: str | None) -> str:
    """The caller's id when it is 8–128 characters of letters, digits and `._:-`; otherwise a fresh one
    (a header value goes into logs and a response header, so nothing else is trusted)."""
    if value and _SANE_ID.match(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id and record.name != request_log.name else line


def configure_logging(app: Flask) -> None:
    """One stderr handler on the root logger in the configured format (replacing the one an earlier app installed).
    Tests keep pytest's own capture."""
    if app.testing:
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(JsonFormatter() if app.config["LRC_LOG_FORMAT"] == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def _user_id() -> int | None:
    # Only the user this request already loaded: logging must not cost a query. An API caller's id is known from
    # the token check (g.api_identity); g.api_user would load the User (core/access.py RequestGlobals).
    identity = g.get("api_identity")
    if identity is not None:
        return identity.user_id
    user = g.get("api_user") or g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    return None


def log_quietly() -> None:
    """Leave this request's line out of the log when it succeeds. For the exam's autosave only: 8,000 candidates
    make hundreds of identical successful saves a second, which the metrics count (lrc_exam_autosaves and the
    latency histogram); a refused save (any status but 200) is still logged. LRC_LOG_AUTOSAVES=1 logs them all."""
    g.log_quietly = True


def register_request_log(app: Flask, observe=None) -> None:
    """Registers the hooks; `observe(endpoint, method, status, seconds)` is also called per request (metrics).
    Call this before other before_request hooks so a request they refuse is still timed and logged."""
    log_every_request = bool(app.config.get("LRC_LOG_AUTOSAVES"))

    @app.before_request
    def start_request():
        g.request_started = time.perf_counter()
        g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def finish_request(response):
        request_id = g.get("request_id") or incoming_request_id(None)
        response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
        if observe is not None:
            observe(endpoint, request.method, response.status_code, seconds)
        if response.status_code == 200 and g.get("log_quietly") and not log_every_request:
            return response
        user_id = _user_id()
        request_log.info(
            "%s %s %s %.1fms user=%s id=%s", request.method, request.path, response.status_code, seconds * 1000,
            user_id if user_id is not None else "-", request_id,
            extra={"method": request.method, "path": request.path, "status": response.status_code,
                   "duration_ms": round(seconds * 1000, 1), "user_id": user_id, "request_id": request_id,
                   "remote_addr": request.remote_addr, "endpoint": endpoint})
        return response

    @app.context_processor
    def request_id_for_templates():
        return {"request_id": current_request_id()}
