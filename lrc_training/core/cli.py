"""Command-line tools: create-admin, seed-demo, audit verify."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from .errors import DomainError


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password", required=True, help="初始密码（至少 8 位，含字母和数字）")
    @click.option("--name", default="系统管理员", show_default=True)
    def create_admin(username: str, password: str, name: str) -> None:
        """Create an admin account, or make an existing account an admin (idempotent)."""
        from ..auth.models import User
        from ..auth.users import create_user

        user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None:
            if "admin" not in user.roles:
                user.set_roles([*user.roles, "admin"])
                db.session.commit()
                click.echo(f"已将 {username} 设为管理员")
            else:
                click.echo(f"管理员 {username} 已存在，未做修改")
            return
        try:
            create_user(None, username=username, password=password, name=name, roles=["admin"],
                        require_identity=False)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"已创建管理员 {username}")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo organizations and users (once; running it again changes nothing)."""
        from .demo import seed_demo

        if seed_demo():
            db.session.commit()
            click.echo("演示数据已载入")
        else:
            click.echo("演示数据已存在，跳过")

    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Run every job once and exit (for cron or tests).")
    def scheduler_command(once: bool) -> None:
        """Run the timed jobs (batches, auto-submission, reminders) in this process."""
        import logging

        from .scheduler import JOBS, run_all_once, start_blocking

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run every 5 seconds
        real_app = app  # the app this CLI was built for
        if once:
            run_all_once(real_app)
            click.echo(f"已运行 {len(JOBS)} 个定时任务")
            return
        click.echo("定时任务进程已启动：" + "，".join(f"{j.id}（每 {j.seconds} 秒）" for j in JOBS.values()))
        start_blocking(real_app)

    audit = AppGroup("audit", help="Audit log tools.")
    app.cli.add_command(audit)

    @audit.command("verify")
    def audit_verify() -> None:
        """Walk the hash chain; name the first record that was altered or whose predecessor was removed."""
        from .audit import verify_chain

        checked, problem = verify_chain()
        if problem is None:
            click.echo(f"审计日志完整：已校验 {checked} 条记录")
            return
        raise click.ClickException(f"审计日志第 {problem.record_id} 号记录异常：{problem.problem}"
                                   f"（此前 {checked} 条记录完好）")

    stats = AppGroup("stats", help="Statistics maintenance.")
    app.cli.add_command(stats)

    @stats.command("rebuild-exam-outcomes")
    def rebuild_exam_outcomes() -> None:
        """Recount the monthly exam outcome counters from the published results (e.g. after an upgrade)."""
        from ..exams.outcomes import rebuild
        from ..extensions import db

        rows = rebuild()
        db.session.commit()
        click.echo(f"已重新统计：{rows} 行（月份 × 单位）")
