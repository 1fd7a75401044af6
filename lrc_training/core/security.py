"""Security headers and the JSON body limit."""

from __future__ import annotations

from flask import Flask, request

from .api import ApiError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security(app: Flask) -> None:
    @app.before_request
    def limit_json_bodies():
        if request.path.startswith("/api/"):
            limit = app.config["LRC_JSON_MAX_BYTES"]
            if request.content_length is not None and request.content_length > limit:
                raise ApiError(413, "too_large", f"请求体超过 {limit // 1024} KB 上限", {"body": "内容过大"})
            request.max_content_length = limit  # also caps chunked bodies without a length

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
