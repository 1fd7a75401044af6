"""Throttling of bulk look-ups: each request that resolves a list of usernames or ID numbers (competition bulk
registration, the registry's Excel import) uses one unit of the caller's hourly budget, shared between them.

Counts live in Flask-Limiter's storage, like login throttling (memory by default, Redis when
LRC_RATELIMIT_STORAGE_URI says so), so every worker process sees the same counts when Redis is configured."""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItemPerHour
from limits.strategies import MovingWindowRateLimiter

from ..extensions import limiter
from .errors import DomainError

DEFAULT_PER_HOUR = 20


class BulkThrottled(DomainError):
    status = 429
    code = "throttled"

    def __init__(self, retry_after: int, per_hour: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"批量查询过于频繁：每人每小时最多 {per_hour} 次批量报名或导入，请约 {minutes} 分钟后再试。",
                         {"bulk": f"每小时最多 {per_hour} 次"})
        self.retry_after = retry_after


def _item() -> RateLimitItemPerHour:
    return RateLimitItemPerHour(int(current_app.config.get("LRC_BULK_LOOKUPS_PER_HOUR", DEFAULT_PER_HOUR)))


def use_bulk_lookup(actor) -> None:
    """Count one bulk request for `actor`, or raise BulkThrottled (with seconds to wait) when the hour's budget is
    used up. Call it before any identifier is resolved."""
    strategy, item = MovingWindowRateLimiter(limiter.storage), _item()
    if not strategy.hit(item, "bulk-lookup", str(actor.id)):
        reset_at, _remaining = strategy.get_window_stats(item, "bulk-lookup", str(actor.id))
        raise BulkThrottled(max(1, math.ceil(reset_at - time.time())), item.amount)
