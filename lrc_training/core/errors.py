"""Domain errors raised by services; the web and API layers turn them into messages and status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `fields` maps a field name to a Chinese reason."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
