"""Security headers, the JSON body limit and bounds on ids in URLs."""

from __future__ import annotations

import re

from flask import Flask, abort, current_app, request
from werkzeug.exceptions import BadRequest

from .api import MAX_DB_INT, ApiError

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"请求体超过 {limit // 1024} KB 上限", {"body": "内容过大"})


def ids_in_range(endpoint, values):
    """An id no database column can hold names no record: 404, not an OverflowError deep in a query."""
    for value in (values or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_DB_INT:
            abort(404)


def limit_json_bodies():
    """docs/api.md: JSON bodies over 1 MB get 413; file uploads (multipart) keep MAX_CONTENT_LENGTH."""
    if not request.path.startswith("/api/") or request.mimetype == "multipart/form-data":
        return
    limit = current_app.config["LRC_JSON_MAX_BYTES"]
    if request.content_length is not None:
        if request.content_length > limit:
            raise _too_large(limit)
        request.max_content_length = limit
        return
    if "wsgi.input_terminated" in request.environ:
        # A chunked body without Content-Length. Werkzeug's limited stream stops quietly *at* its limit, so
        # a view would see the first megabyte and answer "malformed JSON"; read one byte past the limit here
        # (the body is cached for the view) to tell "exactly 1 MB" from "too large".
        request.max_content_length = limit + 1
        if len(request.get_data(cache=True)) > limit:
            raise _too_large(limit)


def refuse_control_characters():
    """NUL and other control characters in form fields or query strings are never legitimate input
    (PostgreSQL cannot store NUL): refuse them before any view sees them."""
    if request.path.startswith("/api/"):
        return None  # the API schemas refuse them with field-level errors
    values = [*request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += [v for v in request.form.values()]
    if any(_BAD_CHARS.search(v) for v in values):
        raise BadRequest("输入包含不可见的控制字符")
    return None


def security_headers(always: list[tuple[str, str]]):
    """The after-request hook adding these headers (unless a view set them) and keeping pages and downloads out of
    caches."""

    def add_headers(response):
        headers = response.headers
        present = {key.lower() for key, _ in headers.items()}
        for key, value in always:
            if key.lower() not in present:
                headers.add(key, value)
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        elif request.endpoint != "static" and response.headers.get("Cache-Control", "no-cache") == "no-cache":
            # Downloads (certificate PDFs, admission tickets, exports, materials): send_file marks them no-cache,
            # which still lets the browser and any shared cache keep a copy of personal documents on disk.
            response.headers["Cache-Control"] = "no-store"
        return response

    return add_headers


def register_security(app: Flask) -> None:
    app.url_value_preprocessor(ids_in_range)
    app.before_request(limit_json_bodies)
    app.before_request(refuse_control_characters)
    always = [("Content-Security-Policy", CSP), ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
              ("Referrer-Policy", "same-origin"), ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if app.config.get("SESSION_COOKIE_SECURE"):
        always.append(("Strict-Transport-Security", "max-age=31536000"))
    app.after_request(security_headers(always))
