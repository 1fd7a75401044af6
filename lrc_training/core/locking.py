"""Serialising writers where a rule reads and then writes (seats left, the audit chain's last hash).

PostgreSQL: a transaction-scoped advisory lock (or the caller's own SELECT ... FOR UPDATE). SQLite has no row
locks and does not lock on reads, so two requests could both read "one seat left": a no-op write takes SQLite's
database write lock at once, and the read that follows is then current. Both locks end with the transaction."""

from __future__ import annotations

import zlib

from sqlalchemy import text

from ..extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def take_write_lock(key: str) -> None:
    name = dialect()
    if name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(key.encode())})
    elif name == "sqlite":
        db.session.execute(text("UPDATE work_areas SET code = code WHERE 0"))
