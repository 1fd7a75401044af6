"""Login throttling: N failures for one username or one address lock that key for M minutes.

Counts live in Flask-Limiter's storage (memory by default, Redis when LRC_RATELIMIT_STORAGE_URI says so),
so every worker process sees the same counts when Redis is configured.
"""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItemPerMinute
from limits.strategies import MovingWindowRateLimiter

from ..extensions import limiter


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _item() -> RateLimitItemPerMinute:
    cfg = current_app.config
    return RateLimitItemPerMinute(cfg["LRC_LOGIN_MAX_FAILURES"], cfg["LRC_LOGIN_LOCK_MINUTES"])


def _strategy() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("user", (username or "").strip().lower())]
    if address:
        keys.append(("addr", address))
    return keys


def check_login_allowed(username: str, address: str | None) -> None:
    """Raise LoginThrottled (with seconds to wait) when either key has used up its failures."""
    strategy, item = _strategy(), _item()
    waits = []
    for kind, value in _keys(username, address):
        if not strategy.test(item, "login", kind, value):
            reset_at, _remaining = strategy.get_window_stats(item, "login", kind, value)
            waits.append(max(1, math.ceil(reset_at - time.time())))
    if waits:
        raise LoginThrottled(max(waits))


def record_login_failure(username: str, address: str | None) -> None:
    strategy, item = _strategy(), _item()
    for kind, value in _keys(username, address):
        strategy.hit(item, "login", kind, value)


def clear_login_failures(username: str) -> None:
    _strategy().clear(_item(), "login", "user", (username or "").strip().lower())
