"""The home page's to-do list (待办): what the signed-in user should do next, gathered from every area.

Each area offers one *provider*, a function `todo_for(user, now) -> list[TodoItem]` in its own `todo.py`, which
returns nothing (and runs no query) for users it has nothing for, and otherwise a constant number of queries
whatever the amount of data. `core` imports no area: `create_app` registers the providers
(`register_todo_providers` in lrc_training/__init__.py), so adding a source of to-dos is one function plus one line
there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app

from ..db import utcnow

# Urgency, most urgent first (it is the first sort key).
NOW = 0  # to be done right now: an exam in progress, a window closing within hours
SOON = 1  # something with a near deadline or starting today
NORMAL = 2  # work waiting for the user
INFO = 3  # news the user may act on (a certificate ready, a decision pending elsewhere)
URGENCY_LABELS = {NOW: "紧急", SOON: "今日", NORMAL: "待处理", INFO: "提醒"}

EXTENSION_KEY = "lrc_todo_providers"
_LAST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class TodoItem:
    title: str  # what to do, in a few words ("审核认定报名")
    link: str  # where to do it
    detail: str = ""  # one line of context ("2026 年第一批四级认定 · 3 人")
    due_at: datetime | None = None  # the deadline or start time (aware UTC), shown in local time
    due_label: str = "截止"  # what due_at is ("截止", "开始", "结束")
    urgency: int = NORMAL
    action: str = "去处理"  # the button's words ("进入考试", "下载")

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS[self.urgency]


Provider = Callable[[object, datetime], list[TodoItem]]


def register_todo_provider(app: Flask, provider: Provider) -> None:
    """Add a provider to this app's list (once: building the app twice does not list it twice)."""
    providers = app.extensions.setdefault(EXTENSION_KEY, [])
    if provider not in providers:
        providers.append(provider)


def todo_providers(app: Flask | None = None) -> list[Provider]:
    return list((app or current_app).extensions.get(EXTENSION_KEY, []))


def sort_key(item: TodoItem) -> tuple:
    return item.urgency, item.due_at or _LAST, item.title, item.detail


def todos_for(user, now: datetime | None = None) -> list[TodoItem]:
    """Every provider's items for the user, most urgent first, then by due time."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    now = now or utcnow()
    items: list[TodoItem] = []
    for provider in todo_providers():
        items.extend(provider(user, now))
    return sorted(items, key=sort_key)


def time_left(due_at: datetime | None, now: datetime) -> str:
    """How far away a due time is, in the words of the to-do card: 还有 1 小时 50 分 / 还有 3 天 / 已过."""
    if due_at is None:
        return ""
    seconds = int((due_at - now).total_seconds())
    if seconds <= 0:
        return "已过"
    minutes = max(1, seconds // 60)
    if minutes < 60:
        return f"还有 {minutes} 分钟"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"还有 {hours} 小时" + (f" {rest} 分" if rest else "")
    return f"还有 {minutes // (24 * 60)} 天"
