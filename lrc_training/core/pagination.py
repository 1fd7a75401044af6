"""Page-by-page lists for HTML pages: one count query and one page query, whatever the list's length."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from flask import current_app, flash, request
from sqlalchemy import Select, func, select

from ..extensions import db
from .api import QueryModel, query_errors
from .params import ascii_int

MAX_PAGE = 1_000_000


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


def paginate_page(stmt: Select, per_page: int | None = None, *, rows: bool = False, total: int | None = None) -> Page:
    """One page of `stmt`: its entities, or with `rows=True` its full result rows (entity plus aggregates). A caller
    that already knows how many rows `stmt` has passes `total` and saves the COUNT."""
    # Anything but a page number (0, "²", more digits than any page has) shows the first page.
    raw = request.args.get("page", "1")
    page = 1 if ascii_int(raw, low=1) is None else min(ascii_int(raw), MAX_PAGE)
    per_page = per_page or current_app.config["LRC_PER_PAGE"]
    if total is None:
        total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique()
    items = result.all() if rows else result.scalars().all()
    return Page(list(items), page, per_page, total)


def page_filters(schema: type[QueryModel], form: Any = None) -> Any:
    """A list page's filters from the query string, validated by the same schema as the API list: a bad value is
    left out (the list shows as if it were not given) and a message names it (by the filter form's label when
    `form` has that field) and says why, instead of an error page."""
    values, fields = query_errors(schema, request.args)
    if fields:
        def label(name: str) -> str:
            field = getattr(form, name, None) if form is not None else None
            return field.label.text if field is not None and hasattr(field, "label") else name

        flash("已忽略无效的筛选条件：" + "；".join(f"{label(name)} {reason}" for name, reason in fields.items()),
              "warning")
    return values
