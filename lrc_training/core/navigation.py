"""What each role can reach: the navigation bar and the dashboard cards come from this one list.

Areas add their entries when their blueprint module is imported, so the navigation only ever shows
pages that exist and that the user's roles may open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: tuple[str, ...]  # empty: every signed-in user
    description: str = ""
    group: str = ""
    visible: Callable | None = None  # a further condition on the user (e.g. the kind of their organization)


NAV_ITEMS: list[NavItem] = []


def register_nav(label: str, endpoint: str, *, roles: tuple[str, ...] = (), description: str = "",
                 group: str = "", visible: Callable | None = None) -> None:
    if not any(item.endpoint == endpoint for item in NAV_ITEMS):
        NAV_ITEMS.append(NavItem(label, endpoint, roles, description, group, visible))


def items_for(user) -> list[NavItem]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV_ITEMS if (not item.roles or user.has_role(*item.roles))
            and (item.visible is None or item.visible(user))]
