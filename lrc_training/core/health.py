"""Liveness and readiness for load balancers and orchestrators.

`/healthz` answers 200 whenever the process serves requests (restart the process when it does not). `/readyz` checks
what a request needs — the database, file storage and the rate-limit storage (Redis in production) — and answers 503
naming what failed, so a load balancer sends no traffic to a node that cannot serve it. Neither needs signing in, and
neither reveals why a check failed (that goes to the log)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db, limiter
from .access import public

bp = Blueprint("ops", __name__)
log = logging.getLogger("lrc.health")


def check_database() -> None:
    db.session.execute(text("SELECT 1")).scalar_one()


def check_storage() -> None:
    """Files can be written: the configured storage (a folder, or the S3 bucket of LRC_STORAGE_URL) and the instance
    folder, which still holds seals, photos, certificate batches and the audit anchor file."""
    from .storage import storage

    storage().check()
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".readyz-", dir=folder)
    try:
        os.write(handle, b"ok")
    finally:
        os.close(handle)
        os.unlink(name)


def check_ratelimit() -> None:
    # limits' storages answer False (or raise) when their backend (Redis) does not answer.
    if not limiter.storage.check():
        raise ConnectionError("rate-limit storage did not answer")


CHECKS = {"database": check_database, "storage": check_storage, "ratelimit": check_ratelimit}


def readiness() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the reason goes to the log
            log.warning("readiness check %s failed", name, exc_info=True)
            if name == "database":
                db.session.rollback()
            results[name] = "failed"
        else:
            results[name] = "ok"
    return results


@bp.get("/healthz")
@public
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@public
def readyz():
    results = readiness()
    ready = all(value == "ok" for value in results.values())
    response = jsonify(results)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
