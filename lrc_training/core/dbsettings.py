"""Connection pool and statement timeout from the environment, for PostgreSQL only (SQLite has no server to wait
for and keeps SQLAlchemy's defaults).

Every process (gunicorn worker, scheduler) has its own pool: LRC_DB_POOL_SIZE connections kept open plus up to
LRC_DB_MAX_OVERFLOW more under load; a request waits LRC_DB_POOL_TIMEOUT seconds for one before failing.
LRC_DB_STATEMENT_TIMEOUT_MS > 0 makes PostgreSQL cancel any statement running longer (`statement_timeout`), so one
runaway query cannot hold a connection for ever. Size the server's max_connections for the sum over all processes
(docs/operations.md)."""

from __future__ import annotations

from collections.abc import MutableMapping


def is_postgres(uri: str) -> bool:
    return uri.startswith(("postgresql", "postgres:"))


def apply_database_settings(config: MutableMapping) -> None:
    """Merge the pool and timeout settings into SQLALCHEMY_ENGINE_OPTIONS when the database is PostgreSQL.
    Options the configuration already spells out win."""
    if not is_postgres(config.get("SQLALCHEMY_DATABASE_URI") or ""):
        return
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_size", config["LRC_DB_POOL_SIZE"])
    options.setdefault("max_overflow", config["LRC_DB_MAX_OVERFLOW"])
    options.setdefault("pool_timeout", config["LRC_DB_POOL_TIMEOUT"])
    timeout = config["LRC_DB_STATEMENT_TIMEOUT_MS"]
    if timeout > 0:
        connect_args = dict(options.get("connect_args") or {})
        extra = connect_args.get("options", "")
        connect_args["options"] = f"{extra} -c statement_timeout={int(timeout)}".strip()
        options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
