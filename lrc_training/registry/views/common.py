"""What several registry pages share: the caller's access narrowed to the region the address asks for, and the
notice for callers who may only read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ...core.errors import DomainError
from ..services.access import Access, caller_access, resolve_scope

T = TypeVar("T")
READ_ONLY = "您所在单位对信息库只有查看权限；登记、修改和导入由人力资源社会保障部门办理。"


def allowed(load: Callable[..., T], *args: Any) -> T:
    """`load(current_user, *args)`, a load-and-authorise service; a refusal becomes a page with its status alone
    (403 or 404; anything else, such as a malformed region code in the address, 400)."""
    try:
        return load(current_user, *args)
    except DomainError as exc:
        abort(exc.status if exc.status in (403, 404) else 400)


def request_access() -> Access:
    """The caller's access for `?region_code=` (403 outside their scope)."""
    return allowed(resolve_scope, request.args.get("region_code") or None)


def may_write() -> bool:
    return caller_access(current_user).write


def read_only_redirect(target: str | None = None):
    """Pages that change the registry are for 人社 staff and admins: anyone else is sent back with the reason."""
    flash(READ_ONLY, "warning")
    return redirect(target or url_for("registry.people"))
