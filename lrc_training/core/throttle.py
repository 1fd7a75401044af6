"""Login throttling, per account and per address, separately.

- An account is locked after LRC_LOGIN_MAX_FAILURES wrong passwords within LRC_LOGIN_LOCK_MINUTES, from wherever
  they came (guessing one person's password).
- An address is locked only after LRC_LOGIN_MAX_FAILURES_PER_ADDRESS failures within
  LRC_LOGIN_ADDRESS_WINDOW_MINUTES, whatever the usernames (password spraying). An exam hall behind one NAT address
  shares that address, so a few candidates mistyping never lock their neighbours out; addresses inside
  LRC_TRUSTED_NETWORKS are never address-locked.

Counts live in Flask-Limiter's storage (memory by default, Redis when LRC_RATELIMIT_STORAGE_URI says so), so every
worker process sees the same counts when Redis is configured. When that storage cannot be reached the counts fall
back to this process's memory: sign-in keeps working (and keeps being limited, per process) instead of failing.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from ..extensions import limiter
from .networks import address_in, parse_networks

log = logging.getLogger(__name__)
T = TypeVar("T")
_fallback_storage = MemoryStorage()


class LoginThrottled(Exception):
    def __init__(self, retry_after: int, scope: str = "account"):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.scope = scope  # "account" | "address"


def _account_item() -> RateLimitItemPerMinute:
    cfg = current_app.config
    return RateLimitItemPerMinute(cfg["LRC_LOGIN_MAX_FAILURES"], cfg["LRC_LOGIN_LOCK_MINUTES"])


def _address_item() -> RateLimitItemPerMinute:
    cfg = current_app.config
    return RateLimitItemPerMinute(cfg["LRC_LOGIN_MAX_FAILURES_PER_ADDRESS"], cfg["LRC_LOGIN_ADDRESS_WINDOW_MINUTES"])


def _primary_storage() -> Storage:
    return limiter.storage


def _with_storage(action: Callable[[MovingWindowRateLimiter], T]) -> T:
    """Run `action` against the shared storage, or against this process's memory when that is unreachable."""
    try:
        return action(MovingWindowRateLimiter(_primary_storage()))
    except Exception as exc:  # noqa: BLE001 - redis/memcached raise their own connection errors
        log.warning("login throttle storage unavailable (%s: %s); using per-process limits",
                    type(exc).__name__, exc)
        return action(MovingWindowRateLimiter(_fallback_storage))


def trusted_networks() -> tuple:
    return parse_networks(current_app.config.get("LRC_TRUSTED_NETWORKS") or "")


def is_trusted_address(address: str | None) -> bool:
    return address_in(address, trusted_networks())


def account_key(username: str) -> str:
    return (username or "").strip().lower()


def _checks(username: str, address: str | None) -> list[tuple[str, RateLimitItemPerMinute, str]]:
    checks = [("account", _account_item(), account_key(username))]
    if address and not is_trusted_address(address):
        checks.append(("address", _address_item(), address))
    return checks


def check_login_allowed(username: str, address: str | None) -> None:
    """Raise LoginThrottled (with seconds to wait) when the account or the address has used up its failures."""
    def waits(strategy: MovingWindowRateLimiter) -> list[tuple[int, str]]:
        found = []
        for scope, item, value in _checks(username, address):
            if not strategy.test(item, "login", scope, value):
                reset_at, _remaining = strategy.get_window_stats(item, "login", scope, value)
                found.append((max(1, math.ceil(reset_at - time.time())), scope))
        return found

    found = _with_storage(waits)
    if found:
        retry_after, scope = max(found)
        raise LoginThrottled(retry_after, scope)


def record_login_failure(username: str, address: str | None) -> bool:
    """Count one failure against the account and the address; True when this failure locked the account."""
    def hit(strategy: MovingWindowRateLimiter) -> bool:
        locked = False
        for scope, item, value in _checks(username, address):
            strategy.hit(item, "login", scope, value)
            if scope == "account":
                locked = not strategy.test(item, "login", scope, value)
        return locked

    return _with_storage(hit)


def clear_login_failures(username: str) -> None:
    """A successful sign-in forgets the account's failures (never the address's)."""
    _with_storage(lambda strategy: strategy.clear(_account_item(), "login", "account", account_key(username)))
