"""Time helpers: the database stores UTC; people read Beijing time (configurable)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def local_zone() -> ZoneInfo:
    name = current_app.config["LRC_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(local_zone()) if value else None


def iso_local(value: datetime | None) -> str | None:
    """ISO 8601 with offset, as docs/api.md requires (2026-05-01T09:00:00+08:00)."""
    local = to_local(value)
    return local.isoformat(timespec="seconds") if local else None


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def parse_local(text: str) -> datetime | None:
    """Typed text ("2026-05-01T09:00", a datetime-local box) as that time where people are; a time with its offset
    as it is; None when the text is no date and time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=local_zone()) if moment.tzinfo is None else moment


def local_today() -> date:
    """Today's date where people are (LRC_TIMEZONE), not the server's."""
    return datetime.now(local_zone()).date()
