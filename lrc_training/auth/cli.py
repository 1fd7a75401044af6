"""auth's command-line tools, added to the app by create_app: `flask create-admin`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from ..core.errors import DomainError
from ..extensions import db
from .models import User
from .roles import ADMIN
from .services.users import create_user


def register_commands(app: Flask) -> None:
    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--password", required=True, help="初始密码（至少 10 位，至少两类字符，不能包含用户名）")
    @click.option("--name", default="系统管理员", show_default=True)
    def create_admin(username: str, password: str, name: str) -> None:
        """Create an admin account, or make an existing account an admin (idempotent)."""
        user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None:
            if ADMIN not in user.roles:
                user.set_roles([*user.roles, ADMIN])
                db.session.commit()
                click.echo(f"已将 {username} 设为管理员")
            else:
                click.echo(f"管理员 {username} 已存在，未做修改")
            return
        try:
            create_user(None, username=username, password=password, name=name, roles=[ADMIN],
                        require_identity=False)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.message) from None
        db.session.commit()
        click.echo(f"已创建管理员 {username}")
