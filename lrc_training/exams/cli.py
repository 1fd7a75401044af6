"""exams' command-line tools, added to the app by create_app: `flask stats rebuild-exam-outcomes`."""

from __future__ import annotations

import click
from flask import Flask

from ..core.cli import command_group
from ..extensions import db
from .services.outcomes import rebuild


def register_commands(app: Flask) -> None:
    stats = command_group(app, "stats", "Statistics maintenance.")

    @stats.command("rebuild-exam-outcomes")
    def rebuild_exam_outcomes() -> None:
        """Recount the monthly exam outcome counters from the published results (e.g. after an upgrade)."""
        rows = rebuild()
        db.session.commit()
        click.echo(f"已重新统计：{rows} 行（月份 × 单位）")
