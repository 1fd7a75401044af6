"""What each role can reach: the navigation bar and the dashboard cards come from this one list.

Each area declares its entries as a plain list (`NAV = [NavItem(...), ...]`) beside the pages they open, and
`create_app` lists those in the order the bar shows them (`register_navigation`), so the navigation only ever shows
pages the app has, to the users whose roles may open them. Declaring a list registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "lrc_navigation"


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[str, ...] = ()  # empty: every signed-in user
    description: str = ""
    group: str = ""
    visible: Callable | None = None  # a further condition on the user (e.g. the kind of their organization)


def register_navigation(app: Flask, *entries: Iterable[NavItem]) -> None:
    """Append the areas' entries to this app's navigation, in this order; an endpoint is listed once."""
    items = app.extensions.setdefault(EXTENSION_KEY, [])
    for entry in entries:
        for item in entry:
            if not any(known.endpoint == item.endpoint for known in items):
                items.append(item)


def nav_items(app: Flask | None = None) -> list[NavItem]:
    return list((app or current_app).extensions.get(EXTENSION_KEY, []))


def items_for(user) -> list[NavItem]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [item for item in nav_items() if (not item.roles or user.has_role(*item.roles))
            and (item.visible is None or item.visible(user))]
