"""Page-by-page lists for HTML pages: one count query and one page query, whatever the list's length."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate_page(stmt: Select, per_page: int | None = None, *, rows: bool = False) -> Page:
    """One page of `stmt`: its entities, or with `rows=True` its full result rows (entity plus aggregates)."""
    raw = request.args.get("page", "1")
    page = min(int(raw), 1_000_000) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1
    per_page = per_page or current_app.config["LRC_PER_PAGE"]
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique()
    items = result.all() if rows else result.scalars().all()
    return Page(list(items), page, per_page, total)
