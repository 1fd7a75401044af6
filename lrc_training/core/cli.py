"""Command-line tools: seed-demo, scheduler, audit verify / checkpoint, regions load, backup create / restore.
The areas add their own commands from create_app (create-admin in auth/cli.py, stats in exams/cli.py), into the
groups here when they share one (`command_group`)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from ..extensions import db


def command_group(app: Flask, name: str, description: str) -> AppGroup:
    """The app's `flask <name>` group, made on first use, so several areas can add commands to one group."""
    group = app.cli.commands.get(name)
    if group is None:
        group = AppGroup(name, help=description)
        app.cli.add_command(group)
    return group


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo organizations and users (once; running it again changes nothing)."""
    from .demo import seed_demo

    if seed_demo():
        db.session.commit()
        click.echo("演示数据已载入")
    else:
        click.echo("演示数据已存在，跳过")

@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron or tests).")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the timed jobs (batches, auto-submission, reminders) in this process. Any number of scheduler
    processes may run (on several nodes): each job runs once per due time across all of them."""
    import logging

    from .scheduler import registered_jobs, run_all_once, start_blocking

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run every 5 seconds
    real_app = current_app._get_current_object()  # the app this CLI was built for
    jobs = registered_jobs(real_app)
    if once:
        ran = run_all_once(real_app)
        skipped = len(jobs) - ran
        click.echo(f"已运行 {ran} 个定时任务" + (f"（{skipped} 个正由其他进程运行，已跳过）" if skipped else ""))
        return
    click.echo("定时任务进程已启动：" + "，".join(f"{j.id}（每 {j.seconds} 秒）" for j in jobs.values()))
    start_blocking(real_app)

@click.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every record's link and keyed seal, then every checkpoint outside the database (truncation)."""
    from .audit import verify_report
    from .audit_keys import AuditKeyError

    try:
        report = verify_report()
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from None
    problem = report.problem
    if problem is None:
        legacy = f"（其中 {report.legacy} 条为启用密钥签名前的旧记录）" if report.legacy else ""
        anchored = (f"；与 {report.anchors} 个检查点一致，最近一次 {report.last_anchor_at}" if report.anchors
                    else "；尚无检查点（运行 flask audit checkpoint 或定时任务进程）")
        click.echo(f"审计日志完整：已校验 {report.checked} 条记录{legacy}{anchored}")
        return
    if problem.record_id is None:
        raise click.ClickException(f"审计日志检查点异常：{problem.problem}")
    raise click.ClickException(f"审计日志第 {problem.record_id} 号记录异常：{problem.problem}"
                               f"（此前 {report.checked} 条记录完好）")

@click.command("checkpoint")
@with_appcontext
def audit_checkpoint() -> None:
    """Copy the chain's head (id, count, seal, time) to the anchor store outside the database."""
    from .audit import checkpoint
    from .audit_anchors import AnchorError

    try:
        point = checkpoint()
    except AnchorError as exc:
        db.session.rollback()
        raise click.ClickException(f"检查点文件异常，未写入：{exc}") from None
    if point is None:
        click.echo("自上次检查点以来没有新记录，未写入")
        return
    click.echo(f"已写入检查点：第 {point.row_id} 号记录，共 {point.count} 条 → {point.path}")

@click.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Load the valid lines even when some lines are refused.")
@with_appcontext
def regions_load(path: str, skip_invalid: bool) -> None:
    """Load names of townships/streets (9-digit) and communities/villages (12-digit) from a CSV or TSV file
    of code,name lines (e.g. the statistical code tables); existing codes are renamed, nothing is deleted."""
    from .region_names import load_names, parse_names

    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise click.ClickException("文件应为 UTF-8 编码的 CSV 或 TSV") from None
    parsed = parse_names(text)
    for line in parsed.errors[:20]:
        click.echo(line, err=True)
    if len(parsed.errors) > 20:
        click.echo(f"……另有 {len(parsed.errors) - 20} 行有误", err=True)
    if parsed.errors and not skip_invalid:
        raise click.ClickException(f"{len(parsed.errors)} 行有误，未载入任何名称（可加 --skip-invalid 只载入有效行）")
    if not parsed.rows:
        raise click.ClickException("文件中没有可载入的代码")
    added, renamed = load_names(parsed.rows)
    db.session.commit()
    click.echo(f"已载入 {len(parsed.rows)} 个代码：新增 {added}，更名 {renamed}")

@click.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_create(path: str) -> None:
    """Write a backup archive (.tar.gz) of the database and the file storage to PATH."""
    from pathlib import Path

    from .backup import create_backup

    manifest = create_backup(Path(path))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    click.echo(f"已备份 {len(manifest['tables'])} 张表共 {rows} 行、{len(manifest['files'])} 个文件 → {path}")

@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def backup_restore(path: str) -> None:
    """Restore a backup into an EMPTY database (run `flask db upgrade` first) and the configured storage."""
    from pathlib import Path

    from .backup import BackupError, restore_backup

    try:
        report = restore_backup(Path(path))
    except BackupError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"已恢复 {sum(report.tables.values())} 行（{len(report.tables)} 张表）、{report.files} 个文件")
    if report.audit_problem:
        raise click.ClickException(f"审计日志校验未通过：{report.audit_problem}")
    click.echo("审计日志校验通过")


def register_commands(app: Flask) -> None:
    """Add core's commands to this app's `flask` command line."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(scheduler_command)
    audit = command_group(app, "audit", "Audit log tools.")
    audit.add_command(audit_verify)
    audit.add_command(audit_checkpoint)
    command_group(app, "regions", "Administrative divisions.").add_command(regions_load)
    backup = command_group(app, "backup", "Backups: every table and stored file, with a manifest and checksums.")
    backup.add_command(backup_create)
    backup.add_command(backup_restore)
