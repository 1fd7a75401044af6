"""Load and authorise in one step: every area's `get_*_for_*` functions are this one shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..extensions import db
from .errors import NotFound

Row = TypeVar("Row")


def get_allowed(model: type[Row], row_id: Any, allowed: Callable[[Row], bool], message: str) -> Row:
    """The row of `model` with this id if `allowed(row)`; otherwise `NotFound(message)`, the same for a row that
    does not exist and one the caller may not have (ids outside one's scope are not revealed)."""
    row = db.session.get(model, row_id)
    if row is None or not allowed(row):
        raise NotFound(message)
    return row
