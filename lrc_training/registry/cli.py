"""registry's command-line tools, added to the app by create_app: `flask stats rebuild-coordinators`."""

from __future__ import annotations

import click
from flask import Flask

from ..core.cli import command_group
from ..extensions import db
from .services.coordinators import rebuild


def register_commands(app: Flask) -> None:
    stats = command_group(app, "stats", "Statistics maintenance.")

    @stats.command("rebuild-coordinators")
    def rebuild_coordinators() -> None:
        """Re-derive the coordinator read model from certificates, registry records, people and organizations (after
        changes made with bulk SQL, or to check it: the scheduler does it nightly)."""
        count = rebuild()
        db.session.commit()
        click.echo(f"已重新核对：{count} 名劳动关系协调员")
