"""Every error becomes a Chinese page, or docs/api.md's JSON error format under /api/."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db
from .access import is_api_request
from .errors import DomainError
from .throttle import LoginThrottled

CODES = {
    400: ("bad_request", "请求无效", "请求格式不正确，请检查后重试。"),
    401: ("unauthorized", "需要登录", "请先登录后再访问。"),
    403: ("forbidden", "无权访问", "您的账号没有权限访问此页面。"),
    404: ("not_found", "页面不存在", "您访问的页面或记录不存在，或您无权查看。"),
    405: ("method_not_allowed", "不支持的请求方法", "此地址不支持该请求方法。"),
    409: ("conflict", "操作冲突", "数据已被他人修改或状态不允许此操作，请刷新后重试。"),
    413: ("too_large", "内容过大", "提交的内容超过了允许的大小。"),
    422: ("invalid", "输入不符合要求", "提交的内容不符合业务规则。"),
    429: ("throttled", "请求过于频繁", "操作过于频繁，请稍后再试。"),
    500: ("server_error", "服务器错误", "服务器出现了问题，我们已记录，请稍后再试。"),
}


def _status_text(status: int) -> tuple[str, str, str]:
    return CODES.get(status, (f"http_{status}", "请求失败", "请求未能完成。"))


def _respond(status: int, message: str | None = None, *, code: str | None = None, fields=None,
             retry_after: int | None = None, headers=None):
    default_code, title, default_message = _status_text(status)
    message = message or default_message
    if is_api_request():
        body = {"error": code or default_code, "message": message, "fields": fields or {}}
        response = jsonify(body)
    else:
        response = make_response(render_template("errors/error.html", status=status, title=title, message=message))
    response.status_code = status
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    if status == 401 and is_api_request():
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if exc.status >= 500:  # the platform's fault (a stored file gone, storage down): someone must look
            app.logger.error("%s: %s", type(exc).__name__, exc.message)
        return _respond(exc.status, exc.message, code=exc.code, fields=exc.fields,
                        retry_after=getattr(exc, "retry_after", None))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(400, "表单已过期或来源无效（CSRF 校验失败），请刷新页面后重新提交。", code="csrf_failed")

    @app.errorhandler(LoginThrottled)
    def login_throttled(exc: LoginThrottled):
        minutes = max(1, exc.retry_after // 60)
        return _respond(429, f"登录失败次数过多，请约 {minutes} 分钟后再试。", retry_after=exc.retry_after)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(exc: RateLimitExceeded):
        return _respond(429)

    @app.errorhandler(DataError)
    def data_out_of_range(exc: DataError):
        """A value the database cannot hold (a number past its integer range, say) is the caller's mistake, not
        the server's; the validation that should have caught it earlier is logged for the developers."""
        db.session.rollback()
        app.logger.warning("value refused by the database: %s", exc.orig)
        return _respond(400, "提交的数值超出允许范围，请检查后重试。", code="out_of_range")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, InternalServerError):
            return internal_error(exc)
        # Keep the exception's own headers: a 405 must say which methods are allowed (Allow).
        return _respond(exc.code or 500, headers=exc.get_headers())

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error: %s", exc)
        return _respond(500)
