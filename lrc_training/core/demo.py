"""Demo data (`flask seed-demo`): the people first, then each area's data built on them, through the same services
as real use. `create_app` says which seeders an app has and in which order (`register_demo`); core imports none
of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from .work_areas import ensure_default_work_areas

# The people: {username: user} and the organizations, or None when the demo data is already there.
PeopleSeeder = Callable[[], tuple[dict, list] | None]
# An area's data, built on those people and organizations.
DemoSeeder = Callable[[dict, list], None]
EXTENSION_KEY = "lrc_demo"


@dataclass(frozen=True)
class Demo:
    people: PeopleSeeder
    seeders: tuple[DemoSeeder, ...]


def register_demo(app: Flask, people: PeopleSeeder, *seeders: DemoSeeder) -> None:
    app.extensions[EXTENSION_KEY] = Demo(people, tuple(seeders))


def seed_demo() -> bool:
    """Load the current app's demo data once. Returns False when it was already there."""
    demo: Demo | None = current_app.extensions.get(EXTENSION_KEY)
    if demo is None:
        raise RuntimeError("this app has no demo data (create_app registers it with register_demo)")
    loaded = demo.people()
    if loaded is None:
        return False
    users, orgs = loaded
    ensure_default_work_areas()
    for seeder in demo.seeders:
        seeder(users, orgs)
    return True
